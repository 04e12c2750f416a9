#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what is missing, then runs every test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
SKIM_SKIP_BUILD=1 bash Launch/setup.sh
swift build -c release --product skim
swift test 2>&1 | tee /tmp/skim-test.log
