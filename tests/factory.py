"""Small builders for test plans (model objects and plan files)."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime
from pathlib import Path

from programme.rules.model import Calendar, DueRule, Milestone, Person, Phase, Plan


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
