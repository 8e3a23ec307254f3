"""Conductor's endpoints for the auth manager: batch decisions (``/authorize``) and the sign-in code exchange (``/sign-in``)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from airflow_conductor.settings import ConductorSettings
from airflow_conductor.user import ConductorUser

#: The most questions Conductor takes in one call; longer batches are split.
MAX_QUESTIONS = 10_000


@dataclass(frozen=True)
class Question:
    """One authorization question, as Conductor's endpoint takes it (see docs/airflow-auth-manager.md)."""

    resource: str
    method: str
    access_entity: str | None = None
    id: str | None = None
    #: For a DAG: its team in Airflow's multi-team mode (``DagDetails.team_name``), sent only when ``team_known``.
    team: str | None = None
    team_known: bool = False

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"resource": self.resource, "method": self.method}
        if self.access_entity is not None:
            body["accessEntity"] = self.access_entity
        if self.id is not None:
            body["id"] = self.id
        if self.team_known:
            body["team"] = self.team
        return body


class ConductorUnavailable(Exception):
    """Conductor could not answer (unreachable, timed out, refused the credential, or answered nonsense)."""


class SignInRefused(Exception):
    """Conductor refused a sign-in code (400): unknown, already used, expired, or issued for another environment.

    The message is Conductor's error code (``airflow_sign_in_invalid``), never the code itself.
    """


@dataclass(frozen=True)
class Answers:
    """Conductor's answers, in question order, the policy version that gave them, and whether the user is active.

    ``user_active`` is False when Conductor has never seen the user or its directory refuses them (deactivated,
    deprovisioned), and None when Conductor did not say.
    """

    policy_version: int
    allowed: list[bool]
    user_active: bool | None = None


class ConductorClient:
    """Asks Conductor about one user in as few calls as the batch limit allows (one, up to 10,000 questions)."""

    def __init__(self, settings: ConductorSettings) -> None:
        self._settings = settings
        env = urllib.parse.quote(settings.environment, safe="")
        self._base = f"{settings.url.rstrip('/')}/api/v1/airflow/{env}"
        self._endpoint = f"{self._base}/authorize"

    def decide(self, user_id: str, user_type: str, questions: list[Question], request: str | None = None) -> Answers:
        """Answers ``questions`` for the user (no questions: one call that only says whether the user is active).

        ``request`` is the user's ``conductor_request`` claim, sent along so Conductor can let the approved request it
        is dispatching through.

        Raises :class:`ConductorUnavailable` when Conductor cannot answer.
        """
        token = self._token()
        allowed: list[bool] = []
        version = 0
        active: bool | None = None
        for start in range(0, max(len(questions), 1), MAX_QUESTIONS):
            chunk = questions[start : start + MAX_QUESTIONS]
            answers = self._call(token, user_id, user_type, chunk, request)
            version = answers.policy_version
            if answers.user_active is not None:
                active = answers.user_active
            allowed.extend(answers.allowed)
        return Answers(policy_version=version, allowed=allowed, user_active=active)

    def is_active(self, user_id: str, user_type: str) -> bool:
        """Whether Conductor still knows the user and its directory accepts them (a batch of no questions).

        Raises :class:`ConductorUnavailable` when Conductor cannot answer or does not say.
        """
        active = self.decide(user_id, user_type, []).user_active
        if active is None:
            raise ConductorUnavailable(f"Conductor's answer at {self._endpoint} does not say whether the user is active")
        return active

    def sign_in(self, code: str) -> ConductorUser:
        """Exchanges a one-time sign-in code for the person it was issued to.

        Raises :class:`SignInRefused` when Conductor refuses the code, :class:`ConductorUnavailable` otherwise.
        """
        endpoint = f"{self._base}/sign-in"
        try:
            payload = self._post(endpoint, self._token(), {"code": code})
        except urllib.error.HTTPError as error:
            if error.code == 400:
                raise SignInRefused(_error_code(error) or "refused") from None
            raise _unavailable(error, endpoint) from error
        try:
            return ConductorUser.from_conductor(payload["user"])
        except (KeyError, TypeError, ValueError) as error:
            raise ConductorUnavailable(f"Conductor's answer at {endpoint} has no user") from error

    def _token(self) -> str:
        token = self._settings.token()
        if token is None:
            raise ConductorUnavailable("no Conductor credential: set [conductor] token_file or $CONDUCTOR_AIRFLOW_TOKEN")
        return token

    def _call(self, token: str, user_id: str, user_type: str, questions: list[Question], request: str | None = None) -> Answers:
        user: dict[str, str] = {"id": user_id, "type": user_type}
        if request is not None:
            user["request"] = request
        body = {"user": user, "questions": [q.to_json() for q in questions]}
        try:
            payload = self._post(self._endpoint, token, body)
        except urllib.error.HTTPError as error:
            raise _unavailable(error, self._endpoint) from error
        try:
            decisions = payload["decisions"]
            version = int(payload["policyVersion"])
            allowed = [d["allowed"] is True for d in decisions]
        except (KeyError, TypeError, ValueError) as error:
            raise ConductorUnavailable(f"Conductor's answer at {self._endpoint} has no decisions") from error
        if len(allowed) != len(questions):
            raise ConductorUnavailable(f"Conductor answered {len(allowed)} of {len(questions)} questions")
        active = payload.get("userActive")
        return Answers(policy_version=version, allowed=allowed, user_active=active if isinstance(active, bool) else None)

    def _post(self, endpoint: str, token: str, body: dict[str, Any]) -> Any:
        """POSTs ``body`` as JSON and returns the JSON answer; an HTTP error status is raised as it is."""
        request = urllib.request.Request(
            endpoint,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"content-type": "application/json", "authorization": f"Bearer {token}", "accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._settings.timeout_seconds) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError:
            raise
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            raise ConductorUnavailable(f"Conductor unreachable at {endpoint}: {getattr(error, 'reason', error)}") from error
        except ValueError as error:
            raise ConductorUnavailable(f"Conductor answered something that is not JSON at {endpoint}") from error


def _unavailable(error: urllib.error.HTTPError, endpoint: str) -> ConductorUnavailable:
    code = _error_code(error)
    return ConductorUnavailable(f"Conductor answered {error.code}{f' ({code})' if code else ''} at {endpoint}")


def _error_code(error: urllib.error.HTTPError) -> str | None:
    try:
        code = json.loads(error.read())["error"]["code"]
        return code if isinstance(code, str) else None
    except Exception:  # noqa: BLE001 - any unreadable error body just has no code
        return None
