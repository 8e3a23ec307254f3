"""Airflow's own API server app with this auth manager, installed as the README says, against a real Conductor: Airflow
trusts only Conductor's JWKS (which publishes Airflow's own key through ``identity.airflowTokens.extraJwks``), alice
signs in through Conductor and its identity provider, and Conductor's policy and directory decide."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
from conftest import RealConductor, airflow_api_server
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from fastapi.testclient import TestClient

SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture(scope="module")
def airflow(conductor: RealConductor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    token = tmp_path_factory.mktemp("airflow") / "conductor-token"
    token.write_text(conductor.token)
    with airflow_api_server(
        conductor.url, token,
        AIRFLOW__API_AUTH__TRUSTED_JWKS_URL=f"{conductor.url}/.well-known/airflow-jwks.json",
        AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH=conductor.airflow_key_path,
        AIRFLOW__API_AUTH__JWT_KID=conductor.airflow_kid,
    ) as app:
        # Conductor's environment `local` sends people back to http://testserver, TestClient's host.
        yield TestClient(app, follow_redirects=False)


def conductor_sends_back(conductor: RealConductor, username: str, next_url: str) -> str:
    """Signs ``username`` in to Conductor at the identity provider's login form, as a person would, then opens
    Conductor's Airflow login page; returns the path and query of Airflow's callback it redirects to."""
    with httpx.Client(follow_redirects=True, timeout=20) as person:
        page = person.get(f"{conductor.url}/auth/login", params={"returnTo": "/dags"})
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
        assert action, f"a login form at {page.url}"
        person.post(page.url.join(action.group(1)), data={"prompt": "login", "login": username, "password": username})
        back = person.get(f"{conductor.url}/auth/airflow/local/login", params={"next": next_url}, follow_redirects=False)
    assert back.status_code == 302
    callback = httpx.URL(back.headers["location"])
    assert (callback.host, callback.path) == ("testserver", "/auth/callback")
    return f"{callback.path}?{callback.query.decode()}"


def test_alice_signs_in_through_conductor_and_conductor_decides_her_menu(airflow: TestClient, conductor: RealConductor,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    airflow.cookies.clear()
    start = airflow.get("/api/v2/auth/login", params={"next": "http://testserver/dags"})
    assert start.headers["location"] == f"{conductor.url}/auth/airflow/local/login?next=http%3A%2F%2Ftestserver%2Fdags"
    callback = conductor_sends_back(conductor, "alice", "http://testserver/dags")
    started = time.perf_counter()
    signed_in = airflow.get(callback)
    elapsed = time.perf_counter() - started
    assert signed_in.status_code == 302 and signed_in.headers["location"] == "http://testserver/dags"
    # The cookie is Airflow's own token, signed with Airflow's key, which Airflow finds in Conductor's JWKS.
    header = jwt.get_unverified_header(airflow.cookies[COOKIE_NAME_JWT_TOKEN])
    assert (header["kid"], header["alg"]) == (conductor.airflow_kid, "EdDSA")
    assert airflow.get("/ui/auth/me").json() == {"id": "alice", "username": "Alice Example"}
    with capsys.disabled():
        print(f"\nAirflow's /auth/callback (code redeemed at a real Conductor, Airflow's token signed): {elapsed * 1000:.0f} ms")
    menu = airflow.get("/ui/auth/menus").json()["authorized_menu_items"]
    assert "Dags" in menu and "Config" not in menu
    # The code was single-use: the same callback again signs nobody in.
    airflow.cookies.clear()
    again = airflow.get(callback)
    assert again.status_code == 401 and "set-cookie" not in again.headers


def test_scim_deactivating_carol_ends_her_airflow_session_at_her_next_request(airflow: TestClient, conductor: RealConductor,
                                                                             capsys: pytest.CaptureFixture[str]) -> None:
    airflow.cookies.clear()
    assert airflow.get(conductor_sends_back(conductor, "carol", "http://testserver/dags")).status_code == 302
    assert airflow.get("/ui/auth/me").json()["id"] == "carol"
    scim = httpx.Client(base_url=f"{conductor.url}/scim/v2", headers={"authorization": f"Bearer {conductor.scim_token}"}, timeout=20)
    user = scim.post("/Users", json={"schemas": [SCIM_USER], "userName": "carol", "active": True})
    assert user.status_code == 201, user.text
    assert airflow.get("/ui/auth/me").status_code == 200
    # The IdP deactivates carol; Airflow's UI refuses her within the cache TTL (1 s), at her next request.
    started = time.perf_counter()
    off = scim.patch(f"/Users/{user.json()['id']}", json={"schemas": [SCIM_PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]})
    assert off.status_code == 200, off.text
    while COOKIE_NAME_JWT_TOKEN in airflow.cookies and time.perf_counter() - started < 5:
        airflow.get("/ui/auth/me")
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    assert COOKIE_NAME_JWT_TOKEN not in airflow.cookies
    assert airflow.get("/ui/auth/me").status_code == 401
    assert elapsed < 1.5
    with capsys.disabled():
        print(f"\nSCIM deactivation to Airflow's UI cookie cleared: {elapsed * 1000:.0f} ms (cache TTL 1 s)")


def test_a_bogus_code_is_refused_by_conductor(airflow: TestClient) -> None:
    airflow.cookies.clear()
    refused = airflow.get("/auth/callback", params={"code": "x" * 43, "next": "http://testserver/dags"})
    assert refused.status_code == 401 and "set-cookie" not in refused.headers
    assert "Sign-in failed" in refused.text
    assert airflow.get("/ui/auth/me").status_code == 401


def test_a_token_signed_by_a_key_conductor_does_not_publish_is_refused(airflow: TestClient, conductor: RealConductor) -> None:
    airflow.cookies.clear()
    now = int(time.time())
    claims = {"sub": "alice", "aud": "apache-airflow", "iat": now, "nbf": now, "exp": now + 300}
    own_key = load_pem_private_key(Path(conductor.airflow_key_path).read_bytes(), None)

    def me(key: Any) -> int:
        token = jwt.encode({**claims, "jti": uuid.uuid4().hex}, key, algorithm="EdDSA", headers={"kid": conductor.airflow_kid})
        return airflow.get("/ui/auth/me", headers={"authorization": f"Bearer {token}"}).status_code

    assert me(own_key) == 200
    assert me(Ed25519PrivateKey.generate()) == 403
