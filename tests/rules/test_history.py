"""How status history folds into a milestone's current status, as a table: each row a history
(oldest first) and what the status then is."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from programme.rules.history import fold
from programme.rules.model import CurrentStatus, Status, StatusEntry

LONDON = "Europe/London"
NOT_STARTED, IN_PROGRESS, DONE, BLOCKED, DROPPED = (
    Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE, Status.BLOCKED, Status.DROPPED)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def entry(status: Status, at: str, **fields) -> StatusEntry:
    return StatusEntry("m", status, utc(at), **fields)


@pytest.mark.parametrize(("timezone", "history", "expected"), [
    pytest.param(LONDON, [entry(DONE, "2026-07-01T23:30")], {"done_on": date(2026, 7, 2)},
                 id="done-late-on-a-summer-evening-is-the-next-day-in-london"),
    pytest.param(LONDON, [entry(DONE, "2026-12-01T23:30")], {"done_on": date(2026, 12, 1)},
                 id="done-late-on-a-winter-evening-is-that-day-in-london"),
    pytest.param("America/New_York", [entry(DONE, "2026-07-02T02:00")], {"done_on": date(2026, 7, 1)},
                 id="the-done-day-is-the-plans-own-day-in-its-timezone"),
    pytest.param(LONDON, [entry(DONE, "2026-11-30T09:00", happened_on=date(2026, 11, 27))],
                 {"done_on": date(2026, 11, 27), "since": utc("2026-11-30T09:00")},
                 id="done-last-friday-recorded-on-monday-is-done-on-friday"),
    pytest.param(LONDON, [entry(DONE, "2026-11-02T12:00"),
                          entry(DONE, "2026-11-05T12:00", note="evidence filed")],
                 {"done_on": date(2026, 11, 2), "note": "evidence filed",
                  "since": utc("2026-11-02T12:00")},
                 id="a-note-on-a-done-milestone-keeps-its-done-date"),
    pytest.param(LONDON, [entry(DONE, "2026-11-02T12:00"), entry(IN_PROGRESS, "2026-11-03T12:00"),
                          entry(DONE, "2026-11-09T12:00")],
                 {"done_on": date(2026, 11, 9)},
                 id="done-again-after-reopening-is-done-on-the-later-day"),
    pytest.param(LONDON, [entry(DONE, "2026-11-02T12:00"), entry(IN_PROGRESS, "2026-11-03T12:00")],
                 {"status": IN_PROGRESS, "done_on": None},
                 id="reopening-clears-the-done-date"),
    pytest.param(LONDON, [entry(BLOCKED, "2026-11-02T12:00", reason="no budget"),
                          entry(BLOCKED, "2026-11-04T12:00", note="chased finance")],
                 {"reason": "no budget", "note": "chased finance"},
                 id="the-blocked-reason-is-kept-across-notes"),
    pytest.param(LONDON, [entry(BLOCKED, "2026-11-02T12:00", reason="no budget"),
                          entry(BLOCKED, "2026-11-04T12:00", reason="no venue")],
                 {"reason": "no venue"},
                 id="a-new-blocked-reason-replaces-the-old"),
    pytest.param(LONDON, [entry(BLOCKED, "2026-11-02T12:00", reason="no budget"),
                          entry(IN_PROGRESS, "2026-11-04T12:00"),
                          entry(BLOCKED, "2026-11-06T12:00")],
                 {"status": BLOCKED, "reason": None},
                 id="an-unblocked-milestone-forgets-the-old-reason"),
    pytest.param(LONDON, [entry(IN_PROGRESS, "2026-11-02T12:00", forecast=date(2026, 11, 27)),
                          entry(IN_PROGRESS, "2026-11-04T12:00", note="on it")],
                 {"forecast": date(2026, 11, 27)},
                 id="the-owners-forecast-is-kept-until-a-new-one"),
    pytest.param(LONDON, [entry(IN_PROGRESS, "2026-11-02T12:00", forecast=date(2026, 11, 27)),
                          entry(IN_PROGRESS, "2026-11-04T12:00", forecast=date(2026, 12, 4))],
                 {"forecast": date(2026, 12, 4)},
                 id="a-new-forecast-replaces-the-old"),
    pytest.param(LONDON, [entry(IN_PROGRESS, "2026-11-02T12:00", forecast=date(2026, 11, 27)),
                          entry(DONE, "2026-11-20T12:00")],
                 {"forecast": None},
                 id="closing-as-done-clears-the-forecast"),
    pytest.param(LONDON, [entry(IN_PROGRESS, "2026-11-02T12:00", forecast=date(2026, 11, 27)),
                          entry(IN_PROGRESS, "2026-11-04T12:00", forecast_cleared=True),
                          entry(IN_PROGRESS, "2026-11-06T12:00", note="still on it")],
                 {"forecast": None, "status": IN_PROGRESS},
                 id="a-forecast-taken-back-stays-gone-until-a-new-one"),
    pytest.param(LONDON, [entry(IN_PROGRESS, "2026-11-02T12:00", forecast=date(2026, 11, 27)),
                          entry(DROPPED, "2026-11-20T12:00")],
                 {"forecast": None},
                 id="closing-as-dropped-clears-the-forecast"),
    pytest.param(LONDON, [entry(IN_PROGRESS, "2026-11-02T12:00", forecast=date(2026, 11, 27)),
                          entry(DONE, "2026-11-20T12:00"), entry(IN_PROGRESS, "2026-11-23T12:00")],
                 {"forecast": None},
                 id="a-forecast-cleared-by-closing-stays-cleared-when-reopened"),
    pytest.param(LONDON, [entry(IN_PROGRESS, "2026-11-02T12:00"),
                          entry(IN_PROGRESS, "2026-11-04T12:00", note="half way")],
                 {"since": utc("2026-11-02T12:00")},
                 id="since-stays-put-when-the-status-does-not-change"),
    pytest.param(LONDON, [entry(IN_PROGRESS, "2026-11-02T12:00"),
                          entry(BLOCKED, "2026-11-04T12:00", reason="no budget")],
                 {"since": utc("2026-11-04T12:00")},
                 id="since-moves-when-the-status-changes"),
    pytest.param(LONDON, [entry(IN_PROGRESS, "2026-11-02T12:00", by="ana", note="started"),
                          entry(IN_PROGRESS, "2026-11-04T12:00", forecast=date(2026, 11, 27))],
                 {"by": "ana", "note": "started"},
                 id="who-reported-and-the-last-note-carry-over"),
])
def test_history_folds_into_the_current_status(timezone, history, expected):
    current = fold(history, timezone)["m"]
    assert {name: getattr(current, name) for name in expected} == expected


def test_each_milestone_folds_its_own_entries():
    history = [StatusEntry("a", BLOCKED, utc("2026-11-02T12:00"), reason="no budget"),
               StatusEntry("b", IN_PROGRESS, utc("2026-11-03T12:00"), by="bob"),
               StatusEntry("a", BLOCKED, utc("2026-11-04T12:00"), note="still waiting")]
    statuses = fold(history, LONDON)
    assert statuses["a"] == CurrentStatus(BLOCKED, since=utc("2026-11-02T12:00"), reason="no budget",
                                          note="still waiting")
    assert statuses["b"] == CurrentStatus(IN_PROGRESS, since=utc("2026-11-03T12:00"), by="bob")


def test_a_milestone_with_no_history_is_not_in_the_fold():
    assert fold([], LONDON) == {}
    assert CurrentStatus().status == NOT_STARTED  # what callers use in its place
