"""The manager against a real Conductor: the demo policies decide, 5,000 DAGs in one call, unknown users denied."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from airflow.api_fastapi.auth.managers.exceptions import AuthManagerRefreshTokenExpiredException
from airflow.api_fastapi.auth.managers.models.resource_details import ConnectionDetails, DagAccessEntity, DagDetails, VariableDetails
from airflow.api_fastapi.common.types import MenuItem
from conftest import RealConductor, manager_for

from airflow_conductor import ConductorAuthManager, ConductorUnavailable, ConductorUser, SignInRefused

ALICE = ConductorUser(id="alice", groups=("data-eng",))
BOB = ConductorUser(id="bob", groups=("analysts",))


@pytest.fixture
def manager(conductor: RealConductor, tmp_path: Path) -> ConductorAuthManager:
    token = tmp_path / "token"
    token.write_text(conductor.token)
    return manager_for(conductor.url, token)


def test_the_demo_policies_decide_through_the_mapping(manager: ConductorAuthManager) -> None:
    # dag_00000 is tagged team:data-eng, dag_00001 team:ml.
    assert manager.is_authorized_dag(method="GET", details=DagDetails(id="dag_00000"), user=ALICE)
    assert manager.is_authorized_dag(method="POST", access_entity=DagAccessEntity.RUN, details=DagDetails(id="dag_00000"), user=ALICE)
    assert manager.is_authorized_dag(method="GET", access_entity=DagAccessEntity.TASK_LOGS, details=DagDetails(id="dag_00000"), user=ALICE)
    assert not manager.is_authorized_dag(method="GET", details=DagDetails(id="dag_00001"), user=ALICE)
    assert not manager.is_authorized_dag(method="DELETE", details=DagDetails(id="dag_00000"), user=ALICE)
    assert manager.is_authorized_connection(method="GET", details=ConnectionDetails(conn_id="pg"), user=ALICE)
    assert not manager.is_authorized_connection(method="POST", details=ConnectionDetails(conn_id="pg"), user=ALICE)
    assert not manager.is_authorized_variable(method="PUT", details=VariableDetails(key="k"), user=ALICE)
    assert not manager.is_authorized_configuration(method="GET", user=ALICE)
    # bob (analysts) reads every DAG and triggers none; he sees no connections.
    assert manager.is_authorized_dag(method="GET", details=DagDetails(id="dag_00001"), user=BOB)
    assert not manager.is_authorized_dag(method="POST", access_entity=DagAccessEntity.RUN, details=DagDetails(id="dag_00001"), user=BOB)
    assert not manager.is_authorized_connection(method="GET", user=BOB)
    menu = manager.filter_authorized_menu_items(list(MenuItem), user=BOB)
    assert MenuItem.DAGS in menu and MenuItem.CONNECTIONS not in menu and MenuItem.CONFIG not in menu


def test_filter_authorized_dag_ids_for_5000_dags_in_one_call(manager: ConductorAuthManager, capsys: pytest.CaptureFixture[str]) -> None:
    dag_ids = {f"dag_{i:05d}" for i in range(5000)}
    started = time.perf_counter()
    allowed = manager.filter_authorized_dag_ids(dag_ids=dag_ids, user=ALICE)
    elapsed = time.perf_counter() - started
    assert allowed == {f"dag_{i:05d}" for i in range(0, 5000, 2)}
    with capsys.disabled():
        print(f"\nfilter_authorized_dag_ids, 5,000 DAGs, one call to a real Conductor: {elapsed * 1000:.0f} ms")


def test_an_unknown_user_is_denied_everything(manager: ConductorAuthManager) -> None:
    mallory = ConductorUser(id="mallory", groups=("data-eng", "platform-admins"))
    assert not manager.is_authorized_dag(method="GET", details=DagDetails(id="dag_00000"), user=mallory)
    assert manager.filter_authorized_dag_ids(dag_ids={"dag_00000", "dag_00002"}, user=mallory) == set()


def test_conductor_says_who_is_still_active(manager: ConductorAuthManager) -> None:
    mallory = ConductorUser(id="mallory")
    assert manager.user_active(ALICE) is True
    assert manager.user_active(mallory) is False
    assert manager.refresh_user(user=ALICE) is None
    with pytest.raises(AuthManagerRefreshTokenExpiredException):
        manager.refresh_user(user=mallory)


def test_a_bogus_sign_in_code_is_refused_as_airflow_sign_in_invalid(manager: ConductorAuthManager) -> None:
    with pytest.raises(SignInRefused, match="^airflow_sign_in_invalid$"):
        manager.conductor().sign_in("x" * 43)


def test_only_the_auth_manager_credential_may_ask(conductor: RealConductor, tmp_path: Path) -> None:
    body = json.dumps({"user": {"id": "alice"}, "questions": [{"resource": "dag", "method": "GET", "id": "dag_00000"}]}).encode()
    request = urllib.request.Request(f"{conductor.url}/api/v1/airflow/local/authorize", data=body, method="POST",
                                     headers={"content-type": "application/json", "authorization": f"Bearer {conductor.bob_token}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    # The manager using bob's token is refused too, so it denies (fail closed).
    token = tmp_path / "bob"
    token.write_text(conductor.bob_token)
    assert not manager_for(conductor.url, token).is_authorized_dag(method="GET", details=DagDetails(id="dag_00000"), user=ALICE)
    # … and may not redeem sign-in codes either.
    with pytest.raises(ConductorUnavailable, match=r"403 \(policy_denied\)"):
        manager_for(conductor.url, token).conductor().sign_in("x" * 43)


def test_more_than_10000_questions_in_one_call_is_refused(conductor: RealConductor) -> None:
    questions = [{"resource": "dag", "method": "GET", "id": f"d{i}"} for i in range(10_001)]
    body = json.dumps({"user": {"id": "alice"}, "questions": questions}).encode()
    request = urllib.request.Request(f"{conductor.url}/api/v1/airflow/local/authorize", data=body, method="POST",
                                     headers={"content-type": "application/json", "authorization": f"Bearer {conductor.token}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
