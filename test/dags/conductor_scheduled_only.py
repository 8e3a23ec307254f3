"""Test DAG that runs only on its schedule: on Airflow 3.2+ its allowed_run_types leave out manual runs.

Airflow requires `scheduled` among the allowed types of a DAG with a schedule (and `manual` of one without), so it has a
schedule whose first run is far in the future. On Airflow 2 (and Airflow 3 before 3.2) it is an ordinary DAG that may
also be triggered by hand: Airflow has no allowed_run_types there.
"""

from __future__ import annotations

from datetime import datetime

from airflow import __version__ as airflow_version

try:  # Airflow 3
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow.models.dag import DAG
    from airflow.operators.empty import EmptyOperator

_major, _minor = (int(part) for part in airflow_version.split(".")[:2])
run_types = {"allowed_run_types": ["scheduled", "backfill"]} if (_major, _minor) >= (3, 2) else {}

with DAG(
    dag_id="conductor_scheduled_only",
    description="Runs only on its schedule (allowed_run_types on Airflow 3.2+)",
    schedule="@yearly",
    start_date=datetime(2099, 1, 1),
    catchup=False,
    tags=["team:data-eng", "test"],
    **run_types,
):
    EmptyOperator(task_id="noop")
