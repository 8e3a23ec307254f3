"""Test DAG (Airflow 3, assets e2e only): scheduled on s3://data-eng/reports/daily, so an event for it queues a run."""

from __future__ import annotations

from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, Asset

with DAG(
    dag_id="conductor_asset_consumer",
    description="Publishes the daily report once it is updated",
    schedule=[Asset("s3://data-eng/reports/daily")],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["team:data-eng"],
    default_args={"owner": "data-eng"},
) as dag:
    BashOperator(task_id="publish", bash_command="echo publishing the report")
