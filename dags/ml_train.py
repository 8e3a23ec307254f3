"""Demo DAG: trains a model; owned by the ML team."""

from __future__ import annotations

from datetime import datetime

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow.models.dag import DAG
    from airflow.operators.bash import BashOperator
    from airflow.operators.python import PythonOperator


def _train(**context):
    conf = context["dag_run"].conf or {}
    print(f"training model {conf.get('model', 'baseline')} for {conf.get('epochs', 1)} epoch(s)")


with DAG(
    dag_id="ml_train",
    description="Prepare features and train the recommendation model",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["team:ml"],
    params={"model": "baseline", "epochs": 1},
    default_args={"owner": "ml", "retries": 0},
) as dag:
    features = BashOperator(task_id="features", bash_command="echo building features")
    train = PythonOperator(task_id="train", python_callable=_train)
    features >> train
