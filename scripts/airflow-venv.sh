#!/usr/bin/env bash
# Usage: scripts/airflow-venv.sh [REQUIREMENTS_FILE]
# Prints the path of a Python virtualenv with Airflow installed from REQUIREMENTS_FILE, by default
# requirements/airflow.txt (Airflow 3); requirements/airflow2.txt gives the Airflow 2 tier's venv.
# Built and cached by scripts/python-venv.sh (as airflow-venv-<hash>), with python3 (3.10–3.13, or the range of a
# `# python: 3.X-3.Y` line in the requirements file); set CONDUCTOR_PYTHON to pick another interpreter.
# Progress goes to stderr; the venv path is the last line on stdout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$root/scripts/python-venv.sh" airflow "${1:-$root/requirements/airflow.txt}" airflow "airflow version" 10 13
