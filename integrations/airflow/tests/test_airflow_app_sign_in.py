"""Inside Airflow's own API server app: sign-in through Conductor, the UI cookie, and deprovisioning ending the session.

Airflow builds its real app (``create_app``) with this auth manager configured, mounts the callback at ``/auth`` and
runs its own JWT refresh middleware; only Conductor is the stub.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
from conftest import StubConductor, airflow_api_server, serve_stub
from fastapi.testclient import TestClient

TTL = 0.5


@pytest.fixture(scope="module")
def airflow() -> Iterator[tuple[TestClient, StubConductor]]:
    with serve_stub() as stub, tempfile.TemporaryDirectory() as scratch:
        token = Path(scratch) / "conductor-token"
        token.write_text("stub-token")
        with airflow_api_server(stub.url, token, AIRFLOW__CONDUCTOR__CACHE_TTL_SECONDS=str(TTL)) as app:
            yield TestClient(app, follow_redirects=False), stub


def test_a_person_signs_in_through_conductor_and_deprovisioning_ends_the_session(airflow: tuple[TestClient, StubConductor]) -> None:
    browser, stub = airflow
    stub.rule = lambda user, q: user == "alice" and q["resource"] == "menu" and q["id"] == "DAGS"
    assert browser.get("/ui/auth/me").status_code == 401
    # Airflow's own login entry sends the browser to Conductor's sign-in for this environment.
    start = browser.get("/api/v2/auth/login", params={"next": "http://testserver/dags"})
    assert start.status_code == 307
    assert start.headers["location"] == f"{stub.url}/auth/airflow/local/login?next=http%3A%2F%2Ftestserver%2Fdags"
    # Conductor signed alice in and sends her back with a one-time code.
    stub.codes["one-time"] = {"id": "alice", "name": "Alice Example", "groups": ["data-eng"], "type": "User"}
    back = browser.get("/auth/callback", params={"code": "one-time", "next": "http://testserver/dags"})
    assert back.status_code == 302 and back.headers["location"] == "http://testserver/dags"
    assert COOKIE_NAME_JWT_TOKEN in browser.cookies
    # Her UI requests carry Airflow's cookie: she is alice, and Conductor's policy decides her menu.
    time.sleep(TTL)
    stub.calls.clear()
    assert browser.get("/ui/auth/me").json() == {"id": "alice", "username": "Alice Example"}
    assert browser.get("/ui/auth/menus").json()["authorized_menu_items"] == ["Dags"]
    assert browser.get("/ui/auth/me").status_code == 200
    activity_checks = [c for c in stub.calls if c["questions"] == []]
    assert len(activity_checks) == 1 and activity_checks[0]["user"] == {"id": "alice", "type": "User"}
    # SCIM deactivates alice in Conductor: within the TTL her next request clears the cookie, and she is signed out.
    stub.active = lambda user: user != "alice"
    time.sleep(TTL)
    ended = browser.get("/ui/auth/me")
    assert f'{COOKIE_NAME_JWT_TOKEN}=""' in ended.headers["set-cookie"] and "Max-Age=0" in ended.headers["set-cookie"]
    assert COOKIE_NAME_JWT_TOKEN not in browser.cookies
    assert browser.get("/ui/auth/me").status_code == 401


def test_a_used_code_signs_nobody_in(airflow: tuple[TestClient, StubConductor]) -> None:
    browser, stub = airflow
    browser.cookies.clear()
    stub.codes["used-once"] = {"id": "bob", "name": "Bob", "groups": ["analysts"], "type": "User"}
    assert browser.get("/auth/callback", params={"code": "used-once"}).status_code == 302
    browser.cookies.clear()
    again = browser.get("/auth/callback", params={"code": "used-once", "next": "http://testserver/dags"})
    assert again.status_code == 401 and "set-cookie" not in again.headers
    assert 'href="/api/v2/auth/login?next=http%3A%2F%2Ftestserver%2Fdags"' in again.text
    assert browser.get("/ui/auth/me").status_code == 401
