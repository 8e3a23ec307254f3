#!/usr/bin/env bash
# Prints the path of a Python virtualenv with Airflow 3 installed from requirements/airflow.txt.
# The venv is cached by the sha256 of that file under
#   ${CONDUCTOR_CACHE_DIR:-$HOME/.cache/airflow-conductor}/airflow-venv-<first 16 hex of the hash>
# and built only when missing or half-made (the marker file is written after a successful install).
# Uses python3 (3.10–3.13); set CONDUCTOR_PYTHON to pick another interpreter.
# Progress goes to stderr; the venv path is the last line on stdout.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="$root/requirements/airflow.txt"
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
if ! "$python" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 1)'; then
  echo "airflow-venv: Airflow needs Python 3.10–3.13, $python is $("$python" -V 2>&1)" >&2
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
