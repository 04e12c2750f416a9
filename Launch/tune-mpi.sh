#!/usr/bin/env bash
# Measures which shared-memory copy mechanism gives this machine the faster gradient allreduce and
# records it for Launch/mpirun.sh.
#
#   bash Launch/tune-mpi.sh            (Launch/setup.sh runs it once; run it again on a new machine)
#
# Open MPI's shared-memory transport (vader) moves large messages either through a shared buffer
# (two copies, `none`) or directly from the other process's memory (`cma`, one copy). Which is
# faster depends on the VM: TOOLCHAIN.md measured `none` 3× faster on its machine, while on the
# AMD EPYC VM of 2026-12-03 `cma` halved the 64 MiB reducer time (docs/distributed.md). For each
# mechanism, this runs `skim distributed-check --benchmark` on 2 ranks through Launch/mpirun.sh
# (so with every other flag it passes) and reads the median time of a 64 MiB gradient reduced in
# 8 MiB buckets (the trainer's path); a mechanism whose job fails is skipped. The faster one is
# written to .mpi-tuning.env (git-ignored; SKIM_MPI_TUNING_FILE names another file), with the
# timings, as SKIM_MPI_SINGLE_COPY=<mechanism>. An explicit SKIM_MPI_SINGLE_COPY in the
# environment still wins.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
binary="${SKIM_BINARY:-$root/.build/release/skim}"
output="${SKIM_MPI_TUNING_FILE:-$root/.mpi-tuning.env}"
if [ ! -x "$binary" ]; then
    echo "tune-mpi.sh: no skim binary at $binary: build it first (swift build -c release --product skim)" >&2
    exit 1
fi
export SKIM_BINARY="$binary"

# Whether the time $1 (ms) is below $2.
faster() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

best=""
best_ms=""
report=""
for mechanism in none cma; do
    # Three rounds; the fastest of the three medians counts, so one disturbed round does not decide.
    fastest=""
    for round in 1 2 3; do
        if ! log="$(SKIM_MPI_SINGLE_COPY="$mechanism" timeout 120 bash "$root/Launch/mpirun.sh" -np 2 \
                      distributed-check --benchmark --sizes 64 --iterations 10 2>&1)"; then
            echo "tune-mpi.sh: single-copy mechanism '$mechanism' failed on this machine; skipped" >&2
            fastest=""
            break
        fi
        ms="$(printf '%s\n' "$log" | awk '$1 == "64.00" && /reducer, blocking/ { print $(NF-1); exit }')"
        if [ -z "$ms" ]; then
            echo "tune-mpi.sh: no 64 MiB reducer timing in the benchmark output for '$mechanism'" >&2
            fastest=""
            break
        fi
        if [ -z "$fastest" ] || faster "$ms" "$fastest"; then
            fastest="$ms"
        fi
    done
    [ -z "$fastest" ] && continue
    report+="#   $mechanism: $fastest ms"$'\n'
    echo "tune-mpi.sh: single-copy mechanism $mechanism: 64 MiB gradient in $fastest ms"
    if [ -z "$best" ] || faster "$fastest" "$best_ms"; then
        best="$mechanism"
        best_ms="$fastest"
    fi
done

if [ -z "$best" ]; then
    echo "tune-mpi.sh: no mechanism ran; Launch/mpirun.sh keeps its default (none)" >&2
    exit 1
fi
temporary="$output.tmp.$$"
{
    echo "# Written by Launch/tune-mpi.sh on $(date -u +%Y-%m-%dT%H:%MZ) ($(hostname)): 64 MiB gradient,"
    echo "# 2 ranks, 8 MiB buckets, fastest of three medians of 10:"
    printf '%s' "$report"
    echo "SKIM_MPI_SINGLE_COPY=$best"
} > "$temporary"
mv "$temporary" "$output"
echo "tune-mpi.sh: Launch/mpirun.sh will use single-copy mechanism '$best' (written to $output)"
