"""The auth manager's settings, from Airflow's ``[conductor]`` section (or ``AIRFLOW__CONDUCTOR__*``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TOKEN_ENV = "CONDUCTOR_AIRFLOW_TOKEN"


@dataclass(frozen=True)
class ConductorSettings:
    """Where Conductor is, which of its environments this Airflow is, and how the manager proves who it is.

    The credential is a Conductor token of a principal allowed ``airflow:authorize`` on ``environment``:
    read from ``token_file`` at every call (so a rotated file is picked up), else from ``$CONDUCTOR_AIRFLOW_TOKEN``.
    """

    url: str
    environment: str
    token_file: str | None = None
    timeout_seconds: float = 5.0
    # Half a second: a deprovisioned person is refused within a second, answer time included.
    cache_ttl_seconds: float = 0.5
    cache_size: int = 10_000

    def token(self) -> str | None:
        """The bearer token to call Conductor with, or None when none is configured."""
        if self.token_file:
            try:
                value = Path(self.token_file).read_text(encoding="utf-8").strip()
            except OSError:
                return None
            return value or None
        return os.environ.get(TOKEN_ENV) or None

    @classmethod
    def from_airflow_conf(cls) -> ConductorSettings:
        """Reads ``[conductor] url, environment, token_file, timeout_seconds, cache_ttl_seconds, cache_size``."""
        from airflow.configuration import conf

        return cls(
            url=conf.get("conductor", "url").rstrip("/"),
            environment=conf.get("conductor", "environment"),
            token_file=conf.get("conductor", "token_file", fallback=None) or None,
            timeout_seconds=conf.getfloat("conductor", "timeout_seconds", fallback=1.0),
            cache_ttl_seconds=conf.getfloat("conductor", "cache_ttl_seconds", fallback=0.5),
            cache_size=conf.getint("conductor", "cache_size", fallback=10_000),
        )
