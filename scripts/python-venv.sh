#!/usr/bin/env bash
# Usage: scripts/python-venv.sh NAME REQUIREMENTS_FILE EXECUTABLE VERIFY MIN_MINOR [MAX_MINOR]
# The one builder behind airflow-venv.sh, moto-venv.sh and openbao-venv.sh: prints the path of a Python virtualenv
# with REQUIREMENTS_FILE installed, cached by the sha256 of that file under
#   ${CONDUCTOR_CACHE_DIR:-$HOME/.cache/airflow-conductor}/NAME-venv-<first 16 hex of the hash>
# and built only when missing or half-made (the marker file is written after a successful install, once the
# VERIFY command line, run with the venv's bin first on PATH, succeeds; bin/EXECUTABLE must exist). Needs python3 (3.MIN_MINOR up to 3.MAX_MINOR, or the range of a `# python: 3.X-3.Y` line
# in the requirements file); set CONDUCTOR_PYTHON to pick another interpreter.
# Progress goes to stderr; the venv path is the last line on stdout.
set -euo pipefail

name="$1"
requirements="$2"
executable="$3"
verify="$4"
min_minor="$5"
max_minor="${6:-99}"
if [ ! -f "$requirements" ]; then
  echo "$name-venv: no requirements file $requirements" >&2
  exit 1
fi
cache_dir="${CONDUCTOR_CACHE_DIR:-$HOME/.cache/airflow-conductor}"
if command -v sha256sum >/dev/null 2>&1; then
  hash="$(sha256sum "$requirements" | cut -c1-16)"
else
  hash="$(shasum -a 256 "$requirements" | cut -c1-16)"
fi
venv="$cache_dir/$name-venv-$hash"
marker="$venv/.conductor-installed"

if [ -f "$marker" ] && [ -x "$venv/bin/$executable" ]; then
  echo "$venv"
  exit 0
fi

python="${CONDUCTOR_PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "$name-venv: $python not found; install Python 3.$min_minor or newer or set CONDUCTOR_PYTHON" >&2
  exit 1
fi
range_line="$(grep -E '^# python: 3\.[0-9]+-3\.[0-9]+[[:space:]]*$' "$requirements" | head -n 1 || true)"
if [ -n "$range_line" ]; then
  min_minor="$(echo "$range_line" | sed -E 's/^# python: 3\.([0-9]+)-3\.([0-9]+).*/\1/')"
  max_minor="$(echo "$range_line" | sed -E 's/^# python: 3\.([0-9]+)-3\.([0-9]+).*/\2/')"
fi
if ! "$python" -c "import sys; sys.exit(0 if (3, $min_minor) <= sys.version_info[:2] <= (3, $max_minor) else 1)"; then
  echo "$name-venv: needs Python 3.$min_minor$([ "$max_minor" = 99 ] && echo ' or newer' || echo "–3.$max_minor"), $python is $("$python" -V 2>&1); set CONDUCTOR_PYTHON" >&2
  exit 1
fi

mkdir -p "$cache_dir"
# One builder at a time: parallel test runs would otherwise install into the same folder.
exec 9>"$cache_dir/.$name-venv-$hash.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [ -f "$marker" ] && [ -x "$venv/bin/$executable" ]; then
  echo "$venv"
  exit 0
fi

echo "$name-venv: building $venv (once)" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --no-input -q -r "$requirements" >&2
PATH="$venv/bin:$PATH" bash -c "$verify" >/dev/null
date -u +%Y-%m-%dT%H:%M:%SZ >"$marker"
echo "$venv"
