#!/usr/bin/env python3
"""Whole training steps of `skim train` against PyTorch/Hugging Face, step by step, on the same batches.

The fixture tests prove one forward and one backward pass; this checks what they cannot: data order,
loss, gradients, learning rate and the AdamW update together over many real steps. Dropout is off
in both trainers (`--set dropout=0`), so two correct trainers agree to float rounding, and the first
step where they part shows which piece differs.

    pip install "torch==2.13.0+cpu" "transformers==5.23.0"          # BASELINES.md versions
    # 1. a model folder with a PyTorch-initialised classifier, so both start from the same weights
    python3 Launch/hf-step-compare.py init --output /tmp/compare/init
    # 2. skim on one process, uniformly shuffled batches, dropout off, a record every step
    .build/release/skim train -c Configs/sst2-dense-minilm.yaml --set model=/tmp/compare/init \\
        --set dropout=0 --set length_bucketing=null --set log_every=1 --set max_steps=300 \\
        --set warmup_steps=253 --set threads=1 --set output_dir=/tmp/compare/skim --set resume=never
    # 3. the same steps in PyTorch, with the learning rate skim logged at each step
    OMP_NUM_THREADS=1 python3 Launch/hf-step-compare.py compare --init /tmp/compare/init \\
        --skim-log /tmp/compare/skim/metrics.jsonl

`compare` rebuilds skim's batches (SplitMix64 seeded Fisher-Yates, as `BatchSampler`'s `.shuffled`
order with drop-last), so it needs the skim run's seed, batch size and training file. It prints,
per step, both losses and gradient norms and their relative differences, and at the end the dev
accuracy of the PyTorch model. Not part of the product or its tests.
"""
import argparse
import csv
import json
import math
import os
import shutil
import sys

import torch
from transformers import AutoTokenizer, BertForSequenceClassification

MASK64 = (1 << 64) - 1


class SplitMix64:
    """The generator of Sources/Text/Batching/SeededShuffle.swift, bit for bit."""

    def __init__(self, seed):
        self.state = seed & MASK64

    @classmethod
    def for_epoch(cls, seed, epoch):
        base = cls(seed).next()
        return cls(base ^ ((epoch * 0xD1B54A32D192ED03) & MASK64))

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, bound):
        """Lemire's multiply-and-reject, as `next(below:)`."""
        product = self.next() * bound
        if product & MASK64 < bound:
            threshold = ((1 << 64) - bound) % bound
            while product & MASK64 < threshold:
                product = self.next() * bound
        return product >> 64

    def shuffle(self, values):
        for i in range(len(values) - 1, 0, -1):
            j = self.below(i + 1)
            values[i], values[j] = values[j], values[i]


def shuffled_batches(count, batch_size, seed, epoch):
    """`BatchSampler(order: .shuffled, dropLast: true).batches(epoch:)`."""
    indices = list(range(count))
    SplitMix64.for_epoch(seed, epoch).shuffle(indices)
    return [indices[start:start + batch_size] for start in range(0, count - batch_size + 1, batch_size)]


