"""Times the Conductor auth manager's ``filter_authorized_dag_ids`` for 5,000 DAGs against a real Conductor.

Run by ``bench/filter-dag-ids.bench.ts`` with the pinned Airflow's Python and ``PYTHONPATH=integrations/airflow/src``.
Arguments: Conductor's URL, a file holding the manager's Conductor token, the number of timed calls. The decision
cache is off (TTL 0), so every call asks Conductor. Prints one JSON line: the samples in milliseconds, for the whole
``filter_authorized_dag_ids`` and for the bare client call (``ConductorClient.decide``, the HTTP round trip).
"""

from __future__ import annotations

import json
import sys
import time

from airflow_conductor import ConductorAuthManager, ConductorSettings, ConductorUser
from airflow_conductor.client import ConductorClient, Question

DAGS = 5000
WARMUP = 3


def main() -> None:
    url, token_file, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
    settings = ConductorSettings(url=url, environment="local", token_file=token_file, timeout_seconds=60.0, cache_ttl_seconds=0.0)
    manager = ConductorAuthManager(settings)
    client = ConductorClient(settings)
    alice = ConductorUser(id="alice", name="Alice Example", groups=("data-eng",))
    dag_ids = {f"dag_{i:05d}" for i in range(DAGS)}
    expected = {f"dag_{i:05d}" for i in range(0, DAGS, 2)}
    questions = [Question("dag", "GET", id=i) for i in sorted(dag_ids)]

    for _ in range(WARMUP):
        if manager.filter_authorized_dag_ids(dag_ids=dag_ids, user=alice) != expected:
            raise SystemExit("alice should see exactly the 2,500 team:data-eng DAGs")
        client.decide("alice", "User", questions)

    manager_ms: list[float] = []
    client_ms: list[float] = []
    for _ in range(calls):
        started = time.perf_counter()
        allowed = manager.filter_authorized_dag_ids(dag_ids=dag_ids, user=alice)
        manager_ms.append((time.perf_counter() - started) * 1000)
        if allowed != expected:
            raise SystemExit(f"alice saw {len(allowed)} DAGs, expected {len(expected)}")
        started = time.perf_counter()
        answers = client.decide("alice", "User", questions)
        client_ms.append((time.perf_counter() - started) * 1000)
        if sum(answers.allowed) != len(expected):
            raise SystemExit("the client's answers do not match")
    print(json.dumps({"dags": DAGS, "allowed": len(expected), "managerMs": manager_ms, "clientMs": client_ms}))


if __name__ == "__main__":
    main()
