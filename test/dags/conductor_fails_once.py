"""Test DAG: the `flaky` task fails on its first try of each run and succeeds when cleared.

A marker file keyed by the run id under AIRFLOW_HOME (else the temp folder) remembers the first try, so the
behaviour holds whether the task is rerun by a clear (try_number 2) or not.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow.models.dag import DAG
    from airflow.operators.bash import BashOperator
    from airflow.operators.python import PythonOperator


def _flaky(**context):
    run_id = context["dag_run"].run_id
    folder = os.path.join(os.environ.get("AIRFLOW_HOME") or tempfile.gettempdir(), "conductor-fails-once")
    os.makedirs(folder, exist_ok=True)
    marker = os.path.join(folder, hashlib.sha256(run_id.encode()).hexdigest())
    if not os.path.exists(marker):
        with open(marker, "w") as f:
            f.write(run_id)
        print(f"first try of run {run_id}: failing on purpose")
        raise RuntimeError("conductor_fails_once: failing the first try on purpose")
    print(f"run {run_id} tried before: succeeding now")


with DAG(
    dag_id="conductor_fails_once",
    description="Fails on the first try of each run; succeeds once cleared",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["team:qa", "test"],
    default_args={"owner": "qa", "retries": 0},
) as dag:
    start = BashOperator(task_id="start", bash_command="echo starting")
    flaky = PythonOperator(task_id="flaky", python_callable=_flaky)
    start >> flaky
