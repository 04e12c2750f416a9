#!/usr/bin/env bash
# Runs the release `skim` on N ranks with the right Open MPI flags.
#
#   Launch/mpirun.sh -np 2 train -c Configs/sst2-dense-minilm.yaml
#   Launch/mpirun.sh -np 8 --hostfile hosts.txt train -c …      (a cluster: one line per node, "node1 slots=4")
#
# One machine: shared-memory transport only and out-of-band traffic on loopback. The shared-memory
# copy mechanism is the one Launch/tune-mpi.sh measured faster on this machine (.mpi-tuning.env,
# written by Launch/setup.sh; SKIM_MPI_TUNING_FILE names another), else `none` (TOOLCHAIN.md);
# SKIM_MPI_SINGLE_COPY=none|cma overrides both. Each rank is bound to one core and OpenBLAS then
# uses one thread per rank. With a hostfile, TCP between nodes is added and the loopback
# restriction dropped (set SKIM_MPI_IF=eth0 to pin the interface). More ranks than cores need
# SKIM_MPI_EXTRA=--oversubscribe. Running as root (containers) is allowed explicitly.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
binary="${SKIM_BINARY:-$root/.build/release/skim}"
if [ ! -x "$binary" ]; then
    echo "mpirun.sh: no skim binary at $binary: run 'bash Launch/setup.sh' first" >&2
    exit 1
fi

ranks=1
hostfile=""
while [ $# -gt 0 ]; do
    case "$1" in
        -np|-n) ranks="$2"; shift 2 ;;
        --hostfile) hostfile="$2"; shift 2 ;;
        *) break ;;
    esac
done

tuning="${SKIM_MPI_TUNING_FILE:-$root/.mpi-tuning.env}"
single_copy="${SKIM_MPI_SINGLE_COPY:-}"
chosen_by="SKIM_MPI_SINGLE_COPY"
if [ -z "$single_copy" ] && [ -f "$tuning" ]; then
    single_copy="$(sed -n 's/^SKIM_MPI_SINGLE_COPY=//p' "$tuning" | tail -1)"
    chosen_by="SKIM_MPI_SINGLE_COPY in $tuning"
fi
case "${single_copy:=none}" in
    none|cma) ;;
    *) echo "mpirun.sh: $chosen_by is '$single_copy'; expected none or cma" >&2; exit 1 ;;
esac

flags=(-np "$ranks" --mca btl_vader_single_copy_mechanism "$single_copy")
if [ -n "$hostfile" ]; then
    flags+=(--hostfile "$hostfile" --mca btl self,vader,tcp)
    [ -n "${SKIM_MPI_IF:-}" ] && flags+=(--mca btl_tcp_if_include "$SKIM_MPI_IF" --mca oob_tcp_if_include "$SKIM_MPI_IF")
else
    flags+=(--mca btl self,vader --mca oob_tcp_if_include lo)
fi
# shellcheck disable=SC2206
[ -n "${SKIM_MPI_EXTRA:-}" ] && flags+=($SKIM_MPI_EXTRA)
if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
cd "$root"
exec mpirun "${flags[@]}" "$binary" "$@"
