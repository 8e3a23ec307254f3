#!/usr/bin/env bash
# Usage: scripts/moto-venv.sh
# Prints the path of a Python virtualenv with moto's server (`moto_server`, a local AWS: IAM, STS, Secrets Manager)
# installed from requirements/moto.txt, for the AWS tests (harness/moto.ts). Built and cached by
# scripts/python-venv.sh (as moto-venv-<hash>); set CONDUCTOR_PYTHON to pick another interpreter than python3 (3.9 or newer).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$root/scripts/python-venv.sh" moto "$root/requirements/moto.txt" moto_server "python -c 'import moto.server'" 9
