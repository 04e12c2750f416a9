#!/usr/bin/env bash
# The accuracy-versus-speedup table of one trained Transkimmer model: `skim eval` at each keep
# bias (skim.inference_keep_bias, added to every keep logit at inference), then one Markdown row
# per bias from the reports appended to eval.jsonl beside the checkpoint.
#
#   Launch/keep-bias-sweep.sh Checkpoints/<run>/step-00004208 -0.02 0 0.02 0.05 0.1
#
# SKIM_RANKS sets the number of MPI ranks (default 2). Extra `skim eval` settings: SKIM_EVAL_SET
# (e.g. "eval_limit=200").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 2 ]; then
    echo "usage: $0 <checkpoint dir> <bias> [<bias> …]" >&2
    exit 2
fi
checkpoint="$1"; shift
log="$(dirname "$checkpoint")/eval.jsonl"
before=$( [ -f "$log" ] && wc -l < "$log" || echo 0 )
extra=()
[ -n "${SKIM_EVAL_SET:-}" ] && extra=(--set "$SKIM_EVAL_SET")
for bias in "$@"; do
    echo "== keep bias $bias" >&2
    bash "$root/Launch/mpirun.sh" -np "${SKIM_RANKS:-2}" eval --checkpoint "$checkpoint" \
        --set "skim.inference_keep_bias=$bias" "${extra[@]}" >&2
done
python3 - "$log" "$before" <<'PY'
import json, sys
path, skip = sys.argv[1], int(sys.argv[2])
rows = [json.loads(line) for line in open(path).read().splitlines()[skip:] if line.strip()]
rows = [r for r in rows if r.get("event") == "eval_report"]
if not rows:
    sys.exit("no eval reports were appended to " + path)
metrics = [k for k in ("accuracy", "f1", "matthews", "pearson", "spearman") if k in rows[0]]
print("| keep bias | " + " | ".join(metrics) + " | mean kept | FLOPs speedup | wall-clock speedup |")
print("|---:|" + "---:|" * (len(metrics) + 3))
for r in rows:
    kept = sum(r["kept"]) / len(r["kept"])
    values = " | ".join("%.4f" % r[m] for m in metrics)
    print("| %+g | %s | %.3f | %.2f× | %.2f× |" % (r.get("keep_bias", 0), values, kept, r["flops_speedup"],
                                                   r["wall_clock_speedup"]))
PY
