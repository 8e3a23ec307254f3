"""The Airflow user of the Conductor auth manager: a Conductor principal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser


@dataclass(frozen=True)
class ConductorUser(BaseUser):
    """A person (or service account) as Conductor knows them: ``id`` is the Conductor principal id."""

    id: str
    name: str = ""
    groups: tuple[str, ...] = field(default_factory=tuple)
    principal_type: str = "User"

    def get_id(self) -> str:
        return self.id

    def get_name(self) -> str:
        return self.name or self.id

    def to_claims(self) -> dict[str, Any]:
        """The token claims Airflow stores for this user (``serialize_user``)."""
        return {"sub": self.id, "name": self.get_name(), "groups": list(self.groups), "principal_type": self.principal_type}

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> ConductorUser:
        """The user of a validated token: ``sub`` is the principal id, ``groups`` its groups (``deserialize_user``)."""
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise ValueError("the token has no subject")
        groups = claims.get("groups") or []
        if not isinstance(groups, list):
            groups = []
        name = claims.get("name")
        principal_type = claims.get("principal_type")
        return cls(
            id=sub,
            name=name if isinstance(name, str) else sub,
            groups=tuple(str(g) for g in groups),
            principal_type=principal_type if principal_type in ("User", "ServiceAccount") else "User",
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
        if principal_type not in ("User", "ServiceAccount"):
            raise ValueError("Conductor's user has an unknown type")
        return cls(id=user_id, name=name if isinstance(name, str) and name else user_id, groups=tuple(groups), principal_type=principal_type)
