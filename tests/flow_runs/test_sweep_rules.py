"""Which runs the recovery sweep (flows/sweep.py) puts back to Scheduled: a run taken by a
worker and never started, past the start timeout; a running run whose heartbeats stopped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from flows.sweep import Seen, to_rerun

NOW = datetime(2026, 12, 7, 9, 20, tzinfo=UTC)
START, SILENCE = 300, 180


@pytest.mark.parametrize(("state", "seconds_ago", "beating", "rerun", "why"), [
    ("PENDING", 301, False, True, "never started"),
    ("PENDING", 299, False, False, None),  # a slow start on a loaded machine is left alone
    ("PENDING", 3600, True, True, "never started"),
    ("RUNNING", 181, False, True, "no heartbeat"),
    ("RUNNING", 181, True, False, None),  # alive: it sent a heartbeat lately
    ("RUNNING", 170, False, False, None),  # just started: its first heartbeat may be in flight
    ("RUNNING", 7200, True, False, None),  # a long run that still beats is not touched
])
def test_reruns_a_run_only_when_its_worker_is_presumed_dead(state, seconds_ago, beating, rerun,
                                                            why):
    run = Seen(uuid4(), "plan-1", state, NOW - timedelta(seconds=seconds_ago))
    chosen = to_rerun([run], {run.id} if beating else set(), NOW, START, SILENCE)
    assert [r for r, _ in chosen] == ([run] if rerun else [])
    if why:
        assert why in chosen[0][1]


def test_sweeps_every_stuck_run_of_a_morning_at_once():
    stuck = [Seen(uuid4(), f"plan-{n}", "PENDING", NOW - timedelta(minutes=9)) for n in range(5)]
    fine = [Seen(uuid4(), f"plan-{n}", "RUNNING", NOW - timedelta(minutes=9)) for n in range(5, 9)]
    chosen = to_rerun(stuck + fine, {r.id for r in fine}, NOW, START, SILENCE)
    assert {r.name for r, _ in chosen} == {f"plan-{n}" for n in range(5)}
