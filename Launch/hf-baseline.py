#!/usr/bin/env python3
"""The Hugging Face / PyTorch reference run of BASELINES.md, for more seeds than it reports.

Fine-tunes the same all-MiniLM-L6-v2 folder that `skim` uses on a GLUE single-sentence or pair
task from `Data/` with the Hugging Face Trainer and the recipe of ../shared/docs/BASELINES.md:
AdamW lr 5e-5, betas (0.9, 0.999), eps 1e-8, weight decay 0.01 except biases and LayerNorm
weights, 6% linear warmup then linear decay to 0, batch 32, max length 128 with dynamic padding,
dropout 0.1 (the model's config), and the Trainer's other defaults (among them gradient clipping
at global norm 1.0). Prints the dev accuracy, F1 and Matthews correlation after every epoch and
writes them as JSON Lines to <output>/dev.jsonl.

    pip install "torch==2.13.0+cpu" "transformers==5.23.0" "accelerate>=1.1.0"   # BASELINES.md versions
    OMP_NUM_THREADS=2 python3 Launch/hf-baseline.py --task SST-2 --epochs 2 --seed 1

Not part of the product or its tests: it only reproduces the baseline that docs/results.md
compares against.
"""
import argparse
import csv
import json
import os
import sys

import numpy as np
import torch
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding,
                          Trainer, TrainingArguments, set_seed)

# Column names of the GLUE TSV files: (first sentence, second sentence or None).
COLUMNS = {"SST-2": ("sentence", None), "CoLA": (3, None), "MRPC": ("#1 String", "#2 String")}


def read_tsv(path, task):
    """Rows of a GLUE TSV file as (text_a, text_b, label); CoLA has no header row."""
    first, second = COLUMNS[task]
    with open(path, newline="", encoding="utf-8-sig") as handle:  # MRPC starts with a BOM
        if task == "CoLA":
            rows = [(line[first], None, int(line[1])) for line in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
        else:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            label = "Quality" if task == "MRPC" else "label"
            rows = [(line[first], line[second] if second else None, int(line[label])) for line in reader]
    if not rows:
        sys.exit(f"hf-baseline: no rows in {path}")
    return rows


class Encoded(torch.utils.data.Dataset):
    """Tokenized rows, unpadded (the collator pads each batch to its longest sequence)."""

    def __init__(self, rows, tokenizer, max_length):
        texts_a = [row[0] for row in rows]
        texts_b = [row[1] for row in rows] if rows[0][1] is not None else None
        self.features = tokenizer(texts_a, texts_b, truncation=True, max_length=max_length)
        self.labels = [row[2] for row in rows]

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        item = {key: values[index] for key, values in self.features.items()}
        item["labels"] = self.labels[index]
        return item


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--task", default="SST-2", choices=sorted(COLUMNS))
    parser.add_argument("--model", default=os.path.join(root, "Models", "all-MiniLM-L6-v2"))
    parser.add_argument("--data-dir", default=os.path.join(root, "Data", "glue_data"))
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", default=None, help="run folder (default Checkpoints/hf-<task>-seed<seed>)")
    args = parser.parse_args()
    output = args.output or os.path.join(root, "Checkpoints", f"hf-{args.task.lower()}-seed{args.seed}")

    set_seed(args.seed)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForSequenceClassification.from_pretrained(args.model, num_labels=2)
    train = Encoded(read_tsv(os.path.join(args.data_dir, args.task, "train.tsv"), args.task), tokenizer, 128)
    dev = Encoded(read_tsv(os.path.join(args.data_dir, args.task, "dev.tsv"), args.task), tokenizer, 128)

    def metrics(prediction):
        """Accuracy, plus F1 of class 1 (MRPC's second metric) and Matthews correlation (CoLA's)."""
        predicted, gold = np.argmax(prediction.predictions, axis=-1), prediction.label_ids
        tp = float(np.sum((predicted == 1) & (gold == 1))); tn = float(np.sum((predicted == 0) & (gold == 0)))
        fp = float(np.sum((predicted == 1) & (gold == 0))); fn = float(np.sum((predicted == 0) & (gold == 1)))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0
        denominator = ((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)) ** 0.5
        matthews = (tp * tn - fp * fn) / denominator if denominator > 0 else 0.0
        return {"accuracy": float((predicted == gold).mean()), "f1": f1, "matthews": matthews}

    training = TrainingArguments(
        output_dir=output, per_device_train_batch_size=32, per_device_eval_batch_size=64,
        learning_rate=5e-5, weight_decay=0.01, adam_beta1=0.9, adam_beta2=0.999, adam_epsilon=1e-8,
        num_train_epochs=args.epochs, lr_scheduler_type="linear", warmup_steps=0.06, seed=args.seed,
        eval_strategy="epoch", save_strategy="no", logging_steps=200, report_to=[], use_cpu=True)
    trainer = Trainer(model=model, args=training, train_dataset=train, eval_dataset=dev,
                      data_collator=DataCollatorWithPadding(tokenizer), compute_metrics=metrics)
    trainer.train()
    os.makedirs(output, exist_ok=True)
    with open(os.path.join(output, "dev.jsonl"), "w") as log:
        for record in trainer.state.log_history:
            if "eval_accuracy" in record:
                line = {"task": args.task, "seed": args.seed, "epoch": record["epoch"], "accuracy": record["eval_accuracy"],
                        "f1": record["eval_f1"], "matthews": record["eval_matthews"]}
                print(json.dumps(line), flush=True)
                log.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
