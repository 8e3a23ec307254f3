"""Fixtures: a stub Conductor (for the cache and failure paths) and a real one (``conductor-for-tests.ts``)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from airflow_conductor import ConductorAuthManager, ConductorSettings, ConductorUser

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class StubConductor:
    """Conductor's endpoints for the auth manager, answered from this state.

    Decisions: ``rule(user_id, question)``, under policy ``version``, with ``userActive`` = ``active(user_id)`` (left out
    when None); every call is in ``calls``. Sign-in: ``codes`` maps each one-time code to the user it signs in (taken on
    use; any other code is refused with 400 ``airflow_sign_in_invalid``); the codes asked for are in ``sign_ins``.
    ``failure`` = (status, error code) makes every endpoint answer that instead.
    """

    url: str
    rule: Callable[[str, dict[str, Any]], bool] = lambda _user, _q: False
    active: Callable[[str], bool | None] = lambda _user: True
    version: int = 1
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    failure: tuple[int, str] | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)
    sign_ins: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The status and JSON body Conductor answers ``POST path`` with."""
        if path.endswith("/sign-in"):
            self.sign_ins.append(body.get("code", ""))
        else:
            self.calls.append({"path": path, **body})
        if self.failure is not None:
            return self.failure[0], {"error": {"code": self.failure[1], "message": "stub failure"}}
        if path.endswith("/sign-in"):
            user = self.codes.pop(body.get("code", ""), None)
            if user is None:
                return 400, {"error": {"code": "airflow_sign_in_invalid", "message": "unknown, used or expired code"}}
            return 200, {"user": user}
        user_id = body["user"]["id"]
        answer: dict[str, Any] = {
            "policyVersion": self.version,
            "decisions": [{"allowed": self.rule(user_id, q), "action": None, "policyIds": []} for q in body["questions"]],
        }
        if (active := self.active(user_id)) is not None:
            answer["userActive"] = active
        return 200, answer


@contextmanager
def serve_stub() -> Iterator[StubConductor]:
    """A :class:`StubConductor` listening on a free local port for as long as the block runs."""
    state = StubConductor(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            state.tokens.append(self.headers.get("authorization", ""))
            status, answer = state.answer(self.path, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def stub() -> Iterator[StubConductor]:
    with serve_stub() as state:
        yield state


def manager_for(url: str, token_file: Path, *, ttl: float = 60.0, size: int = 10_000) -> ConductorAuthManager:
    """A manager for environment ``local`` at ``url``."""
    return ConductorAuthManager(ConductorSettings(url=url, environment="local", token_file=str(token_file), timeout_seconds=5.0, cache_ttl_seconds=ttl, cache_size=size))


@pytest.fixture(scope="session", autouse=True)
def airflow_jwt_secret() -> None:
    """A long enough secret for the tokens Airflow signs itself (it would otherwise make a short one up and warn)."""
    os.environ.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", secrets.token_urlsafe(64))


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "conductor-token"
    path.write_text("stub-token\n")
    return path


@pytest.fixture
def alice() -> ConductorUser:
    return ConductorUser(id="alice", name="Alice", groups=("data-eng",))


@contextmanager
def airflow_api_server(conductor_url: str, token_file: Path, **airflow_env: str) -> Iterator[FastAPI]:
    """Airflow's own API server app (``create_app``), built with this auth manager for environment ``local`` at
    ``conductor_url`` and any more ``AIRFLOW__…`` settings; the settings and Airflow's cached signer and validator are
    restored afterwards. Its database holds only the table these tests' requests touch (revoked tokens)."""
    from airflow import settings
    from airflow.api_fastapi.app import create_app, purge_cached_app
    from airflow.models.revoked_token import RevokedToken

    with pytest.MonkeyPatch.context() as env:
        env.setenv("AIRFLOW__CORE__AUTH_MANAGER", "airflow_conductor.ConductorAuthManager")
        env.setenv("AIRFLOW__CONDUCTOR__URL", conductor_url)
        env.setenv("AIRFLOW__CONDUCTOR__ENVIRONMENT", "local")
        env.setenv("AIRFLOW__CONDUCTOR__TOKEN_FILE", str(token_file))
        for key, value in airflow_env.items():
            env.setenv(key, value)
        RevokedToken.__table__.create(settings.get_engine(), checkfirst=True)
        _forget_airflow_keys()
        purge_cached_app()
        try:
            yield create_app(apps="core")
        finally:
            purge_cached_app()
            _forget_airflow_keys()


def _forget_airflow_keys() -> None:
    ConductorAuthManager._get_token_signer.cache_clear()  # noqa: SLF001 - Airflow caches them per process
    ConductorAuthManager._get_token_validator.cache_clear()  # noqa: SLF001


@dataclass
class RealConductor:
    url: str
    token: str
    bob_token: str
    alice_token: str
    airflow_key_path: str
    airflow_kid: str
    scim_token: str


@pytest.fixture(scope="session")
def conductor() -> Iterator[RealConductor]:
    """A real Conductor (the repository's server, SQLite, the demo policies), with 5,000 DAGs in environment ``local``
    and environment ``stubbed`` (``etl_daily``, ``ml_train``) served by the stub Airflow."""
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "with-node.sh"), "node", str(ROOT / "integrations" / "airflow" / "tests" / "conductor-for-tests.ts")],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        pytest.fail("Conductor did not start (integrations/airflow/tests/conductor-for-tests.ts)")
    started = json.loads(line)
    yield RealConductor(url=started["url"], token=started["token"], bob_token=started["bobToken"], alice_token=started["aliceToken"],
                        airflow_key_path=started["airflowKeyPath"], airflow_kid=started["airflowKid"], scim_token=started["scimToken"])
    process.stdin.close()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
