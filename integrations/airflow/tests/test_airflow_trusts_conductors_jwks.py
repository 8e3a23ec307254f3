"""Installed as the README says: Airflow trusts only Conductor's JWKS (a real Conductor publishing Airflow's own key
through ``identity.airflowTokens.extraJwks``) and signs with its own key; the sign-in cookie then works, and a token
signed by any other key does not."""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
from conftest import RealConductor, StubConductor, airflow_api_server, serve_stub
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def airflow(conductor: RealConductor) -> Iterator[tuple[TestClient, StubConductor]]:
    # Sign-in codes come from the stub; the keys Airflow trusts come from the real Conductor.
    with serve_stub() as stub, tempfile.TemporaryDirectory() as scratch:
        token = Path(scratch) / "conductor-token"
        token.write_text("stub-token")
        with airflow_api_server(
            stub.url, token,
            AIRFLOW__API_AUTH__TRUSTED_JWKS_URL=f"{conductor.url}/.well-known/airflow-jwks.json",
            AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH=conductor.airflow_key_path,
            AIRFLOW__API_AUTH__JWT_KID=conductor.airflow_kid,
        ) as app:
            yield TestClient(app, follow_redirects=False), stub


def test_the_sign_in_cookie_is_signed_by_airflows_key_and_accepted_through_conductors_jwks(
    airflow: tuple[TestClient, StubConductor], conductor: RealConductor,
) -> None:
    browser, stub = airflow
    stub.codes["jwks-code"] = {"id": "alice", "name": "Alice Example", "groups": ["data-eng"], "type": "User"}
    assert browser.get("/auth/callback", params={"code": "jwks-code"}).status_code == 302
    header = jwt.get_unverified_header(browser.cookies[COOKIE_NAME_JWT_TOKEN])
    assert (header["kid"], header["alg"]) == (conductor.airflow_kid, "EdDSA")
    assert browser.get("/ui/auth/me").json() == {"id": "alice", "username": "Alice Example"}


def test_a_token_signed_by_a_key_conductor_does_not_publish_is_refused(airflow: tuple[TestClient, StubConductor], conductor: RealConductor) -> None:
    browser, _stub = airflow
    browser.cookies.clear()
    now = int(time.time())
    claims = {"sub": "alice", "aud": "apache-airflow", "iat": now, "nbf": now, "exp": now + 300, "jti": uuid.uuid4().hex}
    own_key = load_pem_private_key(Path(conductor.airflow_key_path).read_bytes(), None)

    def me(key: Any) -> int:
        token = jwt.encode({**claims, "jti": uuid.uuid4().hex}, key, algorithm="EdDSA", headers={"kid": conductor.airflow_kid})
        return browser.get("/ui/auth/me", headers={"authorization": f"Bearer {token}"}).status_code

    assert me(own_key) == 200
    assert me(Ed25519PrivateKey.generate()) == 403
