"""Demo DAG: exports the payments ledger to finance. Tagged `sensitive`: each run waits for a data lead's approval."""

from __future__ import annotations

from datetime import datetime

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow.models.dag import DAG
    from airflow.operators.bash import BashOperator
    from airflow.operators.python import PythonOperator


def _export(**context):
    conf = context["dag_run"].conf or {}
    print(f"exporting payments for {conf.get('month', 'the last month')} to {conf.get('target', 'finance')}")


with DAG(
    dag_id="payments_export",
    description="Export the payments ledger to finance (sensitive: needs a data lead's approval)",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    # Not team:data-eng: data-eng-operate would then allow it at once, without approval.
    tags=["sensitive", "team:finance"],
    default_args={"owner": "finance", "retries": 0},
) as dag:
    snapshot = BashOperator(task_id="snapshot", bash_command="echo snapshotting the ledger")
    export = PythonOperator(task_id="export", python_callable=_export)
    snapshot >> export
