#!/usr/bin/env bash
# Usage: scripts/moto-venv.sh
# Prints the path of a Python virtualenv with moto's server (`moto_server`, a local AWS) installed from
# requirements/moto.txt, for the AWS IAM sign-in tests (harness/moto.ts). A sibling of airflow-venv.sh, which
# checks for Airflow: the venv is cached by the sha256 of the requirements file under
#   ${CONDUCTOR_CACHE_DIR:-$HOME/.cache/airflow-conductor}/moto-venv-<first 16 hex of the hash>
# and built only when missing or half-made (the marker file is written after a successful install).
# Set CONDUCTOR_PYTHON to pick another interpreter than python3 (3.9 or newer).
# Progress goes to stderr; the venv path is the last line on stdout.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="$root/requirements/moto.txt"
cache_dir="${CONDUCTOR_CACHE_DIR:-$HOME/.cache/airflow-conductor}"
if command -v sha256sum >/dev/null 2>&1; then
  hash="$(sha256sum "$requirements" | cut -c1-16)"
else
  hash="$(shasum -a 256 "$requirements" | cut -c1-16)"
fi
venv="$cache_dir/moto-venv-$hash"
marker="$venv/.conductor-installed"

if [ -f "$marker" ] && [ -x "$venv/bin/moto_server" ]; then
  echo "$venv"
  exit 0
fi

python="${CONDUCTOR_PYTHON:-python3}"
if ! "$python" -c "import sys; sys.exit(0 if sys.version_info[:2] >= (3, 9) else 1)" 2>/dev/null; then
  echo "moto-venv: moto needs Python 3.9 or newer; set CONDUCTOR_PYTHON" >&2
  exit 1
fi

mkdir -p "$cache_dir"
# One builder at a time: parallel test runs would otherwise install into the same folder.
exec 9>"$cache_dir/.moto-venv-$hash.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [ -f "$marker" ] && [ -x "$venv/bin/moto_server" ]; then
  echo "$venv"
  exit 0
fi

echo "moto-venv: building $venv (a minute, once)" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --no-input -q -r "$requirements" >&2
"$venv/bin/python" -c "import moto.server" >/dev/null
date -u +%Y-%m-%dT%H:%M:%SZ >"$marker"
echo "$venv"
