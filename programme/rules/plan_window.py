"""The plan window: the days a plan's milestones must fall in.

It opens on the plan's start. It closes on the end written in the plan; a 100-day plan that
writes no end closes 100 days after its start (the Commissioning Academy's 100 days); any other
plan without an end stays open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from programme.rules.model import HUNDRED_DAY_PLAN

HUNDRED_DAYS = 100


@dataclass(frozen=True)
class PlanWindow:
    start: date
    end: date | None = None  # None: open-ended

    @classmethod
    def of(cls, kind: str, start: date, end: date | None) -> PlanWindow:
        """The window of a plan of this kind, start and written end (None when none is written)."""
        if end is None and kind == HUNDRED_DAY_PLAN:
            end = start + timedelta(days=HUNDRED_DAYS)
        return cls(start, end)

    @property
    def ends_before_it_starts(self) -> bool:
        return self.end is not None and self.end < self.start

    def holds(self, day: date) -> bool:
        """Whether a milestone due on `day` is inside the window (both ends included)."""
        return self.start <= day and (self.end is None or day <= self.end)

    def __str__(self) -> str:
        return f"{self.start} to {self.end}" if self.end else f"from {self.start}"
