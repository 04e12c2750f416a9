#!/usr/bin/env python3
"""Whole training steps of `skim train` against PyTorch/Hugging Face, step by step, on the same batches.

The fixture tests prove one forward and one backward pass; this checks what they cannot: data order,
loss, gradients, learning rate and the AdamW update together over many real steps. With dropout off
in both trainers (`--set dropout=0`, `--dropout 0`) two correct trainers agree to float rounding,
and the first step where they part shows which piece differs.

    pip install "torch==2.13.0+cpu" "transformers==5.23.0"          # BASELINES.md versions
    # 1. a model folder with a PyTorch-initialised classifier, so both start from the same weights
    python3 Launch/hf-step-compare.py init --output /tmp/compare/init
    # 2. skim on one process, uniformly shuffled batches, dropout off, a record every step
    .build/release/skim train -c Configs/sst2-dense-minilm.yaml --set model=/tmp/compare/init \\
        --set dropout=0 --set length_bucketing=null --set log_every=1 --set max_steps=300 \\
        --set warmup_steps=253 --set threads=1 --set output_dir=/tmp/compare/skim --set resume=never
    # 3. the same steps in PyTorch, compared step by step (it checks that the learning rates agree)
    OMP_NUM_THREADS=1 python3 Launch/hf-step-compare.py replay --init /tmp/compare/init --dropout 0 \
        --max-steps 300 --warmup-steps 253 --skim-log /tmp/compare/skim/metrics.jsonl
    # or a whole PyTorch run on the batches of Configs/sst2-dense-minilm.yaml, dropout on
    OMP_NUM_THREADS=2 python3 Launch/hf-step-compare.py replay --init /tmp/compare/init --length-bucketing 50

`replay` rebuilds skim's batches (SplitMix64-seeded Fisher-Yates, as `BatchSampler`'s `.shuffled`
and `.lengthBucketed` orders with drop-last) and learning rates (`LearningRateSchedule`), so it
needs the skim run's seed, batch size, bucketing and schedule settings. With `--skim-log` it
prints, per step, both losses and gradient norms and their relative differences; without, it
prints the dev accuracy after every epoch. Not part of the product or its tests.
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


def bucketed_batches(lengths, batch_size, pool_batches, seed, epoch):
    """`BatchSampler(order: .lengthBucketed(poolBatches:), dropLast: true).batches(epoch:)`."""
    generator = SplitMix64.for_epoch(seed, epoch)
    indices = list(range(len(lengths)))
    generator.shuffle(indices)
    pool_size = pool_batches * batch_size
    batches = []
    for start in range(0, len(indices), pool_size):
        ranked = sorted(enumerate(indices[start:start + pool_size]), key=lambda item: (lengths[item[1]], item[0]))
        ranked = [index for _, index in ranked]
        batches += [ranked[i:i + batch_size] for i in range(0, len(ranked), batch_size)]
    if len(batches[-1]) < batch_size:
        batches.pop()
    generator.shuffle(batches)
    return batches


def linear_schedule(step, peak, warmup, total):
    """`LearningRateSchedule`: the rate of 0-based optimizer step `step`, as Hugging Face's linear schedule."""
    if step < warmup:
        return peak * step / warmup
    return peak * max(0.0, (total - step) / max(1, total - warmup))


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


def encode(tokenizer, rows):
    """A batch of (sentence, label) rows as model inputs padded to the longest, and the labels."""
    encoded = tokenizer([text for text, _ in rows], padding=True, truncation=True, max_length=128, return_tensors="pt")
    return encoded, torch.tensor([label for _, label in rows])


