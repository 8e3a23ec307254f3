"""The manager's own behaviour against a stub Conductor: batching, the cache, versions, failing closed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from airflow.api_fastapi.auth.managers.base_auth_manager import BaseAuthManager
from airflow.api_fastapi.auth.managers.models.resource_details import AccessView, ConnectionDetails, DagAccessEntity, DagDetails
from airflow.api_fastapi.common.types import MenuItem
from conftest import StubConductor, manager_for

from airflow_conductor import ConductorAuthManager, ConductorUser


def test_is_an_airflow_auth_manager_with_every_abstract_method() -> None:
    assert issubclass(ConductorAuthManager, BaseAuthManager)
    assert not ConductorAuthManager.__abstractmethods__


def test_users_round_trip_through_token_claims() -> None:
    manager = ConductorAuthManager()
    user = manager.deserialize_user({"sub": "alice", "name": "Alice", "groups": ["data-eng", "ml"]})
    assert (user.get_id(), user.get_name(), user.name, user.groups) == ("alice", "alice", "Alice", ("data-eng", "ml"))
    assert manager.deserialize_user(manager.serialize_user(user)) == user
    with pytest.raises(ValueError):
        manager.deserialize_user({"groups": []})


def test_the_principal_type_of_a_conductor_token_is_kept_for_agents_and_service_accounts_and_unknown_ones_are_people() -> None:
    manager = ConductorAuthManager()
    for principal_type in ("Agent", "ServiceAccount", "User"):
        user = manager.deserialize_user({"sub": "export-agent", "principal_type": principal_type})
        assert user.principal_type == principal_type
        assert manager.deserialize_user(manager.serialize_user(user)) == user
    assert manager.deserialize_user({"sub": "x", "principal_type": "Admin"}).principal_type == "User"


def test_the_request_claim_of_a_conductor_dispatch_survives_serialize_and_deserialize() -> None:
    manager = ConductorAuthManager()
    dispatched = manager.deserialize_user({"sub": "alice", "name": "Alice", "groups": ["data-eng"], "conductor_request": "req-42", "role": "USER"})
    assert dispatched.request == "req-42"
    assert manager.serialize_user(dispatched)["conductor_request"] == "req-42"
    assert manager.deserialize_user(manager.serialize_user(dispatched)) == dispatched
    # A person's own sign-in carries no claim, and serializes none; a malformed claim is no claim.
    own = manager.deserialize_user({"sub": "alice", "groups": ["data-eng"]})
    assert own.request is None and "conductor_request" not in manager.serialize_user(own)
    assert manager.deserialize_user({"sub": "alice", "conductor_request": ["req-42"]}).request is None
    assert manager.deserialize_user({"sub": "alice", "conductor_request": ""}).request is None


def test_the_batch_names_the_request_and_its_answers_are_never_cached_nor_shared(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    manager = manager_for(stub.url, token_file)
    dispatching = ConductorUser(id="alice", name="Alice", groups=("data-eng",), request="req-42")
    trigger = {"method": "POST", "access_entity": DagAccessEntity.RUN, "details": DagDetails(id="payments_export")}
    # On her own, alice may not trigger it (it needs approval): denied, and that answer is cached.
    stub.rule = lambda _u, _q: False
    assert not manager.batch_is_authorized_dag([trigger], user=alice)
    # While Conductor dispatches request req-42 it allows it: the dispatch is asked with the claim, not answered from
    # alice's cached deny, and its allow is not cached either (asked again the second time).
    stub.rule = lambda _u, _q: True
    assert manager.batch_is_authorized_dag([trigger], user=dispatching)
    assert manager.batch_is_authorized_dag([trigger], user=dispatching)
    assert [c["user"] for c in stub.calls] == [{"id": "alice", "type": "User"}] + [{"id": "alice", "type": "User", "request": "req-42"}] * 2
    # Alice on her own is still answered from her own deny, not from the dispatch's allow.
    assert not manager.batch_is_authorized_dag([trigger], user=alice)
    assert len(stub.calls) == 3


def test_questions_carry_airflow_resource_method_entity_and_id(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    stub.rule = lambda _u, q: q.get("accessEntity") == "TASK_LOGS"
    manager = manager_for(stub.url, token_file)
    assert manager.is_authorized_dag(method="GET", access_entity=DagAccessEntity.TASK_LOGS, details=DagDetails(id="etl_daily"), user=alice)
    assert not manager.is_authorized_connection(method="DELETE", details=ConnectionDetails(conn_id="pg"), user=alice)
    assert not manager.is_authorized_view(access_view=AccessView.PLUGINS, user=alice)
    assert [c["questions"] for c in stub.calls] == [
        [{"resource": "dag", "method": "GET", "accessEntity": "TASK_LOGS", "id": "etl_daily", "team": None}],
        [{"resource": "connection", "method": "DELETE", "id": "pg"}],
        [{"resource": "view", "method": "GET", "id": "PLUGINS"}],
    ]
    assert stub.calls[0]["path"] == "/api/v1/airflow/local/authorize"
    assert stub.calls[0]["user"] == {"id": "alice", "type": "User"}
    assert stub.tokens[0] == "Bearer stub-token"


def test_a_dag_question_names_the_team_airflow_gives_the_dag(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    stub.rule = lambda _u, q: q.get("team") == "analytics"
    manager = manager_for(stub.url, token_file)
    assert manager.is_authorized_dag(method="PUT", details=DagDetails(id="reports", team_name="analytics"), user=alice)
    assert not manager.is_authorized_dag(method="PUT", details=DagDetails(id="payroll", team_name=None), user=alice)
    assert manager.batch_is_authorized_dag([{"method": "GET", "details": DagDetails(id="reports", team_name="analytics")}], user=alice)
    assert not manager.is_authorized_dag(method="GET", user=alice)
    assert [c["questions"] for c in stub.calls] == [
        [{"resource": "dag", "method": "PUT", "id": "reports", "team": "analytics"}],
        [{"resource": "dag", "method": "PUT", "id": "payroll", "team": None}],
        [{"resource": "dag", "method": "GET", "id": "reports", "team": "analytics"}],
        [{"resource": "dag", "method": "GET"}],
    ]


def test_a_dag_listing_names_the_team_airflow_groups_the_dags_by(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    # Airflow lists a person's DAGs one bundle team at a time (get_authorized_dag_ids; None: the DAGs of no team).
    stub.rule = lambda _u, q: q.get("team") == "analytics"
    manager = manager_for(stub.url, token_file)
    assert manager.filter_authorized_dag_ids(dag_ids={"reports"}, user=alice, team_name="analytics") == {"reports"}
    assert manager.filter_authorized_dag_ids(dag_ids={"payroll"}, user=alice, team_name=None) == set()
    assert [c["questions"] for c in stub.calls] == [
        [{"resource": "dag", "method": "GET", "id": "reports", "team": "analytics"}],
        [{"resource": "dag", "method": "GET", "id": "payroll", "team": None}],
    ]


def test_multi_team_mode_finds_no_teams_of_its_own_to_check(stub: StubConductor, token_file: Path) -> None:
    # Airflow's init() in [core] multi_team mode requires every team the manager defines to be in its team table.
    assert manager_for(stub.url, token_file)._get_teams() == set()


def test_filter_authorized_dag_ids_over_5000_dags_is_one_call(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    stub.rule = lambda _u, q: int(q["id"].split("_")[1]) % 2 == 0
    manager = manager_for(stub.url, token_file)
    dag_ids = {f"dag_{i:05d}" for i in range(5000)}
    allowed = manager.filter_authorized_dag_ids(dag_ids=dag_ids, user=alice)
    assert len(stub.calls) == 1 and len(stub.calls[0]["questions"]) == 5000
    assert allowed == {f"dag_{i:05d}" for i in range(0, 5000, 2)}


def test_batches_and_menus_are_one_call_each(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    stub.rule = lambda _u, q: q["resource"] == "menu" and q["id"] in ("DAGS", "CONNECTIONS")
    manager = manager_for(stub.url, token_file)
    items = manager.filter_authorized_menu_items(list(MenuItem), user=alice)
    assert items == [MenuItem.CONNECTIONS, MenuItem.DAGS]
    assert not manager.batch_is_authorized_dag(
        [{"method": "GET", "details": DagDetails(id="a")}, {"method": "PUT", "access_entity": DagAccessEntity.RUN, "details": DagDetails(id="b")}], user=alice,
    )
    assert len(stub.calls) == 2


def test_a_cached_answer_makes_no_call_and_a_new_policy_version_drops_the_cache(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    stub.rule = lambda _u, q: q["id"] == "etl_daily"
    manager = manager_for(stub.url, token_file)
    assert manager.is_authorized_dag(method="GET", details=DagDetails(id="etl_daily"), user=alice)
    assert manager.is_authorized_dag(method="GET", details=DagDetails(id="etl_daily"), user=alice)
    assert len(stub.calls) == 1
    # Policy changes: Conductor now allows nothing, under version 2. The next miss sees the new version …
    stub.rule = lambda _u, _q: False
    stub.version = 2
    assert not manager.is_authorized_dag(method="GET", details=DagDetails(id="other"), user=alice)
    # … and the answer cached under version 1 is gone: asked again, and now denied.
    assert not manager.is_authorized_dag(method="GET", details=DagDetails(id="etl_daily"), user=alice)
    assert len(stub.calls) == 3


def test_answers_are_per_user(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    stub.rule = lambda user, _q: user == "alice"
    manager = manager_for(stub.url, token_file)
    bob = ConductorUser(id="bob", groups=("analysts",))
    assert manager.is_authorized_pool(method="GET", user=alice)
    assert not manager.is_authorized_pool(method="GET", user=bob)


def test_the_cache_is_bounded_and_short_lived(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    stub.rule = lambda _u, _q: True
    manager = manager_for(stub.url, token_file, size=10)
    manager.filter_authorized_dag_ids(dag_ids={f"d{i}" for i in range(50)}, user=alice)
    assert len(manager.cache) == 10
    expiring = manager_for(stub.url, token_file, ttl=0)
    expiring.is_authorized_variable(method="GET", user=alice)
    expiring.is_authorized_variable(method="GET", user=alice)
    assert len(stub.calls) == 3


def test_conductor_down_denies_everything_and_says_why(stub: StubConductor, token_file: Path, alice: ConductorUser, caplog: pytest.LogCaptureFixture) -> None:
    stub.rule = lambda _u, _q: True
    manager = manager_for(stub.url, token_file)
    assert manager.is_authorized_dag(method="GET", details=DagDetails(id="etl_daily"), user=alice)
    down = manager_for("http://127.0.0.1:9", token_file)
    with caplog.at_level(logging.WARNING, logger="airflow_conductor.manager"):
        assert not down.is_authorized_dag(method="GET", details=DagDetails(id="etl_daily"), user=alice)
        assert down.filter_authorized_dag_ids(dag_ids={"a", "b"}, user=alice) == set()
        assert down.filter_authorized_menu_items(list(MenuItem), user=alice) == []
        assert not down.is_authorized_configuration(method="GET", user=alice)
    assert "Conductor unreachable" in caplog.text
    # A manager that had cached allows forgets them once Conductor stops answering.
    manager._settings = down.settings  # noqa: SLF001 - same manager, Conductor gone
    manager._client = None  # noqa: SLF001
    assert not manager.is_authorized_pool(method="GET", user=alice)
    assert not manager.is_authorized_dag(method="GET", details=DagDetails(id="etl_daily"), user=alice)


def test_no_credential_denies_everything(stub: StubConductor, tmp_path: Path, alice: ConductorUser, monkeypatch: pytest.MonkeyPatch) -> None:
    stub.rule = lambda _u, _q: True
    monkeypatch.delenv("CONDUCTOR_AIRFLOW_TOKEN", raising=False)
    manager = manager_for(stub.url, tmp_path / "missing")
    assert not manager.is_authorized_dag(method="GET", user=alice)
    assert stub.calls == []


def test_hitl_tasks_compare_principal_ids(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    manager = manager_for(stub.url, token_file)
    assert manager.is_authorized_hitl_task(assigned_users={"alice", "carol"}, user=alice)
    assert not manager.is_authorized_hitl_task(assigned_users={"carol"}, user=alice)
