"""Prefect settings for the two ways of running.

Embedded (`programme run`, the laptop default): a temporary Prefect server on SQLite, started
in-process for the run. Kept light and quiet: WARNING logs (Prefect's own with --verbose), no
flow heartbeats (each run would wait ~1 s for the heartbeat thread at exit), and the server's
background services off (see bench/EPHEMERAL_STALL.md for why).

Served (`programme serve`): whatever PREFECT_API_URL points at; only quiet logs by default.
Applied to the environment before Prefect is imported, and never over a value the operator set.
"""

from __future__ import annotations

import os

QUIET = {
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
}

EMBEDDED = {
    **QUIET,
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CLEANUP_RECONCILER_ENABLED": "false",
}


def apply(settings: dict[str, str], verbose: bool = False) -> None:
    for name, value in settings.items():
        if verbose and name in ("PREFECT_LOGGING_LEVEL", "PREFECT_SERVER_LOGGING_LEVEL"):
            continue
        os.environ.setdefault(name, value)
    os.environ.pop("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", None)


def embedded(verbose: bool = False) -> None:
    """Run on a temporary local server unless the operator points at a real one."""
    apply(QUIET if os.environ.get("PREFECT_API_URL") else EMBEDDED, verbose)


def served(verbose: bool = False) -> None:
    apply(QUIET, verbose)