def evaluate(model, tokenizer, rows):
    """Accuracy in percent on `rows`, in batches of 64."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(rows), 64):
            encoded, labels = encode(tokenizer, rows[start:start + 64])
            correct += int((model(**encoded).logits.argmax(-1) == labels).sum())
    model.train()
    return 100 * correct / len(rows)


def replay(args):
    """Trains in PyTorch on skim's batch order and learning-rate schedule; compares step by step
    with a skim log when given one, else reports the dev accuracy after every epoch."""
    skim = read_skim_log(args.skim_log) if args.skim_log else None
    torch.manual_seed(args.seed)
    tokenizer = AutoTokenizer.from_pretrained(args.init)
    overrides = {} if args.dropout is None else {
        "hidden_dropout_prob": args.dropout, "attention_probs_dropout_prob": args.dropout, "classifier_dropout": args.dropout}
    model = BertForSequenceClassification.from_pretrained(args.init, **overrides)
    model.train()
    optimizer = torch.optim.AdamW(decay_groups(model, args.weight_decay), lr=0.0, betas=(0.9, 0.999), eps=1e-8)
    train = read_sst2(os.path.join(args.data_dir, "SST-2", "train.tsv"))
    dev = read_sst2(os.path.join(args.data_dir, "SST-2", "dev.tsv"))
    lengths = [len(ids) for ids in tokenizer([text for text, _ in train], truncation=True, max_length=128)["input_ids"]]
    steps_per_epoch = len(train) // args.batch_size
    total = args.max_steps or args.epochs * steps_per_epoch
    warmup = args.warmup_steps if args.warmup_steps is not None else math.ceil(total * 0.06)
    steps = min(total, len(skim)) if skim else total
    worst_loss = worst_norm = 0.0
    if skim:
        print(f"{'step':>5} {'lr':>10} {'loss torch':>11} {'loss skim':>11} {'rel':>9} {'|g| torch':>10} {'|g| skim':>10} {'rel':>9}")
    for step in range(steps):
        epoch, position = divmod(step, steps_per_epoch)
        if position == 0:
            batches = (bucketed_batches(lengths, args.batch_size, args.length_bucketing, args.seed, epoch)
                       if args.length_bucketing else shuffled_batches(len(train), args.batch_size, args.seed, epoch))
        encoded, labels = encode(tokenizer, [train[i] for i in batches[position]])
        loss = model(**encoded, labels=labels).loss
        loss.backward()
        norm = math.sqrt(sum(float(p.grad.double().pow(2).sum()) for p in model.parameters() if p.grad is not None))
        if args.max_grad_norm:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
        rate = linear_schedule(step, args.learning_rate, warmup, total)
        for group in optimizer.param_groups:
            group["lr"] = rate
        optimizer.step()
        optimizer.zero_grad()
        loss = float(loss.detach())
        if skim:
            record = skim[step]
            if abs(rate - record["lr"]) > 1e-12:
                sys.exit(f"step {step + 1}: learning rate {rate} here, {record['lr']} in {args.skim_log}: different schedule settings")
            loss_rel = abs(loss - record["loss"]) / abs(record["loss"])
            norm_rel = abs(norm - record["grad_norm"]) / record["grad_norm"]
            worst_loss, worst_norm = max(worst_loss, loss_rel), max(worst_norm, norm_rel)
            print(f"{step + 1:5d} {rate:10.3e} {loss:11.6f} {record['loss']:11.6f} {loss_rel:9.2e} "
                  f"{norm:10.5f} {record['grad_norm']:10.5f} {norm_rel:9.2e}", flush=True)
        elif (step + 1) % 100 == 0:
            print(f"step {step + 1}/{total} loss {loss:.4f} lr {rate:.3e} |g| {norm:.4f}", flush=True)
        if not skim and (position == steps_per_epoch - 1 or step == steps - 1):
            print(json.dumps({"event": "eval", "step": step + 1, "epoch": epoch + 1, "accuracy": evaluate(model, tokenizer, dev)}), flush=True)
    if skim:
        print(f"largest relative difference over {steps} steps: loss {worst_loss:.2e}, gradient norm {worst_norm:.2e}")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("init", help="write a model folder with a torch-initialised classifier")
    make.add_argument("--model", default=os.path.join(root, "Models", "all-MiniLM-L6-v2"))
    make.add_argument("--output", required=True)
    make.add_argument("--seed", type=int, default=42)
    check = commands.add_parser("replay", help="train in PyTorch on skim's batches and schedule")
    check.add_argument("--init", required=True, help="the folder `init` wrote, which skim also trained from")
    check.add_argument("--skim-log", help="metrics.jsonl of a skim run (log_every 1) to compare with, step by step")
    check.add_argument("--data-dir", default=os.path.join(root, "Data", "glue_data"))
    check.add_argument("--seed", type=int, default=42, help="the skim run's seed (its batch order)")
    check.add_argument("--batch-size", type=int, default=32)
    check.add_argument("--length-bucketing", type=int, default=None, help="skim's length_bucketing (pool size in batches)")
    check.add_argument("--epochs", type=int, default=2)
    check.add_argument("--max-steps", type=int, default=None)
    check.add_argument("--warmup-steps", type=int, default=None, help="default: 6%% of the steps, rounded up")
    check.add_argument("--learning-rate", type=float, default=5e-5)
    check.add_argument("--weight-decay", type=float, default=0.01)
    check.add_argument("--max-grad-norm", type=float, default=None, help="clip the global gradient norm (skim's max_grad_norm)")
    check.add_argument("--dropout", type=float, default=None, help="override the model's dropout (skim's dropout)")
    args = parser.parse_args()
    init(args) if args.command == "init" else replay(args)


if __name__ == "__main__":
    main()
