"""Test DAG (Airflow 3, assets e2e only): a quick data-eng DAG that updates s3://data-eng/orders/ready when it succeeds."""

from __future__ import annotations

from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, Asset

with DAG(
    dag_id="conductor_asset_producer",
    description="Marks the day's orders as ready (updates an asset)",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["team:data-eng"],
    default_args={"owner": "data-eng"},
) as dag:
    BashOperator(task_id="mark_ready", bash_command="echo orders ready", outlets=[Asset("s3://data-eng/orders/ready")])
