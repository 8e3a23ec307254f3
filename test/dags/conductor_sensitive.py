"""Test DAG tagged `sensitive`: policy makes every trigger wait for a data lead's approval."""

from __future__ import annotations

from datetime import datetime, timedelta

try:  # Airflow 3
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow.models.dag import DAG
    from airflow.operators.python import PythonOperator


def _export(**context):
    conf = context["dag_run"].conf or {}
    print(f"exporting table={conf.get('table', 'payments')}")


# Not tagged team:qa on purpose: the test-only qa policy would allow it without approval.
with DAG(
    dag_id="conductor_sensitive",
    description="Exports a sensitive table; each run waits for an approval",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["sensitive", "test"],
    # One quick retry: on a busy machine a freshly started Airflow may fail a task it could not start in time.
    default_args={"owner": "qa", "retries": 1, "retry_delay": timedelta(seconds=5)},
) as dag:
    PythonOperator(task_id="export", python_callable=_export)
