"""``ConductorAuthManager``: Airflow 3's authorization questions answered by Conductor's Cedar policy."""

from __future__ import annotations

import logging
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from airflow.api_fastapi.auth.managers.base_auth_manager import BaseAuthManager
from airflow.api_fastapi.auth.managers.exceptions import AuthManagerRefreshTokenExpiredException
from airflow.api_fastapi.common.types import MenuItem

from airflow_conductor.cache import DecisionCache
from airflow_conductor.client import ConductorClient, ConductorUnavailable, Question
from airflow_conductor.settings import ConductorSettings
from airflow_conductor.user import ConductorUser

if TYPE_CHECKING:
    from airflow.api_fastapi.auth.managers.base_auth_manager import ExtendedResourceMethod, ResourceMethod
    from airflow.api_fastapi.auth.managers.models.batch_apis import (
        IsAuthorizedConnectionRequest,
        IsAuthorizedDagRequest,
        IsAuthorizedPoolRequest,
        IsAuthorizedVariableRequest,
    )
    from airflow.api_fastapi.auth.managers.models.resource_details import (
        AccessView,
        AssetAliasDetails,
        AssetDetails,
        ConfigurationDetails,
        ConnectionDetails,
        DagAccessEntity,
        DagDetails,
        PoolDetails,
        TeamDetails,
        VariableDetails,
    )
    from fastapi import FastAPI

log = logging.getLogger(__name__)


def _word(value: Any) -> str:
    """An enum member's value (``ResourceMethod.GET`` → ``"GET"``), or the string itself."""
    return str(getattr(value, "value", value))


