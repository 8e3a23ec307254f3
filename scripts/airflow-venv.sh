#!/usr/bin/env bash
# Usage: scripts/airflow-venv.sh [REQUIREMENTS_FILE]
# Prints the path of a Python virtualenv with Airflow installed from REQUIREMENTS_FILE, by default
# requirements/airflow.txt (Airflow 3); requirements/airflow2.txt gives the Airflow 2 tier's venv.
# The venv is cached by the sha256 of that file under
#   ${CONDUCTOR_CACHE_DIR:-$HOME/.cache/airflow-conductor}/airflow-venv-<first 16 hex of the hash>
# and built only when missing or half-made (the marker file is written after a successful install).
# Uses python3 (3.10–3.13, or the range of a `# python: 3.X-3.Y` line in the requirements file);
# set CONDUCTOR_PYTHON to pick another interpreter.
# Progress goes to stderr; the venv path is the last line on stdout.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="${1:-$root/requirements/airflow.txt}"
if [ $# -gt 0 ] && [ ! -f "$requirements" ]; then
  echo "airflow-venv: no requirements file $requirements" >&2
  exit 1
fi
cache_dir="${CONDUCTOR_CACHE_DIR:-$HOME/.cache/airflow-conductor}"

if command -v sha256sum >/dev/null 2>&1; then
  hash="$(sha256sum "$requirements" | cut -c1-16)"
else
  hash="$(shasum -a 256 "$requirements" | cut -c1-16)"
fi
venv="$cache_dir/airflow-venv-$hash"
marker="$venv/.conductor-installed"

if [ -f "$marker" ] && [ -x "$venv/bin/airflow" ]; then
  echo "$venv"
  exit 0
fi

python="${CONDUCTOR_PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "airflow-venv: $python not found; install Python 3.10–3.13 or set CONDUCTOR_PYTHON" >&2
  exit 1
fi
min_minor=10
max_minor=13
range_line="$(grep -E '^# python: 3\.[0-9]+-3\.[0-9]+[[:space:]]*$' "$requirements" | head -n 1 || true)"
if [ -n "$range_line" ]; then
  min_minor="$(echo "$range_line" | sed -E 's/^# python: 3\.([0-9]+)-3\.([0-9]+).*/\1/')"
  max_minor="$(echo "$range_line" | sed -E 's/^# python: 3\.([0-9]+)-3\.([0-9]+).*/\2/')"
fi
if ! "$python" -c "import sys; sys.exit(0 if (3, $min_minor) <= sys.version_info[:2] <= (3, $max_minor) else 1)"; then
  echo "airflow-venv: Airflow needs Python 3.$min_minor–3.$max_minor, $python is $("$python" -V 2>&1)" >&2
  exit 1
fi

mkdir -p "$cache_dir"
# One builder at a time: parallel test runs would otherwise install into the same folder.
lock="$cache_dir/.airflow-venv-$hash.lock"
exec 9>"$lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

if [ -f "$marker" ] && [ -x "$venv/bin/airflow" ]; then
  echo "$venv"
  exit 0
fi

echo "airflow-venv: building $venv (a few minutes, once)" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --no-input -q -r "$requirements" >&2
"$venv/bin/airflow" version >/dev/null
date -u +%Y-%m-%dT%H:%M:%SZ >"$marker"
echo "$venv"
