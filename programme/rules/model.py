"""The plan model: what a validated plan is, independent of where it was written.

Plain frozen dataclasses so the rules can be simulated over a whole 100-day plan without a
database, a flow engine or a clock; the store and the loaders map to and from these from outside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum, StrEnum
from functools import cached_property


class Status(StrEnum):
    """What a person reports. Everything else (overdue, at risk...) is derived, never typed in."""

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    DONE = "done"
    BLOCKED = "blocked"
    DROPPED = "dropped"

    @property
    def is_closed(self) -> bool:
        return self in (Status.DONE, Status.DROPPED)


class Rating(IntEnum):
    """The IPA Delivery Confidence Assessment scale; a higher value is a worse rating."""

    GREEN = 0
    AMBER_GREEN = 1
    AMBER = 2
    AMBER_RED = 3
    RED = 4

    @property
    def label(self) -> str:
        return _RATING_LABELS[self]

    @property
    def rag(self) -> str:
        """The three-point view: Green; Amber/Green and Amber are Amber; Amber/Red and Red are Red."""
        if self == Rating.GREEN:
            return "Green"
        if self <= Rating.AMBER:
            return "Amber"
        return "Red"

    @classmethod
    def parse(cls, text: str) -> Rating:
        key = "/".join(re.split(r"[\s/_-]+", text.strip().lower()))
        for rating, label in _RATING_LABELS.items():
            if label.lower() == key:
                return rating
        aliases = {"g": cls.GREEN, "ag": cls.AMBER_GREEN, "a/g": cls.AMBER_GREEN, "a": cls.AMBER,
                   "ar": cls.AMBER_RED, "a/r": cls.AMBER_RED, "r": cls.RED}
        if key in aliases:
            return aliases[key]
        raise ValueError(
            f"unknown rating {text!r}: use one of " + ", ".join(_RATING_LABELS.values())
        )


_RATING_LABELS = {
    Rating.GREEN: "Green",
    Rating.AMBER_GREEN: "Amber/Green",
    Rating.AMBER: "Amber",
    Rating.AMBER_RED: "Amber/Red",
    Rating.RED: "Red",
}

HUNDRED_DAY_PLAN = "100-day plan"
PLAN_KINDS = (HUNDRED_DAY_PLAN, "commissioning cycle", "service phases", "programme")

REGIONS = {
    # region name in the plan file -> subdivision of the GB calendar in the `holidays` package
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}


@dataclass(frozen=True)
class Location:
    """Where something was written, so every message can point the lead at the line to fix."""

    file: str
    line: int | None = None
    column: int | None = None  # where on the line, when a YAML syntax error says

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    contacts: tuple[str, ...] = ()
    manager: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    kind: str = "phase"  # "phase" or "workstream"
    description: str | None = None


@dataclass(frozen=True)
class DueRule:
    """How a due date was written, kept so a forecast can move a dependent milestone with its anchor."""

    text: str
    days: int = 0
    working: bool = False
    after: str | None = None  # the milestone this due date counts from; None = plan start
    absolute: date | None = None


@dataclass(frozen=True)
class ReminderPolicy:
    """Chase policy knobs, overridable per plan and per milestone (None = inherit)."""

    before: tuple[int, ...] | None = None  # working days before due that a reminder goes out
    chase_every: int | None = None  # working days between chases once overdue
    escalate_to_manager_after: int | None = None  # working days overdue
    escalate_to_sponsor_after: int | None = None  # working days overdue
    blocked_every: int | None = None  # working days between blocked reminders to the lead
    window: tuple[str, str] | None = None  # sending window, "HH:MM" plan time
    enabled: bool | None = None

    FIELDS = ("before", "chase_every", "escalate_to_manager_after", "escalate_to_sponsor_after",
              "blocked_every", "window", "enabled")

    def over(self, base: ReminderPolicy) -> ReminderPolicy:
        """This policy with the gaps filled from `base`."""
        return ReminderPolicy(**{
            name: getattr(self, name) if getattr(self, name) is not None else getattr(base, name)
            for name in self.FIELDS
        })


DEFAULT_POLICY = ReminderPolicy(
    before=(5, 1, 0),
    chase_every=2,
    escalate_to_manager_after=3,
    escalate_to_sponsor_after=10,
    blocked_every=2,
    window=("09:00", "17:00"),
    enabled=True,
)


@dataclass(frozen=True)
class Milestone:
    id: str
    title: str
    owner: str
    due: date
    due_rule: DueRule
    depends_on: tuple[str, ...] = ()
    phase: str | None = None
    description: str | None = None
    evidence: str | None = None
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
    location: Location | None = None


RAID_KINDS = ("risk", "issue", "assumption", "decision", "dependency")
RAID_SECTIONS = {"risks": "risk", "issues": "issue", "assumptions": "assumption",
                 "decisions": "decision", "dependencies": "dependency"}
RISK_RESPONSES = ("avoid", "reduce", "fallback", "transfer", "share", "accept", "exploit",
                  "enhance")  # the PRINCE2 risk responses (threats, then opportunities)


@dataclass(frozen=True)
class RaidItem:
    """One entry of the plan's RAID log: a risk, issue, assumption, decision or external
    dependency, with an owner and a date they are chased on (review, or due for a decision)."""

    kind: str  # one of RAID_KINDS
    id: str
    title: str
    owner: str
    review: date | None = None  # next review date
    due: date | None = None  # decide by (decisions), expected by (dependencies)
    status: str = "open"  # open or closed; a decision is open until decided
    milestones: tuple[str, ...] = ()  # the milestones it affects or waits on
    likelihood: int | None = None  # risks: 1 (rare) to 5 (almost certain)
    impact: int | None = None  # risks and issues: 1 (minimal) to 5 (severe)
    proximity: date | None = None  # risks: when it would happen
    response: str | None = None  # risks: one of RISK_RESPONSES
    description: str | None = None
    review_every: int = 10  # working days from a review to the next one
    location: Location | None = None

    @property
    def key(self) -> str:
        """How the chase and the store name it: 'risk:r1' (never a milestone id, which has no ':')."""
        return f"{self.kind}:{self.id}"

    @property
    def chased_on(self) -> date | None:
        """The date its owner is chased towards: the decision's due date, else the review."""
        if self.kind == "decision":
            return self.due or self.review
        return self.review or self.due


