"""Demo DAG: a small daily extract -> transform -> load owned by the data engineering team.

Its tasks declare what they read and write (inlets and outlets), which Airflow's OpenLineage provider reports, so the
run's lineage in Conductor shows the datasets with the person who started the run (docs/lineage.md).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.sdk import DAG, Asset
except ImportError:  # Airflow 2
    from airflow.datasets import Dataset as Asset
    from airflow.models.dag import DAG
    from airflow.operators.bash import BashOperator
    from airflow.operators.python import PythonOperator


# What the tasks read and write: the shop's orders in, the warehouse's daily sales table out.
ORDERS = Asset("file:///srv/shop/orders.csv")
STAGED = Asset("file:///srv/lake/staging/orders.parquet")
TRANSFORMED = Asset("file:///srv/lake/staging/daily_sales.parquet")
DAILY_SALES = Asset("file:///srv/warehouse/daily_sales.csv")


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
    extract = BashOperator(
        task_id="extract", bash_command="echo extracting $AIRFLOW_CTX_DAG_RUN_ID", inlets=[ORDERS], outlets=[STAGED]
    )
    transform = PythonOperator(task_id="transform", python_callable=_transform, inlets=[STAGED], outlets=[TRANSFORMED])
    load = BashOperator(task_id="load", bash_command="echo loading done", inlets=[TRANSFORMED], outlets=[DAILY_SALES])
    extract >> transform >> load
