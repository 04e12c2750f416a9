#!/usr/bin/env python3
"""Uniform average of the weights of several checkpoints of one `skim train` run, for `skim eval`.

    # keep the checkpoints to average: one every 250 steps, the last twelve
    Launch/mpirun.sh -np 2 train -c Configs/sst2-transkimmer-minilm-distilled.yaml \\
        --set save_every=250 --set keep_last=12 --set output_dir=Checkpoints/tk
    # average the last five (steps 3250-4208), then evaluate (or `skim calibrate`) the average
    python3 Launch/average-checkpoints.py --output Checkpoints/tk-avg5 \\
        Checkpoints/tk/step-00003250 Checkpoints/tk/step-00003500 Checkpoints/tk/step-00003750 \\
        Checkpoints/tk/step-00004000 Checkpoints/tk/step-00004208
    .build/release/skim eval --checkpoint Checkpoints/tk-avg5/step-00004208

Every checkpoint's manifest is verified first, and all must come from the same run configuration
(`config_hash` in trainer_state.json) with the same tensors. The output is
`<output>/step-<newest step>`: the newest checkpoint's files with model.safetensors replaced by
the average (computed in float64) and without optimizer.safetensors, so it can be evaluated,
calibrated and loaded by `transformers`, but not resumed. It is written to a temporary directory
and renamed into place. Needs numpy and safetensors (pip). Results: docs/results.md.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys

import numpy as np
from safetensors.numpy import load_file, save_file


def fail(message):
    sys.exit(f"average-checkpoints: {message}")


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verified_manifest(directory):
    """The checkpoint's manifest, after checking every listed file's size and SHA-256."""
    path = os.path.join(directory, "manifest.json")
    if not os.path.isfile(path):
        fail(f"{path}: missing (not a complete skim checkpoint)")
    manifest = json.load(open(path))
    for name, entry in manifest["files"].items():
        file = os.path.join(directory, name)
        if not os.path.isfile(file) or os.path.getsize(file) != entry["bytes"] or sha256(file) != entry["sha256"]:
            fail(f"{file}: does not match {path} (truncated or corrupted)")
    return manifest


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, help="run directory to write step-<newest step> into")
    parser.add_argument("checkpoints", nargs="+", help="checkpoint directories (…/step-00004208) of one run")
    args = parser.parse_args()

    manifests = [verified_manifest(c) for c in args.checkpoints]
    newest = max(range(len(args.checkpoints)), key=lambda i: manifests[i]["step"])
    hashes = {json.load(open(os.path.join(c, "trainer_state.json")))["config_hash"] for c in args.checkpoints}
    if len(hashes) != 1:
        fail(f"the checkpoints come from different run configurations (config_hash {sorted(hashes)})")

    first = load_file(os.path.join(args.checkpoints[0], "model.safetensors"))
    total = {name: value.astype(np.float64) for name, value in first.items()}
    for checkpoint in args.checkpoints[1:]:
        tensors = load_file(os.path.join(checkpoint, "model.safetensors"))
        if tensors.keys() != total.keys() or any(tensors[n].shape != total[n].shape for n in total):
            fail(f"{checkpoint}/model.safetensors: other tensor names or shapes than {args.checkpoints[0]}")
        for name, value in tensors.items():
            total[name] += value
    average = {name: (value / len(args.checkpoints)).astype(first[name].dtype) for name, value in total.items()}

    source = args.checkpoints[newest]
    target = os.path.join(args.output, os.path.basename(os.path.normpath(source)))
    if os.path.exists(target):
        fail(f"{target}: already exists")
    temporary = target + ".tmp-average"
    shutil.rmtree(temporary, ignore_errors=True)
    os.makedirs(args.output, exist_ok=True)
    shutil.copytree(source, temporary)
    optimizer = os.path.join(temporary, "optimizer.safetensors")
    if os.path.exists(optimizer):
        os.remove(optimizer)
    save_file(average, os.path.join(temporary, "model.safetensors"), metadata={"format": "pt"})
    # The other copied files are byte for byte the ones the source manifest verified.
    manifest = manifests[newest]
    manifest["files"].pop("optimizer.safetensors", None)
    model = os.path.join(temporary, "model.safetensors")
    manifest["files"]["model.safetensors"] = {"bytes": os.path.getsize(model), "sha256": sha256(model)}
    with open(os.path.join(temporary, "manifest.json"), "w") as file:
        json.dump(manifest, file, indent=2, sort_keys=True)
    os.rename(temporary, target)
    print(f"{target}: average of {len(args.checkpoints)} checkpoints (steps "
          + ", ".join(str(m["step"]) for m in manifests) + ")")


if __name__ == "__main__":
    main()
