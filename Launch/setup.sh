#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine: system libraries, the real pretrained MiniLM-L6 model,
# and a release build of `skim`. Safe to run again: every step is skipped when already done.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

need_apt=0
for pkg in libopenmpi-dev openmpi-bin libopenblas-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt=1
done
if [ "$need_apt" = 1 ]; then
    echo "setup: installing Open MPI and OpenBLAS (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenmpi-dev openmpi-bin libopenblas-dev >/dev/null
fi

bash Launch/fetch-model.sh

if [ "${SKIM_SKIP_BUILD:-0}" != 1 ]; then
    echo "setup: building skim (release)"
    swift build -c release --product skim
    if [ ! -f .mpi-tuning.env ]; then
        echo "setup: measuring Open MPI's shared-memory copy mechanisms (Launch/tune-mpi.sh)"
        bash Launch/tune-mpi.sh || echo "setup: MPI tuning failed; Launch/mpirun.sh uses its default" >&2
    fi
fi
