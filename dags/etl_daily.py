"""Demo DAG: a small daily extract -> transform -> load owned by the data engineering team."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow.models.dag import DAG
    from airflow.operators.bash import BashOperator
    from airflow.operators.python import PythonOperator


def _transform(**context):
    conf = context["dag_run"].conf or {}
    rows = int(conf.get("rows", 3))
    print(json.dumps({"rows": rows, "conf": conf}, sort_keys=True))
    return rows


with DAG(
    dag_id="etl_daily",
    description="Extract, transform and load the daily sales figures",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["team:data-eng"],
    # One quick retry: the run scheduled at start-up may race a freshly started Airflow.
    default_args={"owner": "data-eng", "retries": 1, "retry_delay": timedelta(seconds=5)},
) as dag:
    extract = BashOperator(task_id="extract", bash_command="echo extracting $AIRFLOW_CTX_DAG_RUN_ID")
    transform = PythonOperator(task_id="transform", python_callable=_transform)
    load = BashOperator(task_id="load", bash_command="echo loading done")
    extract >> transform >> load
