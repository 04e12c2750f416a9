#!/usr/bin/env python3
"""Which tokens a trained Transkimmer checkpoint keeps, by sentence length and by token kind.

An independent NumPy re-implementation of the removal inference (docs/transkimmer.md): per
sequence, before each layer with a predictor, keep iff logit_keep + bias > logit_skim ([CLS]
always), run the layer on the kept tokens only, and classify from the forwarded [CLS] state. It
prints the dev accuracy (which must equal `skim eval` at the same bias), then the kept fraction
per layer for four sentence-length ranges and for [CLS], [SEP], punctuation, frequent function
words and the other tokens (each relative to the tokens of that kind that reached the layer).

Single-sentence tasks (SST-2, CoLA) only. Needs: pip install numpy scipy safetensors transformers
(transformers for the tokenizer only; no PyTorch).

    python3 Launch/kept-by-length.py Checkpoints/<run>/step-00004208 Data/glue_data/SST-2/dev.tsv [keep bias]
"""
import csv
import json
import sys

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf
from transformers import BertTokenizerFast

LENGTHS = [(0, 15), (16, 25), (26, 40), (41, 512)]
KINDS = ["[CLS]", "[SEP]", "punctuation", "function word", "other"]
PUNCTUATION = set(".,;:!?'\"-`()")
FUNCTION_WORDS = set("the a an of and to is in that it 's this for with as on but are be was by its his her their".split())


def layer_norm(x, gamma, beta, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def gelu(x):
    return 0.5 * x * (1 + erf(x / np.sqrt(2)))


class Model:
    def __init__(self, folder):
        self.w = load_file(f"{folder}/model.safetensors")
        config = json.load(open(f"{folder}/config.json"))
        self.heads, self.layers = config["num_attention_heads"], config["num_hidden_layers"]

    def linear(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def norm(self, x, name, eps=1e-12):
        return layer_norm(x, self.w[name + ".weight"], self.w[name + ".bias"], eps)

    def embed(self, ids):
        w = self.w
        x = (w["bert.embeddings.word_embeddings.weight"][ids] + w["bert.embeddings.position_embeddings.weight"][:len(ids)]
             + w["bert.embeddings.token_type_embeddings.weight"][0])
        return self.norm(x, "bert.embeddings.LayerNorm")

    def layer(self, x, l):
        p = f"bert.encoder.layer.{l}."
        n, hidden = x.shape
        d = hidden // self.heads

        def split(t):
            return t.reshape(n, self.heads, d).transpose(1, 0, 2)
        q, k, v = (split(self.linear(x, p + "attention.self." + m)) for m in ("query", "key", "value"))
        s = q @ k.transpose(0, 2, 1) / np.sqrt(d)
        e = np.exp(s - s.max(-1, keepdims=True))
        context = ((e / e.sum(-1, keepdims=True)) @ v).transpose(1, 0, 2).reshape(n, hidden)
        x = self.norm(x + self.linear(context, p + "attention.output.dense"), p + "attention.output.LayerNorm")
        return self.norm(x + self.linear(gelu(self.linear(x, p + "intermediate.dense")), p + "output.dense"),
                         p + "output.LayerNorm")

    def keep_logits(self, x, l):
        """[n, 2] (skim, keep), or None for a layer without a predictor."""
        p = f"bert.encoder.layer.{l}.skim_predictor."
        if p + "1.weight" not in self.w:
            return None
        y = self.norm(self.linear(self.norm(x, p + "0", 1e-5), p + "1"), p + "2", 1e-5)
        return self.linear(gelu(y), p + "4")

    def classify(self, first):
        return self.linear(np.tanh(self.linear(first, "bert.pooler.dense")), "classifier")


def kind(position, token):
    if position == 0:
        return "[CLS]"
    if token == "[SEP]":
        return "[SEP]"
    if token in PUNCTUATION:
        return "punctuation"
    return "function word" if token in FUNCTION_WORDS else "other"


def main():
    folder, data = sys.argv[1], sys.argv[2]
    bias = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    model = Model(folder)
    tokenizer = BertTokenizerFast.from_pretrained(folder)
    rows = list(csv.DictReader(open(data, encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
    L = model.layers
    by_length = np.zeros((len(LENGTHS), L)); length_tokens = np.zeros(len(LENGTHS))
    kept_kind = {k: np.zeros(L) for k in KINDS}; seen_kind = {k: np.zeros(L) for k in KINDS}
    correct = 0
    for row in rows:
        ids = tokenizer(row["sentence"], truncation=True, max_length=128)["input_ids"]
        kinds = [kind(i, t) for i, t in enumerate(tokenizer.convert_ids_to_tokens(ids))]
        bucket = next(b for b, (lo, hi) in enumerate(LENGTHS) if lo <= len(ids) <= hi)
        length_tokens[bucket] += len(ids)
        x = model.embed(ids)
        alive = np.arange(len(ids))
        for l in range(L):
            logits = model.keep_logits(x, l)
            keep = np.ones(len(alive), bool) if logits is None else logits[:, 1] + bias > logits[:, 0]
            keep[alive == 0] = True
            for j, position in enumerate(alive):
                seen_kind[kinds[position]][l] += 1
                kept_kind[kinds[position]][l] += keep[j]
            by_length[bucket, l] += keep.sum()
            alive, x = alive[keep], model.layer(x[keep], l)
        correct += int(np.argmax(model.classify(x[0])) == int(row["label"]))
    print(f"{data}: {len(rows)} examples, accuracy {100 * correct / len(rows):.2f} at keep bias {bias:+g}")
    print("kept fraction per layer, of all real tokens, by sentence length (tokens):")
    for b, (lo, hi) in enumerate(LENGTHS):
        fractions = " ".join(f"{v:.3f}" for v in by_length[b] / max(length_tokens[b], 1))
        print(f"  {lo:>3}-{hi:<3} {int(length_tokens[b]):>6} tokens  {fractions}")
    print("kept fraction per layer, of the tokens of each kind that reached the layer:")
    for k in KINDS:
        fractions = " ".join(f"{v:.3f}" for v in kept_kind[k] / np.maximum(seen_kind[k], 1))
        print(f"  {k:<14} {int(seen_kind[k][0]):>6} tokens  {fractions}")


if __name__ == "__main__":
    main()