@dataclass(frozen=True)
class Budget:
    """What the plan declares about cost, for the highlight report's cost tolerance and returns."""

    amount: float  # the approved budget
    forecast: float | None = None  # the latest forecast outturn
    spent: float | None = None
    tolerance: float = 5.0  # percent over budget the board allows before it must be told
    currency: str = "GBP"


@dataclass(frozen=True)
class Calendar:
    region: str = "england-and-wales"
    weekends: frozenset[int] = frozenset({5, 6})  # Monday is 0
    closures: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    kind: str
    lead: str
    start: date
    people: dict[str, Person]
    milestones: tuple[Milestone, ...]
    sponsor: str | None = None
    subscribers: tuple[str, ...] = ()
    end: date | None = None
    timezone: str = "Europe/London"
    calendar: Calendar = field(default_factory=Calendar)
    phases: tuple[Phase, ...] = ()
    description: str | None = None
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
    source: Location | None = None
    rating_scale: str = "three-point"  # or "five-point": see programme.rules.scales
    raid: tuple[RaidItem, ...] = ()  # risks, issues, assumptions, decisions, dependencies
    budget: Budget | None = None
    checkin_link_days: int = 30  # how long a link in a message works

    def milestone(self, milestone_id: str) -> Milestone:
        for m in self.milestones:
            if m.id == milestone_id:
                return m
        raise KeyError(milestone_id)

    @cached_property
    def by_id(self) -> dict[str, Milestone]:
        """Milestones by id, built once per plan (a plan is immutable; do not modify the dict)."""
        return {m.id: m for m in self.milestones}

    def policy_for(self, milestone: Milestone) -> ReminderPolicy:
        if self.by_id.get(milestone.id) is milestone:
            return self._policies[milestone.id]
        return milestone.reminders.over(self.reminders.over(DEFAULT_POLICY))

    @cached_property
    def _policies(self) -> dict[str, ReminderPolicy]:
        """Each milestone's merged policy, built once per plan: the preview asks for every
        milestone's policy at every window of every day (see bench/preview.py)."""
        base = self.reminders.over(DEFAULT_POLICY)
        return {m.id: m.reminders.over(base) for m in self.milestones}


@dataclass(frozen=True)
class StatusEntry:
    """One line of the append-only status history: who changed what, when, and why."""

    milestone_id: str
    status: Status
    at: datetime  # aware, UTC
    by: str | None = None
    forecast: date | None = None
    note: str | None = None
    reason: str | None = None  # for blocked
    source: str = "cli"  # cli, link or api
    previous: Status | None = None
    happened_on: date | None = None  # the day it happened, when not the day it was recorded
    forecast_cleared: bool = False  # the owner took their forecast back (`--forecast none`)


@dataclass(frozen=True)
class CurrentStatus:
    """A milestone's reported status as of a moment, folded from its history."""

    status: Status = Status.NOT_STARTED
    since: datetime | None = None
    forecast: date | None = None
    done_on: date | None = None
    reason: str | None = None
    note: str | None = None
    by: str | None = None


@dataclass(frozen=True)
class LeadRating:
    """The lead's own delivery-confidence rating, shown beside the computed one, never overridden."""

    rating: Rating
    commentary: str
    at: datetime
    by: str | None
