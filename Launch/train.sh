#!/usr/bin/env bash
# The main job: Transkimmer fine-tuning of the real all-MiniLM-L6-v2 on SST-2 with 2 MPI ranks (a
# short schedule, Configs/sst2-transkimmer-minilm-quick.yaml), then the report of the skimming
# model on the whole SST-2 dev set: accuracy, kept tokens per layer, FLOPs and measured wall-clock
# speedup of inference with the skimmed tokens removed. Run `bash Launch/setup.sh` once before.
# Extra arguments go to `skim train` (e.g. --set skim.target_keep=0.5).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
config=Configs/sst2-transkimmer-minilm-quick.yaml
output=$(sed -n 's/^output_dir: //p' "$config")
# The demo starts afresh each time (a finished run would otherwise be resumed, and refused once
# the config has changed). Real runs resume: see docs/training.md.
if [ -d "$output" ]; then
    echo "== removing the previous main-job run in $output"
    rm -rf "$output"
fi
bash Launch/mpirun.sh -np 2 train -c "$config" "$@"
latest=$(ls -d "$output"/step-* | sort | tail -1)
echo "== report of $latest"
bash Launch/mpirun.sh -np 2 eval --checkpoint "$latest"
