#!/usr/bin/env bash
# Re-resolve inkread's dependencies without constraints.txt and write the versions pip picked to it.
# Run it (`make lock`) to take newer releases on purpose, then run `make test` against them.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null || { echo "error: $python not found. Fix: install Python 3.11 or run make lock PYTHON=python3" >&2; exit 2; }
work="$(mktemp -d)"
# Write beside the target, then rename, so an interrupted run leaves the old file whole.
tmp="constraints.txt.tmp"
trap 'rm -rf "$work" "$tmp"' EXIT

"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --upgrade pip
"$work/venv/bin/python" -m pip install -q -e '.[dev,peers]'

{
    echo "# Exact versions of every package inkread installs, as \`make lock\` last resolved and \`make test\` passed."
    echo "# \`make\` installs with \`pip install -c constraints.txt\`; pyproject.toml keeps the ranges inkread supports."
    echo "# torch is pinned without its local tag (+cpu) so that pip may take the CPU build from local disk."
    "$work/venv/bin/python" -m pip freeze --all --exclude-editable \
        | sed -E 's/^(torch==[^+]+)\+.*$/\1/'
} > "$tmp"
mv "$tmp" constraints.txt
echo "wrote constraints.txt ($(grep -c '==' constraints.txt) pins); now run: make clean test"
