"""The Conductor auth manager for Apache Airflow 3 (``[core] auth_manager = airflow_conductor.ConductorAuthManager``)."""

from __future__ import annotations

from airflow_conductor.cache import DecisionCache
from airflow_conductor.client import ConductorClient, ConductorUnavailable, Question, SignInRefused
from airflow_conductor.manager import ConductorAuthManager
from airflow_conductor.settings import ConductorSettings
from airflow_conductor.user import ConductorUser

__all__ = [
    "ConductorAuthManager",
    "ConductorClient",
    "ConductorSettings",
    "ConductorUnavailable",
    "ConductorUser",
    "DecisionCache",
    "Question",
    "SignInRefused",
]
