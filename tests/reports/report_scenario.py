"""The example plan at a fixed moment, with a status history that gives every report section
something to say: done in the week, overdue, blocked, slipped, an owner's late forecast, the
lead's own rating. Recorded in a real (temporary) SQLite store through the Store API.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from programme.planfiles.loading import load_file
from programme.rules.model import Person, Plan, Rating, Status
from programme.store import Store
from programme.usecases.digest import collect
from programme.usecases.workspace import Workspace

DATA = Path(__file__).parent / "data"
PLAN_FILE = DATA / "commissioning-academy-100-day.yaml"
AS_OF = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 08:00 in London (GMT)
SYNCED = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (when, milestone, status, extra)
HISTORY = [
    ("2026-10-08T14:00", "scope-agreed", Status.DONE, {}),
    ("2026-10-12T10:00", "system-map", Status.IN_PROGRESS, {}),
    ("2026-10-15T16:00", "change-board", Status.DONE, {}),
    ("2026-10-20T11:00", "data-sharing-agreement", Status.IN_PROGRESS, {}),
    ("2026-10-27T15:00", "system-map", Status.DONE, {}),
    ("2026-11-02T12:00", "vcs-forum", Status.DONE, {}),
    ("2026-11-04T09:30", "data-sharing-agreement", None,
     {"forecast": date(2026, 11, 27), "note": "ICB legal want another week on the DPIA"}),
    ("2026-11-05T10:00", "vcs-capacity-survey", Status.IN_PROGRESS, {}),
    ("2026-11-12T09:00", "insights-trial-design", Status.BLOCKED,
     {"reason": "waiting for the data-sharing agreement to be signed"}),
    ("2026-11-12T17:00", "systems-leadership-session", Status.DONE, {}),
    ("2026-11-16T10:00", "market-engagement-event", Status.IN_PROGRESS, {}),
    ("2026-11-17T10:00", "baseline", Status.DONE, {}),
    ("2026-11-18T15:30", "vcs-capacity-survey", None, {"note": "41 responses so far; closes Friday"}),
    ("2026-11-19T11:00", "resident-conversations", Status.DONE, {}),
    ("2026-11-20T16:00", "market-position-statement", Status.DONE, {}),
]
LEAD_RATING = ("2026-11-20T17:00", Rating.AMBER,
               "The DPIA delay is contained: the trial can still start in December.")


def load_plan() -> Plan:
    result = load_file(PLAN_FILE)
    assert result.ok, result.problems
    return result.plan


def record(store: Store, plan: Plan, history=HISTORY, lead=LEAD_RATING) -> None:
    store.sync(plan, SYNCED)
    for when, mid, status, extra in history:
        store.record(plan.id, mid, status, at(when), by=plan.milestone(mid).owner, **extra)
    if lead:
        store.rate(plan.id, lead[1], lead[2], at(lead[0]), by=plan.lead)


def snapshot(store: Store, plan: Plan, now: datetime = AS_OF):
    return collect(Workspace(store, DATA), plan, now)


HOSTILE_TITLE = ('<script>alert("pwned")</script> & "quoted" \'single\' Ünïcødé programme — '
                 + "a very long title that goes on " * 6).strip()
HOSTILE_NAME = "Zoë Ñúñez-Łukasik <b>山田</b>"
HOSTILE_REASON = '</td></tr><script>document.title="x"</script> "waiting" & <img src=x onerror=alert(1)>'
HOSTILE_NOTE = "<iframe src=\"javascript:alert('note')\"></iframe> | pipes | and\nnew lines"


def hostile_plan() -> Plan:
    plan = load_plan()
    people = dict(plan.people)
    people["tom-reid"] = replace(people["tom-reid"], name=HOSTILE_NAME)
    people["evil"] = Person("evil", "Mallory \"<svg onload=alert(1)>\"", ("mailto://x@y",))
    milestones = tuple(
        replace(m, title=HOSTILE_TITLE) if m.id == "system-map"
        else replace(m, title='Résumé <em>of</em> "findings" & next steps') if m.id == "baseline"
        else m for m in plan.milestones)
    return replace(plan, title=HOSTILE_TITLE, people=people, milestones=milestones)


HOSTILE_HISTORY = [
    *HISTORY[:-1],
    ("2026-11-20T16:00", "market-position-statement", Status.BLOCKED, {"reason": HOSTILE_REASON}),
    ("2026-11-20T16:05", "vcs-capacity-survey", None, {"note": HOSTILE_NOTE}),
]
