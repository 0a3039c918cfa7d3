"""Prefect settings for the two ways of running.

Embedded (`programme run`, the laptop default): a temporary Prefect server on SQLite, started
for the run. What bench/EPHEMERAL_STALL.md found and these settings cure: task runs are written
by the server's task-run recorder, one transaction per event, which could not keep up and lost
most of a run's graph when the temporary server stopped; the telemetry job raced the first
migration into "database is locked"; the event persister was one more writer on one SQLite file.
So: telemetry, triggers, the event persister and the scheduling services off (nothing is
scheduled or triggered in a run), the recorder in batches, and (flows/runner.py) a bounded wait
for the graph before the process exits. Quiet logs; Prefect's own with --verbose.

Telemetry: PREFECT_SERVER_ANALYTICS_ENABLED=false stops the temporary server's telemetry job,
but Prefect's client prints its first-run telemetry notice on import in a terminal whatever
that says (it heeds only DO_NOT_TRACK and CI variables), into the middle of the progress
display. So an embedded run also sets DO_NOT_TRACK=1, unless the user turned analytics on.

Served (`programme serve`): whatever PREFECT_API_URL points at, untouched but for quiet logs.
Applied to the environment before Prefect is imported, never over a value the operator set.
"""

from __future__ import annotations

import os
from importlib.metadata import version
from pathlib import Path

QUIET = {
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
}

EMBEDDED = {
    **QUIET,
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "50",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED": "false",
}

# Skipped once a run has migrated this PREFECT_HOME's database for this Prefect version.
ALREADY_MIGRATED = {
    "PREFECT_SERVER_DATABASE_MIGRATE_ON_START": "false",
    "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
}
MARKER = ".programme-migrated"


def apply(settings: dict[str, str], verbose: bool = False) -> None:
    for name, value in settings.items():
        if verbose and name in ("PREFECT_LOGGING_LEVEL", "PREFECT_SERVER_LOGGING_LEVEL"):
            continue
        os.environ.setdefault(name, value)


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()


def embedded(verbose: bool = False) -> bool:
    """Settings for a temporary local server, unless the operator points at a real one.
    True when the temporary server is used."""
    if os.environ.get("PREFECT_API_URL"):
        apply(QUIET, verbose)
        return False
    apply(EMBEDDED, verbose)
    if not _truthy(os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"]):
        os.environ.setdefault("DO_NOT_TRACK", "1")  # no notice, no client events
    marker = prefect_home() / MARKER
    if (prefect_home() / "prefect.db").exists() and marker.exists() and \
            marker.read_text().strip() == version("prefect"):
        apply(ALREADY_MIGRATED)
    return True


def mark_migrated() -> None:
    """After a successful run: this PREFECT_HOME's database is current for this Prefect."""
    home = prefect_home()
    if (home / "prefect.db").exists():
        (home / MARKER).write_text(version("prefect"))


def served(verbose: bool = False) -> None:
    apply(QUIET, verbose)
