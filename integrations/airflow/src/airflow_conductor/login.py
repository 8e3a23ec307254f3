"""The sign-in callback Airflow mounts at ``/auth``: Conductor's one-time code becomes Airflow's own UI cookie.

Conductor signs the person in, then sends the browser to ``/auth/callback?code=…&next=…``. The code is exchanged
server to server for the person (:meth:`ConductorClient.sign_in`), Airflow signs its own token for them, and the
browser goes on to ``next`` (when it is an Airflow URL) with the same cookie SimpleAuthManager sets. The code and the
token are never shown, logged or put in a URL.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from airflow.api_fastapi.app import API_ROOT_PATH
from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
from airflow.api_fastapi.core_api.security import is_safe_url
from airflow.configuration import conf
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from airflow_conductor.client import ConductorUnavailable, SignInRefused

if TYPE_CHECKING:
    from airflow_conductor.manager import ConductorAuthManager

try:
    from airflow.api_fastapi.app import get_cookie_path
except ImportError:  # an Airflow older than get_cookie_path: scope the cookie as it does

    def get_cookie_path() -> str:
        """The path Airflow's UI cookie is scoped to (``[api] base_url``'s path)."""
        return API_ROOT_PATH or "/"

log = logging.getLogger(__name__)

#: Headers on every callback answer: nothing cached, and the code in the callback URL never sent on as a referrer.
PRIVATE_HEADERS = {"cache-control": "no-store", "referrer-policy": "no-referrer"}


def create_sign_in_app(manager: ConductorAuthManager) -> FastAPI:
    """The FastAPI sub-app with ``GET /callback?code=&next=`` (``/auth/callback`` once Airflow mounts it)."""
    app = FastAPI(title="Conductor sign-in for Airflow", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/callback")
    def callback(request: Request, code: str = "", next: str = "") -> Response:  # noqa: A002 - the query parameter's name
        safe_next = next if next and is_safe_url(next, request=request) else None
        again = _start_again(safe_next)
        if not code:
            return _page(400, "Sign-in failed", "This sign-in link has no code.", again)
        try:
            user = manager.conductor().sign_in(code)
        except SignInRefused as refused:
            log.info("Conductor auth manager: Conductor refused a sign-in code (%s)", refused)
            return _page(401, "Sign-in failed", "This sign-in link was already used, has expired, or is not for this Airflow.", again)
        except ConductorUnavailable as error:
            log.warning("Conductor auth manager: cannot finish a sign-in: %s", error)
            return _page(503, "Conductor is unreachable", "Airflow could not reach Conductor to finish signing you in.", again)
        response = RedirectResponse(safe_next or _home(), status_code=302, headers=PRIVATE_HEADERS)
        response.set_cookie(
            COOKIE_NAME_JWT_TOKEN,
            manager.generate_jwt(user),
            path=get_cookie_path(),
            secure=request.base_url.scheme == "https" or bool(conf.get("api", "ssl_cert", fallback="")),
            httponly=True,
            samesite="lax",
        )
        log.info("Conductor auth manager: %s signed in to Airflow through Conductor", user.get_id())
        return response

    return app


def _home() -> str:
    return conf.get("api", "base_url", fallback="/") or "/"


def _start_again(next_url: str | None) -> str:
    """Airflow's own sign-in entry, which sends the browser to Conductor again."""
    login = f"{API_ROOT_PATH}api/v2/auth/login"
    return f"{login}?{urlencode({'next': next_url})}" if next_url else login


def _page(status: int, title: str, message: str, again: str) -> HTMLResponse:
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} · Airflow</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
        f'<p><a href="{html.escape(again, quote=True)}">Sign in again</a></p></body></html>'
    )
    return HTMLResponse(body, status_code=status, headers=PRIVATE_HEADERS)
