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
