"""Test DAG of Airflow's multi-team mode: untagged, it belongs to team data-eng only through its bundle.

Only the multi-team Airflow of test/e2e/airflow-teams.test.ts loads it, from a bundle whose `team_name` is `data-eng`;
its tags and owner name no team, so a policy can tell it is data-eng's only by the team Airflow names for it.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG(
    dag_id="conductor_team_report",
    description="A report of team data-eng (its bundle's team)",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
):
    EmptyOperator(task_id="noop")
