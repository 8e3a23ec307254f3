#!/usr/bin/env bash
# Usage: scripts/test-airflow-integration.sh [PYTEST_ARGS...]
# Runs the Conductor auth manager's tests (integrations/airflow/tests) with the pinned Airflow 3's Python
# (scripts/airflow-venv.sh), against a stub and a real Conductor. Leaves the cached Airflow venv untouched:
# pytest (and wheel, to build the package) go into their own folder beside it (installed once, reused), and the package is checked to install
# with pip (into a temporary folder) before the tests import it from source. The official Airflow client
# (apache-airflow-client, for the tests of Airflow's REST API through Conductor) goes into a third folder, without
# its dependencies: the Airflow venv already has them (pydantic, urllib3, python-dateutil), and their copies must not
# shadow Airflow's own.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pytest_version="9.2.0"
wheel_version="0.48.0"
venv="$(bash "$root/scripts/airflow-venv.sh" | tail -n 1)"
deps="${CONDUCTOR_CACHE_DIR:-$HOME/.cache/airflow-conductor}/airflow-plugin-test-deps-pytest-$pytest_version-wheel-$wheel_version-$(basename "$venv")"
if [ ! -f "$deps/.installed" ]; then
  echo "test-airflow-integration: installing pytest $pytest_version and wheel $wheel_version into $deps" >&2
  rm -rf "$deps"
  "$venv/bin/pip" install -q --disable-pip-version-check --target "$deps" "pytest==$pytest_version" "wheel==$wheel_version" >&2
  touch "$deps/.installed"
fi

client_version="3.3.2"
client="${CONDUCTOR_CACHE_DIR:-$HOME/.cache/airflow-conductor}/airflow-plugin-test-client-$client_version-$(basename "$venv")"
if [ ! -f "$client/.installed" ]; then
  echo "test-airflow-integration: installing apache-airflow-client $client_version into $client" >&2
  rm -rf "$client"
  "$venv/bin/pip" install -q --disable-pip-version-check --no-deps --target "$client" "apache-airflow-client==$client_version" >&2
  touch "$client/.installed"
fi

package="$root/integrations/airflow"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# The build runs on the venv's setuptools with wheel from $deps, so checking that it installs needs no network.
# It builds from a copy, so no build/ or *.egg-info is left in the repository.
cp -R "$package" "$scratch/package"
PYTHONPATH="$deps" "$venv/bin/pip" install -q --disable-pip-version-check --no-deps --no-build-isolation --target "$scratch/site" "$scratch/package" >&2
PYTHONPYCACHEPREFIX="$scratch/pycache" "$venv/bin/python" -m compileall -q "$package/src" "$package/tests" >&2

cd "$package"
set +e
PYTHONPATH="$deps:$client:$package/src:$package/tests" PYTHONPYCACHEPREFIX="$scratch/pycache" AIRFLOW_HOME="$scratch/airflow-home" \
  "$venv/bin/python" -m pytest -p no:cacheprovider "$@"
code=$?
set -e
# 5 is pytest's "no tests collected": that is a failure here, there are tests to run.
exit "$code"