class ConductorAuthManager(BaseAuthManager[ConductorUser]):
    """Every ``is_authorized_*`` / ``batch_is_authorized_*`` / ``filter_authorized_*`` answered by Conductor.

    Questions go to ``POST <conductor>/api/v1/airflow/<environment>/authorize`` in batches (one call for a whole
    ``filter_authorized_dag_ids``); answers are cached briefly per user and question and dropped when Conductor's
    policy version moves. Fails closed: when Conductor cannot answer, every question is denied and the reason is logged.

    Sign-in goes through Conductor (:meth:`get_url_login`, then the ``/auth/callback`` of :meth:`get_fastapi_app`), and
    :meth:`refresh_user` ends the UI session of a user Conductor no longer knows as active.
    """

    def __init__(self, settings: ConductorSettings | None = None, client: ConductorClient | None = None) -> None:
        super().__init__()
        self._settings = settings
        self._client = client
        self._cache: DecisionCache | None = None
        self._activity: DecisionCache | None = None
        self._activity_unknown_until = 0.0

    def _get_teams(self) -> set[str]:
        """The teams this manager defines: none. Airflow's multi-team mode asks at start (``init``) and requires each
        to exist in its ``team`` table; a team here is only a name Airflow puts in its questions (membership is the
        person's Conductor group of that name), so there is nothing for Airflow to check."""
        return set()

    # -- wiring ---------------------------------------------------------------------------------------------------

    @property
    def settings(self) -> ConductorSettings:
        """The ``[conductor]`` settings (read from Airflow's config on first use when not given)."""
        if self._settings is None:
            self._settings = ConductorSettings.from_airflow_conf()
        return self._settings

    @property
    def cache(self) -> DecisionCache:
        """The decision cache."""
        if self._cache is None:
            self._cache = DecisionCache(size=self.settings.cache_size, ttl_seconds=self.settings.cache_ttl_seconds)
        return self._cache

    @property
    def activity(self) -> DecisionCache:
        """Whether each user is still active in Conductor, kept as long as decisions (``cache_ttl_seconds``)."""
        if self._activity is None:
            self._activity = DecisionCache(size=self.settings.cache_size, ttl_seconds=self.settings.cache_ttl_seconds)
        return self._activity

    def conductor(self) -> ConductorClient:
        """The client of Conductor's endpoints."""
        if self._client is None:
            self._client = ConductorClient(self.settings)
        return self._client

    def decide(self, user: ConductorUser, questions: Sequence[Question]) -> list[bool]:
        """Answers ``questions`` for ``user``, from the cache where it can and in one call for the rest. Denies all on failure.

        A user whose token names an approved request (Conductor dispatching it as them) is never answered from the
        cache nor cached: what Conductor allows for that dispatch holds only while it lasts, and never for the person
        signed in on their own.
        """
        keys = [(user.get_id(), user.principal_type, q) for q in questions]
        cached = user.request is None
        answers: list[bool | None] = [self.cache.get(key) if cached else None for key in keys]
        missing = sorted({q for q, a in zip(questions, answers) if a is None}, key=lambda q: (q.resource, q.method, q.access_entity or "", q.id or ""))
        if missing:
            try:
                fresh = self.conductor().decide(user.get_id(), user.principal_type, missing, user.request)
            except ConductorUnavailable as error:
                # Fail closed: nothing is allowed while Conductor cannot answer, not even what was allowed a moment ago.
                self.cache.clear()
                log.warning("Conductor auth manager: denying %d question(s) for %s: %s", len(questions), user.get_id(), error)
                return [False] * len(questions)
            self.cache.observe_version(fresh.policy_version)
            if fresh.user_active is not None:
                self.activity.put(_user_key(user), fresh.user_active)
            by_question = dict(zip(missing, fresh.allowed))
            for key, question in zip(keys, questions):
                if cached and question in by_question:
                    self.cache.put(key, by_question[question])
            answers = [a if a is not None else by_question[q] for q, a in zip(questions, answers)]
        return [a is True for a in answers]

    def _one(self, user: ConductorUser, question: Question) -> bool:
        return self.decide(user, [question])[0]

    # -- users ----------------------------------------------------------------------------------------------------

    def deserialize_user(self, token: dict[str, Any]) -> ConductorUser:
        return ConductorUser.from_claims(token)

    def serialize_user(self, user: ConductorUser) -> dict[str, Any]:
        return user.to_claims()

    def get_url_login(self, **kwargs: Any) -> str:
        """Conductor's sign-in for this environment (``<conductor>/auth/airflow/<environment>/login``).

        ``?next=`` is added only for ``next_url``: Airflow's ``/api/v2/auth/login`` appends its own ``?next=``.
        """
        env = urllib.parse.quote(self.settings.environment, safe="")
        url = f"{self.settings.url.rstrip('/')}/auth/airflow/{env}/login"
        next_url = kwargs.get("next_url")
        return f"{url}?{urllib.parse.urlencode({'next': next_url})}" if next_url else url

    def get_fastapi_app(self) -> FastAPI:
        """The sub-app Airflow mounts at ``/auth``: ``GET /auth/callback``, where Conductor sends people back signed in."""
        from airflow_conductor.login import create_sign_in_app

        return create_sign_in_app(self)

    def refresh_user(self, *, user: ConductorUser) -> ConductorUser | None:
        """Ends the UI session (Airflow clears its cookie) of a user Conductor no longer knows as active.

        Airflow calls this on every request carrying its UI cookie; the answer is kept ``cache_ttl_seconds`` per user,
        so a page's burst of requests costs one call. When Conductor cannot answer the session is kept: every decision
        is denied meanwhile anyway. Airflow calls this on its event loop, so after a failed call no user is asked about
        for ``cache_ttl_seconds``: a Conductor that times out stalls the API server once per TTL, not on every request.
        """
        if self.user_active(user) is False:
            log.info("Conductor auth manager: %s is no longer active in Conductor, ending their Airflow session", user.get_id())
            raise AuthManagerRefreshTokenExpiredException(f"{user.get_id()} is no longer active in Conductor")
        return None

    def user_active(self, user: ConductorUser) -> bool | None:
        """Whether Conductor still knows ``user`` as active (cached), or None when Conductor cannot say."""
        key = _user_key(user)
        known = self.activity.get(key)
        if known is not None:
            return known
        if time.monotonic() < self._activity_unknown_until:
            return None
        try:
            active = self.conductor().is_active(user.get_id(), user.principal_type)
        except ConductorUnavailable as error:
            self._activity_unknown_until = time.monotonic() + self.settings.cache_ttl_seconds
            log.warning("Conductor auth manager: cannot tell whether %s is still active, keeping the session: %s", user.get_id(), error)
            return None
        self.activity.put(key, active)
        return active

    # -- single questions -----------------------------------------------------------------------------------------

    def is_authorized_configuration(self, *, method: ResourceMethod, user: ConductorUser, details: ConfigurationDetails | None = None) -> bool:
        return self._one(user, Question("configuration", _word(method), id=details.section if details else None))

    def is_authorized_connection(self, *, method: ResourceMethod, user: ConductorUser, details: ConnectionDetails | None = None) -> bool:
        return self._one(user, Question("connection", _word(method), id=details.conn_id if details else None))

    def is_authorized_dag(
        self,
        *,
        method: ResourceMethod,
        user: ConductorUser,
        access_entity: DagAccessEntity | None = None,
        details: DagDetails | None = None,
    ) -> bool:
        return self._one(user, _dag_question(method, access_entity, details))

    def is_authorized_asset(self, *, method: ResourceMethod, user: ConductorUser, details: AssetDetails | None = None) -> bool:
        return self._one(user, Question("asset", _word(method), id=details.id if details else None))

    def is_authorized_asset_alias(self, *, method: ResourceMethod, user: ConductorUser, details: AssetAliasDetails | None = None) -> bool:
        return self._one(user, Question("asset_alias", _word(method), id=details.id if details else None))

    def is_authorized_pool(self, *, method: ResourceMethod, user: ConductorUser, details: PoolDetails | None = None) -> bool:
        return self._one(user, Question("pool", _word(method), id=details.name if details else None))

    def is_authorized_team(self, *, method: ResourceMethod, user: ConductorUser, details: TeamDetails | None = None) -> bool:
        return self._one(user, Question("team", _word(method), id=details.name if details else None))

    def is_authorized_variable(self, *, method: ResourceMethod, user: ConductorUser, details: VariableDetails | None = None) -> bool:
        return self._one(user, Question("variable", _word(method), id=details.key if details else None))

    def is_authorized_view(self, *, access_view: AccessView, user: ConductorUser) -> bool:
        return self._one(user, Question("view", "GET", id=_word(access_view)))

    def is_authorized_custom_view(self, *, method: ResourceMethod | str, resource_name: str, user: ConductorUser) -> bool:
        return self._one(user, Question("custom_view", _word(method), id=resource_name))

    def is_authorized_hitl_task(self, *, assigned_users: set[str], user: ConductorUser) -> bool:
        """Assigned users are Conductor principal ids: the user may answer when their id is one of them."""
        return user.get_id() in assigned_users

    def filter_authorized_menu_items(self, menu_items: list[MenuItem], *, user: ConductorUser) -> list[MenuItem]:
        answers = self.decide(user, [Question("menu", "MENU", id=item.name) for item in menu_items])
        return [item for item, allowed in zip(menu_items, answers) if allowed]

    # -- batches --------------------------------------------------------------------------------------------------

    def batch_is_authorized_connection(self, requests: Sequence[IsAuthorizedConnectionRequest], *, user: ConductorUser) -> bool:
        return all(self.decide(user, [
            Question("connection", _word(r["method"]), id=(d.conn_id if (d := r.get("details")) else None)) for r in requests
        ]))

    def batch_is_authorized_dag(self, requests: Sequence[IsAuthorizedDagRequest], *, user: ConductorUser) -> bool:
        return all(self.decide(user, [_dag_question(r["method"], r.get("access_entity"), r.get("details")) for r in requests]))

    def batch_is_authorized_pool(self, requests: Sequence[IsAuthorizedPoolRequest], *, user: ConductorUser) -> bool:
        return all(self.decide(user, [Question("pool", _word(r["method"]), id=(d.name if (d := r.get("details")) else None)) for r in requests]))

    def batch_is_authorized_variable(self, requests: Sequence[IsAuthorizedVariableRequest], *, user: ConductorUser) -> bool:
        return all(self.decide(user, [Question("variable", _word(r["method"]), id=(d.key if (d := r.get("details")) else None)) for r in requests]))

    # -- filters (one call each) ----------------------------------------------------------------------------------

    def _filter(self, user: ConductorUser, resource: str, method: ResourceMethod | str, ids: Iterable[str]) -> set[str]:
        ordered = list(ids)
        answers = self.decide(user, [Question(resource, _word(method), id=i) for i in ordered])
        return {i for i, allowed in zip(ordered, answers) if allowed}

    def filter_authorized_dag_ids(self, *, dag_ids: set[str], user: ConductorUser, method: ResourceMethod = "GET", team_name: str | None = None) -> set[str]:
        # Airflow groups the DAGs by their bundle's team (None: no team) and names it: each question carries it.
        ordered = list(dag_ids)
        answers = self.decide(user, [Question("dag", _word(method), id=i, team=team_name, team_known=True) for i in ordered])
        return {i for i, allowed in zip(ordered, answers) if allowed}

    def filter_authorized_connections(self, *, conn_ids: set[str], user: ConductorUser, method: ResourceMethod = "GET", team_name: str | None = None) -> set[str]:
        return self._filter(user, "connection", method, conn_ids)

    def filter_authorized_pools(self, *, pool_names: set[str], user: ConductorUser, method: ResourceMethod = "GET", team_name: str | None = None) -> set[str]:
        return self._filter(user, "pool", method, pool_names)

    def filter_authorized_variables(self, *, variable_keys: set[str], user: ConductorUser, method: ResourceMethod = "GET", team_name: str | None = None) -> set[str]:
        return self._filter(user, "variable", method, variable_keys)

    def filter_authorized_teams(self, *, teams_names: set[str], user: ConductorUser, method: ResourceMethod = "GET") -> set[str]:
        return self._filter(user, "team", method, teams_names)


def _dag_question(method: ResourceMethod | ExtendedResourceMethod | str, access_entity: DagAccessEntity | None, details: DagDetails | None) -> Question:
    entity = _word(access_entity) if access_entity is not None else None
    if details is None or details.id is None:
        return Question("dag", _word(method), access_entity=entity)
    # Airflow 3.1+ names the DAG's team (multi-team mode; None when it has none); Conductor takes it as the DAG's team.
    if hasattr(details, "team_name"):
        return Question("dag", _word(method), access_entity=entity, id=details.id, team=details.team_name, team_known=True)
    return Question("dag", _word(method), access_entity=entity, id=details.id)


def _user_key(user: ConductorUser) -> tuple[str, str]:
    return (user.get_id(), user.principal_type)
