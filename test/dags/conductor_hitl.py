"""Test DAGs with a human-in-the-loop task: a person picks "Ship" or "Hold" (Airflow 3.1+), then the DAG goes on.

- ``conductor_hitl``: anyone Airflow and Conductor's policy let answer may.
- ``conductor_hitl_assigned``: the task names ``dave`` as its only assigned user.

Airflow 2 has no human-in-the-loop operators: there this file defines no DAG (the test harness's Airflow 2 parses
test/dags too). The DAG ids are held in constants so the harness's readiness check, which waits for every literal
``dag_id="…"`` it finds, does not wait on Airflow 2 for DAGs that cannot exist there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

try:  # Airflow 3.1+
    from airflow.providers.standard.operators.hitl import HITLOperator
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.sdk import DAG, Param
except Exception:  # Airflow 2 (no providers-standard HITL), or a providers-standard that refuses an older Airflow
    HITLOperator = None

DAG_IDS = {"conductor_hitl": None, "conductor_hitl_assigned": [{"id": "dave", "name": "dave"}]}


def _after(**context):
    answer = context["ti"].xcom_pull(task_ids="decide") or {}
    print(f"chosen={answer.get('chosen_options')} by={answer.get('responded_by_user')}")


if HITLOperator is not None:
    for _dag_id, _assigned in DAG_IDS.items():
        with DAG(
            dag_id=_dag_id,
            description="Waits for a person to choose Ship or Hold, then goes on",
            schedule=None,
            start_date=datetime(2026, 1, 1),
            catchup=False,
            tags=["hitl", "team:qa", "test"],
            # Retries ride out a busy test machine (a task that cannot reach Airflow's execution API in time).
            default_args={"owner": "qa", "retries": 2, "retry_delay": timedelta(seconds=5)},
        ) as _dag:
            _decide = HITLOperator(
                task_id="decide",
                subject="Ship the {{ dag_run.run_id }} batch?",
                body="The batch is staged. Choose **Ship** to publish it or **Hold** to keep it back.",
                options=["Ship", "Hold"],
                defaults=["Hold"],
                params={"comment": Param("", type="string", description="Why (optional)")},
                assigned_users=_assigned,
            )
            _decide >> PythonOperator(task_id="after", python_callable=_after)
        globals()[_dag_id] = _dag
