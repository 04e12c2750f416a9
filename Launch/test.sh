#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what is missing, then runs every test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
SKIM_SKIP_BUILD=1 bash Launch/setup.sh
swift build -c release --product skim
# The test binaries cannot re-execute themselves onto AVX-512 kernels as `skim` does
# (Sources/skim/FastKernels.swift), so pick them here when the CPU has what they need.
if [ -z "${SKIM_KEEP_OPENBLAS_CORETYPE:-}" ] && [ "$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' \
        | grep -cxE 'avx512(f|cd|bw|dq|vl)')" -eq 5 ]; then
    export OPENBLAS_CORETYPE=SkylakeX
fi
swift test 2>&1 | tee /tmp/skim-test.log