def read_sst2(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [(line["sentence"], int(line["label"]))
                for line in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    if not rows:
        sys.exit(f"hf-step-compare: no rows in {path}")
    return rows


def read_skim_log(path):
    """Train records of a skim metrics.jsonl by step; every step must be there (log_every 1)."""
    records = {}
    with open(path) as handle:
        for line in handle:
            record = json.loads(line)
            if record.get("event") == "train":
                records[record["step"]] = record
    steps = sorted(records)
    if not steps or steps != list(range(1, len(steps) + 1)):
        sys.exit(f"hf-step-compare: {path} must hold a train record for every step from 1 (log_every 1)")
    return [records[step] for step in steps]


def init(args):
    torch.manual_seed(args.seed)
    model = BertForSequenceClassification.from_pretrained(args.model, num_labels=2)
    os.makedirs(args.output, exist_ok=True)
    model.save_pretrained(args.output, safe_serialization=True)
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        source = os.path.join(args.model, name)
        if os.path.exists(source):
            shutil.copy(source, args.output)
    print(f"wrote {args.output}: {args.model} with a classifier drawn by torch seed {args.seed}")


def decay_groups(model, weight_decay):
    """Hugging Face Trainer's groups: no decay for biases and LayerNorm weights."""
    decay, no_decay = [], []
    for name, parameter in model.named_parameters():
        (no_decay if name.endswith("bias") or "LayerNorm" in name else decay).append(parameter)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def compare(args):
    skim = read_skim_log(args.skim_log)
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(args.init)
    model = BertForSequenceClassification.from_pretrained(
        args.init, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, classifier_dropout=0.0)
    model.train()
    optimizer = torch.optim.AdamW(decay_groups(model, args.weight_decay), lr=0.0, betas=(0.9, 0.999), eps=1e-8)
    train = read_sst2(os.path.join(args.data_dir, "SST-2", "train.tsv"))
    batches = shuffled_batches(len(train), args.batch_size, args.seed, 0)
    worst_loss = worst_norm = 0.0
    print(f"{'step':>5} {'lr':>10} {'loss torch':>11} {'loss skim':>11} {'rel':>9} {'|g| torch':>10} {'|g| skim':>10} {'rel':>9}")
    for step, record in enumerate(skim[:args.steps], start=1):
        rows = [train[i] for i in batches[step - 1]]
        encoded = tokenizer([text for text, _ in rows], padding=True, truncation=True, max_length=128, return_tensors="pt")
        labels = torch.tensor([label for _, label in rows])
        loss = model(**encoded, labels=labels).loss
        loss.backward()
        norm = math.sqrt(sum(float(p.grad.double().pow(2).sum()) for p in model.parameters() if p.grad is not None))
        for group in optimizer.param_groups:
            group["lr"] = record["lr"]
        optimizer.step()
        optimizer.zero_grad()
        loss_rel = abs(float(loss) - record["loss"]) / abs(record["loss"])
        norm_rel = abs(norm - record["grad_norm"]) / record["grad_norm"]
        worst_loss, worst_norm = max(worst_loss, loss_rel), max(worst_norm, norm_rel)
        print(f"{step:5d} {record['lr']:10.3e} {float(loss):11.6f} {record['loss']:11.6f} {loss_rel:9.2e} "
              f"{norm:10.5f} {record['grad_norm']:10.5f} {norm_rel:9.2e}", flush=True)
    print(f"largest relative difference: loss {worst_loss:.2e}, gradient norm {worst_norm:.2e}")
    if args.dev:
        model.eval()
        dev = read_sst2(os.path.join(args.data_dir, "SST-2", "dev.tsv"))
        correct = 0
        with torch.no_grad():
            for start in range(0, len(dev), 64):
                rows = dev[start:start + 64]
                encoded = tokenizer([text for text, _ in rows], padding=True, truncation=True, max_length=128, return_tensors="pt")
                predicted = model(**encoded).logits.argmax(-1)
                correct += int((predicted == torch.tensor([label for _, label in rows])).sum())
        print(f"torch dev accuracy after {min(args.steps, len(skim))} steps: {100 * correct / len(dev):.2f}")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("init", help="write a model folder with a torch-initialised classifier")
    make.add_argument("--model", default=os.path.join(root, "Models", "all-MiniLM-L6-v2"))
    make.add_argument("--output", required=True)
    make.add_argument("--seed", type=int, default=42)
    check = commands.add_parser("compare", help="replay skim's steps in PyTorch and print both")
    check.add_argument("--init", required=True, help="the folder `init` wrote, which skim also trained from")
    check.add_argument("--skim-log", required=True, help="metrics.jsonl of the skim run (log_every 1)")
    check.add_argument("--data-dir", default=os.path.join(root, "Data", "glue_data"))
    check.add_argument("--seed", type=int, default=42, help="the skim run's seed (its batch order)")
    check.add_argument("--batch-size", type=int, default=32)
    check.add_argument("--weight-decay", type=float, default=0.01)
    check.add_argument("--steps", type=int, default=10**9, help="at most this many steps")
    check.add_argument("--dev", action="store_true", help="also report the torch model's dev accuracy")
    args = parser.parse_args()
    init(args) if args.command == "init" else compare(args)


if __name__ == "__main__":
    main()
