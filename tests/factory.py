"""Small builders for test plans (model objects and plan files)."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime
from pathlib import Path

from programme.rules.model import Calendar, DueRule, Milestone, Person, Phase, Plan, ReminderPolicy


def milestone(mid: str, due: date, *deps: str, owner: str = "ana", phase: str | None = None,
              after: str | None = None, lag: int = 0, working: bool = True) -> Milestone:
    rule = DueRule(text=f"+{lag} working days after {after}", days=lag, working=working, after=after) \
        if after else DueRule(text=due.isoformat(), absolute=due)
    deps = tuple(dict.fromkeys([*deps, *([after] if after else [])]))
    return Milestone(id=mid, title=mid.replace("-", " ").title(), owner=owner, due=due,
                     due_rule=rule, depends_on=deps, phase=phase)


def plan(*milestones: Milestone, start: date = date(2026, 9, 1), region: str = "england-and-wales",
         phases: tuple[str, ...] = ()) -> Plan:
    people = {pid: Person(pid, pid.title(), (f"{pid}@example.gov.uk",), manager)
              for pid, manager in (("ana", "bob"), ("bob", None), ("cara", None), ("sam", None))}
    return Plan(id="test-plan", title="Test plan", kind="programme", lead="cara", sponsor="sam",
                start=start, people=people, milestones=tuple(milestones),
                calendar=Calendar(region=region), phases=tuple(Phase(p, p.title()) for p in phases))


def at(day: date, hour: int = 12) -> datetime:
    """Noon UTC on a day: the same calendar day in London all year round."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


GOOD_YAML = """
id: good-plan
title: A good plan
kind: programme
lead: cara
sponsor: sam
start: 2026-09-01
people:
  ana: {name: Ana Lee, contacts: [ana@example.gov.uk], manager: bob}
  bob: {name: Bob Khan, contacts: [bob@example.gov.uk]}
  cara: {name: Cara Jones, contacts: [cara@example.gov.uk]}
  sam: {name: Sam Patel, contacts: [sam@example.gov.uk]}
phases:
  - id: analyse
    title: Analyse
    milestones:
      - id: needs-assessment
        title: Needs assessment
        owner: ana
        due: +10 working days
      - id: discovery-day
        title: Discovery day
        owner: bob
        due: +5 working days after needs-assessment
  - id: plan
    title: Plan
    milestones:
      - id: market-engagement
        title: Market engagement
        owner: ana
        due: 2026-10-30
        depends_on: [discovery-day]
"""


# -- a plan with every role (the chase tests'): owner Ana (manager Bo), lead Lee, sponsor Sue ---
PEOPLE = {
    "ana": Person("ana", "Ana Lee", ("ana@example.gov.uk",), manager="bo"),
    "bo": Person("bo", "Bo Khan", ("bo@example.gov.uk",)),
    "lee": Person("lee", "Lee Lead", ("lee@example.gov.uk",)),
    "sue": Person("sue", "Sue Sponsor", ("sue@example.gov.uk",)),
    "nomgr": Person("nomgr", "No Manager", ("nomgr@example.gov.uk",)),
}


def ms(mid: str, due: date, owner: str = "ana", depends_on: tuple[str, ...] = (),
       reminders: ReminderPolicy | None = None, title: str | None = None) -> Milestone:
    return Milestone(id=mid, title=title or mid.replace("-", " ").capitalize(), owner=owner,
                     due=due, due_rule=DueRule(text=due.isoformat(), absolute=due),
                     depends_on=depends_on, reminders=reminders or ReminderPolicy())


def make_plan(*milestones: Milestone, reminders: ReminderPolicy | None = None,
              people: dict | None = None, plan_id: str = "p") -> Plan:
    return Plan(id=plan_id, title="Chase test plan", kind="programme", lead="lee",
                start=date(2026, 8, 3), people=people or PEOPLE,
                milestones=milestones or (ms("m", date(2026, 8, 14)),), sponsor="sue",
                reminders=reminders or ReminderPolicy())


def chase_items(plan: Plan, now: datetime, statuses: dict | None = None) -> list[dict]:
    """What each chase message due at `now` would say, item by item (the facts, not yet rendered)."""
    from programme.rules.assess import assess
    from programme.rules.chase import due_notifications
    from programme.rules.messages import item_context

    statuses = statuses or {}
    a = assess(plan, statuses, now)
    return [item_context(a, n) for n in due_notifications(plan, statuses, now)]
