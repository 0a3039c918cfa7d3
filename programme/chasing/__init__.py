"""Chasing owners: the pure policy (`policy`), message facts (`messages`) and the run that puts
due steps in the outbox and sends them (`run`). The run is imported lazily so the policy stays
importable without SQLAlchemy or Apprise."""

from __future__ import annotations

from .policy import Notification, due_notifications

__all__ = ["ChaseResult", "Notification", "dispatch_pending", "due_notifications", "queue_due",
           "run_chase"]


def __getattr__(name: str):
    if name in ("ChaseResult", "dispatch_pending", "queue_due", "run_chase"):
        from . import run

        return getattr(run, name)
    raise AttributeError(name)
