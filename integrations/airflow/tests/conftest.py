"""Fixtures: a stub Conductor (for the cache and failure paths) and a real one (``conductor-for-tests.ts``)."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from airflow_conductor import ConductorAuthManager, ConductorSettings, ConductorUser

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class StubConductor:
    """Answers the decision endpoint with ``rule(user_id, question)``; counts calls; ``version`` is the policy version."""

    url: str
    rule: Callable[[str, dict[str, Any]], bool] = lambda _user, _q: False
    version: int = 1
    calls: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)


@pytest.fixture
def stub() -> Iterator[StubConductor]:
    state = StubConductor(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            state.calls.append({"path": self.path, **body})
            state.tokens.append(self.headers.get("authorization", ""))
            user = body["user"]["id"]
            answer = {
                "policyVersion": state.version,
                "decisions": [{"allowed": state.rule(user, q), "action": None, "policyIds": []} for q in body["questions"]],
            }
            data = json.dumps(answer).encode()
            self.send_response(200)
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
    yield state
    server.shutdown()
    server.server_close()


def manager_for(url: str, token_file: Path, *, ttl: float = 60.0, size: int = 10_000) -> ConductorAuthManager:
    """A manager for environment ``local`` at ``url``."""
    return ConductorAuthManager(ConductorSettings(url=url, environment="local", token_file=str(token_file), timeout_seconds=5.0, cache_ttl_seconds=ttl, cache_size=size))


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "conductor-token"
    path.write_text("stub-token\n")
    return path


@pytest.fixture
def alice() -> ConductorUser:
    return ConductorUser(id="alice", name="Alice", groups=("data-eng",))


@dataclass
class RealConductor:
    url: str
    token: str
    bob_token: str
    alice_token: str


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
    yield RealConductor(url=started["url"], token=started["token"], bob_token=started["bobToken"], alice_token=started["aliceToken"])
    process.stdin.close()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
