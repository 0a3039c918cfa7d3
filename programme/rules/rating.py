"""The rating rules: derived state per milestone, and a Delivery Confidence rating per
milestone, phase and plan. Every threshold lives here, in one place, and the README restates
them in plain words; tests/rules/test_rating.py holds them to it.

Milestones are rated on the five-point scale and folded onto the plan's scale
(`programme.rules.scales.on_scale`); phases and plans have rules of their own for each scale
(`group_rating` five-point, `group_rating_three_point`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from programme.rules.forecast import OWNER_FORECAST, TODAY
from programme.rules.model import Rating, Status

DUE_SOON = 5  # working days: "due soon" from 5 working days before the due date

# Milestone thresholds, in working days
OVERDUE_RED = 10
OVERDUE_AMBER_RED = 3
SLIP_AMBER_RED = 10  # forecast later than due by more than this
SLIP_AMBER = 5
BLOCKED_RED_WITHIN = DUE_SOON  # blocked and due within this many working days (or overdue): Red

# Phase and plan thresholds
END_SLIP_RED = 20
END_SLIP_AMBER_RED = 10
END_SLIP_AMBER = 5
SHARE = 0.25  # "a quarter or more of the milestones"

# Derived states, in the order they take precedence for the one-word state shown in tables
DONE, DROPPED, BLOCKED, OVERDUE = "done", "dropped", "blocked", "overdue"
SLIPPED = "slipped by dependency"
AT_RISK = "at risk"
DUE_SOON_STATE = "due soon"
IN_PROGRESS, NOT_STARTED = "in progress", "not started"
PRECEDENCE = (DONE, DROPPED, BLOCKED, OVERDUE, SLIPPED, AT_RISK, DUE_SOON_STATE, IN_PROGRESS,
              NOT_STARTED)


def derived_states(status: Status, days_to_due: int, slip: int, driver: str | None,
                   owner_forecast_late: bool) -> tuple[str, ...]:
    """Every state that applies, most important first.

    days_to_due: working days from today to the due date (negative once overdue).
    driver: what sets the forecast (a dependency id, 'owner forecast', 'not done yet' or None).
    """
    if status == Status.DONE:
        return (DONE,)
    if status == Status.DROPPED:
        return (DROPPED,)
    states = []
    if status == Status.BLOCKED:
        states.append(BLOCKED)
    if days_to_due < 0:
        states.append(OVERDUE)
    if slip > 0 and driver not in (None, OWNER_FORECAST, TODAY):
        states.append(SLIPPED)
    if owner_forecast_late:
        states.append(AT_RISK)
    if 0 <= days_to_due <= DUE_SOON:
        states.append(DUE_SOON_STATE)
    states.append(IN_PROGRESS if status == Status.IN_PROGRESS else NOT_STARTED)
    return tuple(sorted(states, key=PRECEDENCE.index))


def milestone_rating(states: tuple[str, ...], days_to_due: int, slip: int) -> Rating | None:
    """Delivery confidence for one milestone; None for a dropped one (it no longer counts)."""
    if DROPPED in states:
        return None
    if DONE in states:
        return Rating.GREEN
    if BLOCKED in states:
        return Rating.RED if days_to_due <= BLOCKED_RED_WITHIN else Rating.AMBER_RED
    if OVERDUE in states:
        overdue = -days_to_due
        if overdue >= OVERDUE_RED:
            return Rating.RED
        if overdue >= OVERDUE_AMBER_RED:
            return Rating.AMBER_RED
        return Rating.AMBER
    if slip > SLIP_AMBER_RED:
        return Rating.AMBER_RED
    if slip > SLIP_AMBER:
        return Rating.AMBER
    if slip > 0:
        return Rating.AMBER_GREEN
    if DUE_SOON_STATE in states and NOT_STARTED in states:
        return Rating.AMBER_GREEN
    return Rating.GREEN


@dataclass(frozen=True)
class GroupRating:
    rating: Rating
    reasons: tuple[str, ...]  # why it is not better, in plain words (empty for a clean Green)


def group_rating(ratings: list[Rating], end_slip: int, critical: list[Rating],
                 what: str = "plan") -> GroupRating:
    """Delivery confidence for a phase or plan from its milestones' ratings.

    ratings: every milestone that still counts (dropped ones left out).
    end_slip: working days the last forecast lands after the last due date.
    critical: ratings of this group's milestones on the plan's critical path.
    """
    if not ratings:
        return GroupRating(Rating.GREEN, ())
    n = len(ratings)
    counts = Counter(ratings)

    def share_at_least(level: Rating) -> float:
        return sum(v for r, v in counts.items() if r >= level) / n

    def worse(level: Rating) -> int:
        return sum(v for r, v in counts.items() if r >= level)

    red, ar, amber = worse(Rating.RED), worse(Rating.AMBER_RED), worse(Rating.AMBER)
    ag = worse(Rating.AMBER_GREEN)
    tiers = [
        (Rating.RED, [
            (end_slip > END_SLIP_RED, f"the {what}'s end is forecast {end_slip} working days late"),
            (share_at_least(Rating.RED) >= SHARE, f"{red} of {n} milestones {_are(red)} Red"),
        ]),
        (Rating.AMBER_RED, [
            (end_slip > END_SLIP_AMBER_RED,
             f"the {what}'s end is forecast {end_slip} working days late"),
            (Rating.RED in critical, "a milestone on the critical path is Red"),
            (share_at_least(Rating.AMBER_RED) >= SHARE,
             f"{ar} of {n} milestones {_are(ar)} Amber/Red or worse"),
        ]),
        (Rating.AMBER, [
            (end_slip > END_SLIP_AMBER, f"the {what}'s end is forecast {end_slip} working days late"),
            (red + counts.get(Rating.AMBER_RED, 0) > 0,
             f"{ar} milestone{'s are' if ar != 1 else ' is'} Amber/Red or Red"),
            (share_at_least(Rating.AMBER) >= SHARE,
             f"{amber} of {n} milestones {_are(amber)} Amber or worse"),
        ]),
        (Rating.AMBER_GREEN, [
            (end_slip > 0, f"the {what}'s end is forecast {end_slip} working days late"),
            (amber > 0, f"{amber} milestone{'s are' if amber != 1 else ' is'} Amber or worse"),
            (share_at_least(Rating.AMBER_GREEN) >= SHARE,
             f"{ag} of {n} milestones {_are(ag)} Amber/Green or worse"),
        ]),
    ]
    for level, rules in tiers:
        reasons = tuple(text for hit, text in rules if hit)
        if reasons:
            return GroupRating(level, reasons)
    return GroupRating(Rating.GREEN, ())


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def group_rating_three_point(ratings: list[Rating], end_slip: int, critical: list[Rating],
                             what: str = "plan") -> GroupRating:
    """Delivery confidence on the three-point scale for a phase or plan, from its milestones'
    three-point ratings (Green, Amber, Red; see `programme.rules.scales.on_scale`).

    Red: the end is forecast more than 10 working days late, a milestone on the critical path
    is Red, or a quarter or more of the milestones are Red. Amber: the end is forecast late at
    all, any milestone is Red, or a quarter or more are Amber or Red. Otherwise Green.
    """
    if not ratings:
        return GroupRating(Rating.GREEN, ())
    n = len(ratings)
    red = sum(1 for r in ratings if r >= Rating.RED)
    amber = sum(1 for r in ratings if r >= Rating.AMBER)
    late = f"the {what}'s end is forecast {end_slip} working days late"
    tiers = [
        (Rating.RED, [
            (end_slip > END_SLIP_AMBER_RED, late),
            (any(r >= Rating.RED for r in critical), "a milestone on the critical path is Red"),
            (red / n >= SHARE, f"{red} of {n} milestones {_are(red)} Red"),
        ]),
        (Rating.AMBER, [
            (end_slip > 0, late),
            (red > 0, f"{red} milestone{'s are' if red != 1 else ' is'} Red"),
            (amber / n >= SHARE, f"{amber} of {n} milestones {_are(amber)} Amber or Red"),
        ]),
    ]
    for level, rules in tiers:
        reasons = tuple(text for hit, text in rules if hit)
        if reasons:
            return GroupRating(level, reasons)
    return GroupRating(Rating.GREEN, ())
