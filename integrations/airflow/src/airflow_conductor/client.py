"""Conductor's batch decision endpoint, ``POST /api/v1/airflow/{env}/authorize``."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from airflow_conductor.settings import ConductorSettings

#: The most questions Conductor takes in one call; longer batches are split.
MAX_QUESTIONS = 10_000


@dataclass(frozen=True)
class Question:
    """One authorization question, as Conductor's endpoint takes it (see docs/airflow-auth-manager.md)."""

    resource: str
    method: str
    access_entity: str | None = None
    id: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"resource": self.resource, "method": self.method}
        if self.access_entity is not None:
            body["accessEntity"] = self.access_entity
        if self.id is not None:
            body["id"] = self.id
        return body


class ConductorUnavailable(Exception):
    """Conductor could not answer (unreachable, timed out, refused the credential, or answered nonsense)."""


@dataclass(frozen=True)
class Answers:
    """Conductor's answers, in question order, and the policy version that gave them."""

    policy_version: int
    allowed: list[bool]


class ConductorClient:
    """Asks Conductor about one user in as few calls as the batch limit allows (one, up to 10,000 questions)."""

    def __init__(self, settings: ConductorSettings) -> None:
        self._settings = settings
        env = urllib.parse.quote(settings.environment, safe="")
        self._endpoint = f"{settings.url.rstrip('/')}/api/v1/airflow/{env}/authorize"

    def decide(self, user_id: str, user_type: str, questions: list[Question]) -> Answers:
        """Answers ``questions`` for the user. Raises :class:`ConductorUnavailable` when Conductor cannot answer."""
        token = self._settings.token()
        if token is None:
            raise ConductorUnavailable("no Conductor credential: set [conductor] token_file or $CONDUCTOR_AIRFLOW_TOKEN")
        allowed: list[bool] = []
        version = 0
        for start in range(0, len(questions), MAX_QUESTIONS):
            chunk = questions[start : start + MAX_QUESTIONS]
            answers = self._call(token, user_id, user_type, chunk)
            version = answers.policy_version
            allowed.extend(answers.allowed)
        return Answers(policy_version=version, allowed=allowed)

    def _call(self, token: str, user_id: str, user_type: str, questions: list[Question]) -> Answers:
        body = json.dumps({"user": {"id": user_id, "type": user_type}, "questions": [q.to_json() for q in questions]}).encode()
        request = urllib.request.Request(
            self._endpoint,
            data=body,
            method="POST",
            headers={"content-type": "application/json", "authorization": f"Bearer {token}", "accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._settings.timeout_seconds) as response:
                payload = json.loads(response.read())
        except urllib.error.HTTPError as error:
            code = _error_code(error)
            raise ConductorUnavailable(f"Conductor answered {error.code}{f' ({code})' if code else ''} at {self._endpoint}") from error
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            raise ConductorUnavailable(f"Conductor unreachable at {self._endpoint}: {getattr(error, 'reason', error)}") from error
        except ValueError as error:
            raise ConductorUnavailable(f"Conductor answered something that is not JSON at {self._endpoint}") from error
        try:
            decisions = payload["decisions"]
            version = int(payload["policyVersion"])
            allowed = [d["allowed"] is True for d in decisions]
        except (KeyError, TypeError, ValueError) as error:
            raise ConductorUnavailable(f"Conductor's answer at {self._endpoint} has no decisions") from error
        if len(allowed) != len(questions):
            raise ConductorUnavailable(f"Conductor answered {len(allowed)} of {len(questions)} questions")
        return Answers(policy_version=version, allowed=allowed)


def _error_code(error: urllib.error.HTTPError) -> str | None:
    try:
        code = json.loads(error.read())["error"]["code"]
        return code if isinstance(code, str) else None
    except Exception:  # noqa: BLE001 - any unreadable error body just has no code
        return None
