"""The official Airflow client (apache-airflow-client) pointed at Conductor's `/airflow/{env}` works unchanged, as the caller."""

from __future__ import annotations

from collections.abc import Iterator

import airflow_client.client as af
import pytest
from airflow_client.client.api.connection_api import ConnectionApi
from airflow_client.client.api.dag_api import DAGApi
from airflow_client.client.api.dag_run_api import DagRunApi
from airflow_client.client.api.task_instance_api import TaskInstanceApi
from airflow_client.client.api.variable_api import VariableApi
from airflow_client.client.exceptions import ApiException
from airflow_client.client.models.dag_run_clear_body import DAGRunClearBody
from airflow_client.client.models.trigger_dag_run_post_body import TriggerDAGRunPostBody
from conftest import RealConductor


def client_for(conductor: RealConductor, token: str) -> af.ApiClient:
    """The client as its documentation configures it, with Conductor's URL plus ``/airflow/stubbed`` as the host."""
    return af.ApiClient(af.Configuration(host=f"{conductor.url}/airflow/stubbed", access_token=token))


@pytest.fixture
def alice(conductor: RealConductor) -> Iterator[af.ApiClient]:
    with client_for(conductor, conductor.alice_token) as client:
        yield client


@pytest.fixture
def bob(conductor: RealConductor) -> Iterator[af.ApiClient]:
    with client_for(conductor, conductor.bob_token) as client:
        yield client


def test_the_dag_list_holds_what_the_caller_may_read(alice: af.ApiClient, bob: af.ApiClient) -> None:
    mine = DAGApi(alice).get_dags()
    assert [d.dag_id for d in mine.dags] == ["etl_daily"]
    assert mine.total_entries == 1
    assert [t.name for t in mine.dags[0].tags] == ["team:data-eng"]
    assert sorted(d.dag_id for d in DAGApi(bob).get_dags().dags) == ["etl_daily", "ml_train"]


def test_a_trigger_is_governed_and_the_run_reads_back(alice: af.ApiClient) -> None:
    run = DagRunApi(alice).trigger_dag_run("etl_daily", TriggerDAGRunPostBody(logical_date=None, conf={"day": 3}, note="from the client"))
    assert run.dag_run_id.startswith("conductor__")
    assert run.dag_id == "etl_daily"
    assert run.conf == {"day": 3}
    assert run.note is not None and "Triggered through Airflow Conductor by User alice" in run.note and "from the client" in run.note
    read = DagRunApi(alice).get_dag_run("etl_daily", run.dag_run_id)
    assert read.dag_run_id == run.dag_run_id
    assert read.triggering_user_name == "alice"
    assert run.dag_run_id in [r.dag_run_id for r in DagRunApi(alice).get_dag_runs("etl_daily").dag_runs]
    assert TaskInstanceApi(alice).get_task_instances("etl_daily", run.dag_run_id).total_entries == 0
    log = TaskInstanceApi(alice).get_log("etl_daily", run.dag_run_id, "extract", 1)
    assert [line.event for line in log.content.actual_instance] == ["stub log of extract, try 1"]


def test_a_forbidden_trigger_raises_403(bob: af.ApiClient) -> None:
    with pytest.raises(ApiException) as refused:
        DagRunApi(bob).trigger_dag_run("etl_daily", TriggerDAGRunPostBody(logical_date=None))
    assert refused.value.status == 403
    assert "policy_denied" in str(refused.value.body)


def test_an_unreadable_dag_and_a_bad_token_raise_404_and_401(alice: af.ApiClient, conductor: RealConductor) -> None:
    with pytest.raises(ApiException) as hidden:
        DAGApi(alice).get_dag("ml_train")
    assert hidden.value.status == 404
    with client_for(conductor, "not-a-token") as stranger, pytest.raises(ApiException) as refused:
        DAGApi(stranger).get_dags()
    assert refused.value.status == 401


def test_a_run_is_cleared_through_conductor_dry_run_first(alice: af.ApiClient, bob: af.ApiClient) -> None:
    run = DagRunApi(alice).trigger_dag_run("etl_daily", TriggerDAGRunPostBody(logical_date=None))
    dry = DagRunApi(alice).clear_dag_run("etl_daily", run.dag_run_id, DAGRunClearBody(dry_run=True)).actual_instance
    assert dry.total_entries == 0
    cleared = DagRunApi(alice).clear_dag_run("etl_daily", run.dag_run_id, DAGRunClearBody(dry_run=False, only_failed=True)).actual_instance
    assert cleared.dag_run_id == run.dag_run_id
    assert cleared.triggering_user_name == "alice"
    with pytest.raises(ApiException) as refused:
        DagRunApi(bob).clear_dag_run("etl_daily", run.dag_run_id, DAGRunClearBody(dry_run=False))
    assert refused.value.status == 403


def test_variables_are_read_under_policy_and_a_connection_is_refused(alice: af.ApiClient, bob: af.ApiClient) -> None:
    listed = VariableApi(alice).get_variables()
    assert listed.total_entries == 0
    with pytest.raises(ApiException) as missing:
        VariableApi(alice).get_variable("no_such_variable")
    assert missing.value.status == 404, "alice may read variables: Airflow answers that it has none"
    with pytest.raises(ApiException) as refused:
        VariableApi(bob).get_variable("no_such_variable")
    assert refused.value.status == 403, "analysts may not read variables: Airflow is not asked"
    with pytest.raises(ApiException) as connection:
        ConnectionApi(bob).get_connection("prod_db")
    assert connection.value.status == 403
    assert "connection:read" in str(connection.value.body)
