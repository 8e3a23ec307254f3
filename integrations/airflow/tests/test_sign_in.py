"""Sign-in through Conductor: the login URL, and ``/auth/callback`` turning a one-time code into Airflow's own cookie."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
from conftest import StubConductor, manager_for
from fastapi import FastAPI
from fastapi.testclient import TestClient

from airflow_conductor import ConductorAuthManager, ConductorSettings, ConductorUser

ALICE = {"id": "alice", "name": "Alice Example", "groups": ["data-eng"], "type": "User"}


@pytest.fixture
def manager(stub: StubConductor, token_file: Path) -> ConductorAuthManager:
    return manager_for(stub.url, token_file)


def browser(manager: ConductorAuthManager, base_url: str = "http://testserver") -> TestClient:
    """A browser on an Airflow whose only app is the manager's sub-app, mounted at ``/auth`` as Airflow mounts it."""
    app = FastAPI()
    app.mount("/auth", manager.get_fastapi_app())
    return TestClient(app, base_url=base_url, follow_redirects=False)


def test_the_login_url_is_conductors_sign_in_for_the_environment(token_file: Path) -> None:
    manager = ConductorAuthManager(ConductorSettings(url="https://conductor.example/", environment="prod eu", token_file=str(token_file)))
    # Airflow's /api/v2/auth/login appends ?next= itself to the URL it gets without arguments.
    assert manager.get_url_login() == "https://conductor.example/auth/airflow/prod%20eu/login"
    assert manager.get_url_login(next_url="https://airflow.example/dags?x=1") == (
        "https://conductor.example/auth/airflow/prod%20eu/login?next=https%3A%2F%2Fairflow.example%2Fdags%3Fx%3D1"
    )


def test_a_good_code_sets_airflows_cookie_for_the_person_and_goes_to_next(stub: StubConductor, manager: ConductorAuthManager) -> None:
    stub.codes["code-1"] = ALICE
    answer = browser(manager).get("/auth/callback", params={"code": "code-1", "next": "http://testserver/dags/etl_daily"})
    assert answer.status_code == 302
    assert answer.headers["location"] == "http://testserver/dags/etl_daily"
    assert answer.headers["cache-control"] == "no-store" and answer.headers["referrer-policy"] == "no-referrer"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME_JWT_TOKEN}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie and "Secure" not in cookie
    # The token is Airflow's own: its validator accepts it, and it holds the person Conductor signed in.
    claims = ConductorAuthManager._get_token_validator().validated_claims(answer.cookies[COOKIE_NAME_JWT_TOKEN])  # noqa: SLF001
    assert manager.deserialize_user(claims) == ConductorUser(id="alice", name="Alice Example", groups=("data-eng",))
    assert stub.sign_ins == ["code-1"] and stub.tokens == ["Bearer stub-token"]
    assert stub.calls == []
    assert "code-1" not in answer.headers["location"]


def test_the_cookie_is_secure_on_https_and_a_relative_next_is_kept(stub: StubConductor, manager: ConductorAuthManager) -> None:
    stub.codes["code-2"] = {**ALICE, "type": "ServiceAccount", "groups": []}
    answer = browser(manager, "https://airflow.example").get("/auth/callback", params={"code": "code-2", "next": "/dags?tags=x"})
    assert answer.status_code == 302 and answer.headers["location"] == "/dags?tags=x"
    assert "Secure" in answer.headers["set-cookie"]
    claims = ConductorAuthManager._get_token_validator().validated_claims(answer.cookies[COOKIE_NAME_JWT_TOKEN])  # noqa: SLF001
    assert manager.deserialize_user(claims).principal_type == "ServiceAccount"


@pytest.mark.parametrize("unsafe", [
    "http://evil.example/dags",
    "//evil.example/dags",
    "javascript:alert(1)",
    "/\\evil.example/dags",
    "http://testserver.evil.example/",
    "",
])
def test_an_unsafe_or_missing_next_goes_to_airflows_home(stub: StubConductor, manager: ConductorAuthManager, unsafe: str) -> None:
    stub.codes["code-3"] = ALICE
    answer = browser(manager).get("/auth/callback", params={"code": "code-3", "next": unsafe})
    assert answer.status_code == 302
    assert answer.headers["location"] == "/"
    assert COOKIE_NAME_JWT_TOKEN in answer.cookies


def conductor_logs(caplog: pytest.LogCaptureFixture) -> str:
    """What the auth manager logged (its `airflow_conductor` loggers), not the test client's own request lines."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("airflow_conductor"))


def test_a_refused_code_is_401_with_a_way_back_and_no_cookie(stub: StubConductor, manager: ConductorAuthManager, caplog: pytest.LogCaptureFixture) -> None:
    stub.codes["once"] = ALICE
    client = browser(manager)
    assert client.get("/auth/callback", params={"code": "once", "next": "/dags"}).status_code == 302
    with caplog.at_level(logging.INFO, logger="airflow_conductor"):
        for code in ("once", "never-issued"):
            answer = client.get("/auth/callback", params={"code": code, "next": "/dags"})
            assert answer.status_code == 401
            assert "set-cookie" not in answer.headers
            assert "Sign-in failed" in answer.text and code not in answer.text
            assert 'href="/api/v2/auth/login?next=%2Fdags"' in answer.text
            assert answer.headers["cache-control"] == "no-store"
    ours = conductor_logs(caplog)
    assert "airflow_sign_in_invalid" in ours
    assert "once" not in ours and "never-issued" not in ours
    assert stub.sign_ins == ["once", "once", "never-issued"]


def test_a_link_without_a_code_is_400_without_asking_conductor(stub: StubConductor, manager: ConductorAuthManager) -> None:
    answer = browser(manager).get("/auth/callback", params={"next": "http://evil.example/"})
    assert answer.status_code == 400 and "set-cookie" not in answer.headers
    assert 'href="/api/v2/auth/login"' in answer.text
    assert stub.sign_ins == []


@pytest.mark.parametrize("failure", [(403, "policy_denied"), (401, "unauthenticated"), (500, "internal")])
def test_conductor_refusing_the_credential_or_failing_is_503(stub: StubConductor, manager: ConductorAuthManager, failure: tuple[int, str]) -> None:
    stub.codes["code-4"] = ALICE
    stub.failure = failure
    answer = browser(manager).get("/auth/callback", params={"code": "code-4"})
    assert answer.status_code == 503 and "set-cookie" not in answer.headers
    assert "Conductor is unreachable" in answer.text and "code-4" not in answer.text


def test_conductor_down_or_answering_nonsense_is_503(stub: StubConductor, token_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="airflow_conductor"):
        down = browser(manager_for("http://127.0.0.1:9", token_file)).get("/auth/callback", params={"code": "code-5", "next": "/dags"})
    assert down.status_code == 503 and "set-cookie" not in down.headers
    assert "Conductor is unreachable" in down.text and 'href="/api/v2/auth/login?next=%2Fdags"' in down.text
    assert "Conductor unreachable" in conductor_logs(caplog) and "code-5" not in conductor_logs(caplog)
    stub.codes["code-6"] = {"id": "", "groups": "admins"}
    nonsense = browser(manager_for(stub.url, token_file)).get("/auth/callback", params={"code": "code-6"})
    assert nonsense.status_code == 503 and "set-cookie" not in nonsense.headers
