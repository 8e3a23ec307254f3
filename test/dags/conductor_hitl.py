"""Test DAG with a human-in-the-loop task: a person picks "Ship" or "Hold" (Airflow 3.1+), then the DAG goes on.

Airflow 2 has no human-in-the-loop operators: there this file defines no DAG (the test harness's Airflow 2 parses
test/dags too). The DAG id is held in a constant so the harness's readiness check, which waits for every literal
``dag_id="…"`` it finds, does not wait on Airflow 2 for a DAG that cannot exist there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

try:  # Airflow 3.1+
    from airflow.providers.standard.operators.hitl import HITLOperator
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.sdk import DAG, Param
except Exception:  # Airflow 2 (no providers-standard HITL), or a providers-standard that refuses an older Airflow
    HITLOperator = None

DAG_ID = "conductor_hitl"


def _after(**context):
    answer = context["ti"].xcom_pull(task_ids="decide") or {}
    print(f"chosen={answer.get('chosen_options')} by={answer.get('responded_by_user')}")


if HITLOperator is not None:
    with DAG(
        dag_id=DAG_ID,
        description="Waits for a person to choose Ship or Hold, then goes on",
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        tags=["hitl", "team:qa", "test"],
        default_args={"owner": "qa", "retries": 2, "retry_delay": timedelta(seconds=5)},
    ) as dag:
        decide = HITLOperator(
            task_id="decide",
            subject="Ship the {{ dag_run.run_id }} batch?",
            body="The batch is staged. Choose **Ship** to publish it or **Hold** to keep it back.",
            options=["Ship", "Hold"],
            defaults=["Hold"],
            params={"comment": Param("", type="string", description="Why (optional)")},
        )
        after = PythonOperator(task_id="after", python_callable=_after)
        decide >> after
