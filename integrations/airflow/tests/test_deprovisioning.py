"""Deprovisioning reaches Airflow's UI: ``refresh_user`` ends the session of a user Conductor no longer knows as active."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from airflow.api_fastapi.auth.managers.exceptions import AuthManagerRefreshTokenExpiredException
from airflow.api_fastapi.auth.managers.models.resource_details import DagDetails
from conftest import StubConductor, manager_for

from airflow_conductor import ConductorUser

BOB = ConductorUser(id="bob", groups=("analysts",))


def test_an_active_user_keeps_the_session_and_an_inactive_one_loses_it(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    stub.active = lambda user: user == "bob"
    manager = manager_for(stub.url, token_file)
    assert manager.refresh_user(user=BOB) is None
    with pytest.raises(AuthManagerRefreshTokenExpiredException):
        manager.refresh_user(user=alice)
    # One question-less batch per user, with the bearer credential of every decision.
    assert [(c["user"], c["questions"]) for c in stub.calls] == [({"id": "bob", "type": "User"}, []), ({"id": "alice", "type": "User"}, [])]
    assert stub.tokens == ["Bearer stub-token", "Bearer stub-token"]


def test_a_burst_of_requests_costs_one_call_and_deprovisioning_lands_after_the_ttl(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    manager = manager_for(stub.url, token_file, ttl=0.3)
    for _ in range(20):
        assert manager.refresh_user(user=alice) is None
    assert len(stub.calls) == 1
    # SCIM deactivates alice: her next requests keep the session until the answer expires, then lose it.
    stub.active = lambda _user: False
    assert manager.refresh_user(user=alice) is None
    time.sleep(0.35)
    with pytest.raises(AuthManagerRefreshTokenExpiredException):
        manager.refresh_user(user=alice)
    with pytest.raises(AuthManagerRefreshTokenExpiredException):
        manager.refresh_user(user=alice)
    assert len(stub.calls) == 2


def test_a_decision_batch_saying_the_user_is_inactive_is_remembered(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    stub.active = lambda _user: False
    manager = manager_for(stub.url, token_file)
    assert not manager.is_authorized_dag(method="GET", details=DagDetails(id="etl_daily"), user=alice)
    with pytest.raises(AuthManagerRefreshTokenExpiredException):
        manager.refresh_user(user=alice)
    assert len(stub.calls) == 1 and stub.calls[0]["questions"] != []


def test_conductor_unreachable_or_silent_keeps_the_session_and_says_why(stub: StubConductor, token_file: Path, alice: ConductorUser,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="airflow_conductor.manager"):
        assert manager_for("http://127.0.0.1:9", token_file).refresh_user(user=alice) is None
        assert "cannot tell whether alice is still active" in caplog.text and "Conductor unreachable" in caplog.text
        stub.active = lambda _user: None
        assert manager_for(stub.url, token_file).refresh_user(user=alice) is None
        assert "does not say whether the user is active" in caplog.text
        stub.failure = (403, "policy_denied")
        assert manager_for(stub.url, token_file).refresh_user(user=alice) is None
        assert "403 (policy_denied)" in caplog.text
    assert "stub-token" not in caplog.text


def test_after_a_failed_check_conductor_is_not_asked_again_for_the_ttl(stub: StubConductor, token_file: Path, alice: ConductorUser) -> None:
    # Airflow calls refresh_user on its event loop: a Conductor that times out must not stall every request.
    stub.failure = (503, "unavailable")
    manager = manager_for(stub.url, token_file, ttl=0.3)
    assert manager.refresh_user(user=alice) is None
    assert manager.refresh_user(user=alice) is None
    assert manager.refresh_user(user=BOB) is None
    assert len(stub.calls) == 1
    stub.failure = None
    stub.active = lambda _user: False
    time.sleep(0.35)
    with pytest.raises(AuthManagerRefreshTokenExpiredException):
        manager.refresh_user(user=alice)
    assert len(stub.calls) == 2

