"""Demo DAG: a data lead reviews the daily figures before they are published (Airflow 3.1+ human-in-the-loop).

The review waits in Conductor's inbox (``conductor hitl``, the console's inbox) for the people policy lets answer it
(``hitl:respond``, policies/hitl.cedar: data leads on DAGs tagged ``hitl``). "Approve" publishes; "Reject" skips
publishing. Airflow 2 has no human-in-the-loop operators: there this file defines no DAG (the id is in a constant so
the test harness's readiness check does not wait for it on Airflow 2).
"""

from __future__ import annotations

from datetime import datetime

try:  # Airflow 3.1+
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.providers.standard.operators.hitl import ApprovalOperator
    from airflow.sdk import DAG
except Exception:  # Airflow 2 (no providers-standard HITL), or a providers-standard that refuses an older Airflow
    ApprovalOperator = None

DAG_ID = "hitl_review"

if ApprovalOperator is not None:
    with DAG(
        dag_id=DAG_ID,
        description="Publishes the daily figures once a data lead approves them",
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        tags=["hitl", "team:data-eng"],
        default_args={"owner": "data-eng", "retries": 0},
    ) as dag:
        review = ApprovalOperator(
            task_id="review",
            subject="Publish the figures of {{ dag_run.run_id }}?",
            body="The daily figures are computed. Approve to publish them; Reject to skip publishing.",
            defaults="Reject",
        )
        publish = BashOperator(task_id="publish", bash_command="echo published the daily figures")
        review >> publish
