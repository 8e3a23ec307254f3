"""The Airflow user of the Conductor auth manager: a Conductor principal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser

#: The claim naming the approved request a Conductor-signed token dispatches (Conductor's ``REQUEST_CLAIM``).
REQUEST_CLAIM = "conductor_request"

#: Conductor's principal types: people, service accounts, and AI agents (service accounts with a human sponsor).
PRINCIPAL_TYPES = ("User", "ServiceAccount", "Agent")


@dataclass(frozen=True)
class ConductorUser(BaseUser):
    """A person, service account or AI agent as Conductor knows them: ``id`` is the Conductor principal id."""

    id: str
    name: str = ""
    groups: tuple[str, ...] = field(default_factory=tuple)
    principal_type: str = "User"
    #: The approved request Conductor is dispatching as this person (claim ``conductor_request``), only on tokens
    #: Conductor signs for that dispatch; None for a person's own sign-in.
    request: str | None = None

    def get_id(self) -> str:
        return self.id

    def get_name(self) -> str:
        """The principal id: what Airflow records as a run's ``triggering_user_name`` and an event's owner, and shows as the username.

        Conductor matches those back to the principal; the display name stays in ``name``.
        """
        return self.id

    def to_claims(self) -> dict[str, Any]:
        """The token claims Airflow stores for this user (``serialize_user``)."""
        claims: dict[str, Any] = {"sub": self.id, "name": self.name or self.id, "groups": list(self.groups), "principal_type": self.principal_type}
        if self.request is not None:
            claims[REQUEST_CLAIM] = self.request
        return claims

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> ConductorUser:
        """The user of a validated token: ``sub`` is the principal id, ``groups`` its groups, ``conductor_request`` the
        approved request Conductor dispatches with it, if any (``deserialize_user``)."""
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise ValueError("the token has no subject")
        groups = claims.get("groups") or []
        if not isinstance(groups, list):
            groups = []
        name = claims.get("name")
        principal_type = claims.get("principal_type")
        request = claims.get(REQUEST_CLAIM)
        return cls(
            id=sub,
            name=name if isinstance(name, str) else sub,
            groups=tuple(str(g) for g in groups),
            principal_type=principal_type if principal_type in PRINCIPAL_TYPES else "User",
            request=request if isinstance(request, str) and request else None,
        )

    @classmethod
    def from_conductor(cls, data: Any) -> ConductorUser:
        """The user of Conductor's sign-in answer: ``{"id", "name", "groups", "type"}``. Raises ValueError or TypeError when malformed."""
        if not isinstance(data, dict):
            raise TypeError("Conductor's user is not an object")
        user_id, name, groups, principal_type = data.get("id"), data.get("name"), data.get("groups", []), data.get("type", "User")
        if not isinstance(user_id, str) or not user_id:
            raise ValueError("Conductor's user has no id")
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise ValueError("Conductor's user has malformed groups")
        if principal_type not in PRINCIPAL_TYPES:
            raise ValueError("Conductor's user has an unknown type")
        return cls(id=user_id, name=name if isinstance(name, str) and name else user_id, groups=tuple(groups), principal_type=principal_type)
