"""Test DAG with typed params: a conf that breaks them is refused by Airflow at trigger time."""

from __future__ import annotations

from datetime import datetime

try:  # Airflow 3
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.sdk import DAG, Param
except ImportError:  # Airflow 2
    from airflow.models.dag import DAG
    from airflow.models.param import Param
    from airflow.operators.python import PythonOperator


def _echo(**context):
    print(f"region={context['params']['region']} batch={context['params']['batch']}")


with DAG(
    dag_id="conductor_params",
    description="Echoes its typed params",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["team:qa", "test"],
    params={
        "region": Param("eu", type="string", enum=["eu", "us"]),
        "batch": Param(1, type="integer", minimum=1, maximum=100),
    },
    default_args={"owner": "qa", "retries": 0},
) as dag:
    PythonOperator(task_id="echo", python_callable=_echo)
