"""The RAID rules: where each risk, issue, assumption, decision and dependency stands, what the
board is shown, and when its owner is chased.

Pure, like the milestone rules: the plan's RAID log, the reviews and decisions recorded since
(oldest first) and `now` in; views and notifications out.

* **Score** of a risk = likelihood × impact (each 1 to 5, so 1 to 25), as last reviewed.
* **Next date** an item's owner is chased towards: a decision's due date; otherwise the review
  date in the plan file until a review is recorded, then the date that review named, or
  `review_every` working days (10 by default, a fortnight) after it.
* **Overdue**: still open and its next date is before today.
* **Chasing** uses the plan's reminder policy (the same `before`, `chase_every`, escalation and
  sending-window settings as milestones) and the same ladder, anchored on the next date, so a
  review that moves the date re-arms it and a closed or decided item is never chased again.
  Keys name the item as `risk:r1` (a milestone id cannot hold ':'), so they never meet a
  milestone's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from programme.rules.chase import (
    ESCALATE_MANAGER,
    ESCALATE_SPONSOR,
    MANAGER,
    OWNER,
    SPONSOR,
    Notification,
    _ladder,
    _manager,
    highest_step_per_person,
    window_times,
)
from programme.rules.model import DEFAULT_POLICY, Plan, RaidItem
from programme.rules.workdays import local_time, plan_today, working_calendar

REVIEW, DECIDE, CLOSE = "review", "decide", "close"
ACTIONS = (REVIEW, DECIDE, CLOSE)
TOP_RISKS = 5


@dataclass(frozen=True)
class RaidEntry:
    """One recorded review or decision (the store's raid_history row)."""

    item: str  # the item's key, e.g. 'risk:r1'
    action: str  # review, decide or close
    at: datetime  # aware, UTC
    by: str | None = None
    likelihood: int | None = None
    impact: int | None = None
    next_review: date | None = None
    decision: str | None = None
    note: str | None = None
    source: str = "cli"


@dataclass(frozen=True)
class RaidView:
    item: RaidItem
    status: str  # open, closed or decided
    likelihood: int | None
    impact: int | None
    next_date: date | None
    reviewed_on: date | None = None
    decision: str | None = None
    decided_on: date | None = None
    by: str | None = None
    note: str | None = None

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def score(self) -> int | None:
        return score(self.likelihood, self.impact)

    def overdue(self, today: date) -> bool:
        return self.is_open and self.next_date is not None and self.next_date < today


def score(likelihood: int | None, impact: int | None) -> int | None:
    """Likelihood × impact, or None when either is unknown."""
    if likelihood is None or impact is None:
        return None
    return likelihood * impact


def fold(plan: Plan, entries: Iterable[RaidEntry]) -> dict[str, RaidView]:
    """Every RAID item as of the last of `entries` (oldest first), by key, in plan order."""
    cal = working_calendar(plan.calendar)
    views = {i.key: RaidView(i, i.status, i.likelihood, i.impact, i.chased_on)
             for i in plan.raid}
    for e in entries:
        v = views.get(e.item)
        if v is None:  # an item since removed from the plan file: its history stays stored
            continue
        day = plan_today(e.at, plan.timezone)
        if e.action == DECIDE:
            views[e.item] = RaidView(v.item, "decided", v.likelihood, v.impact, None, v.reviewed_on,
                                     e.decision, day, e.by, e.note or v.note)
        elif e.action == CLOSE:
            views[e.item] = RaidView(v.item, "closed", v.likelihood, v.impact, None, day,
                                     v.decision, v.decided_on, e.by, e.note or v.note)
        else:
            following = e.next_review
            if following is None and v.item.kind != "decision":
                following = cal.add(day, v.item.review_every)
            elif following is None:
                following = v.next_date
            views[e.item] = RaidView(
                v.item, "open", e.likelihood if e.likelihood is not None else v.likelihood,
                e.impact if e.impact is not None else v.impact, following, day, v.decision,
                v.decided_on, e.by, e.note or v.note)
    return views


def top_risks(views: Iterable[RaidView], n: int = TOP_RISKS) -> list[RaidView]:
    """Open risks, highest score first (then soonest proximity, then id)."""
    risks = [v for v in views if v.item.kind == "risk" and v.is_open]
    return sorted(risks, key=lambda v: (-(v.score or 0), v.item.proximity or date.max,
                                        v.item.id))[:n]


def open_issues(views: Iterable[RaidView]) -> list[RaidView]:
    issues = [v for v in views if v.item.kind == "issue" and v.is_open]
    return sorted(issues, key=lambda v: (-(v.item.impact or 0), v.next_date or date.max,
                                         v.item.id))


def decisions_needed(views: Iterable[RaidView]) -> list[RaidView]:
    """Open decisions, soonest first: who must decide, by when."""
    decisions = [v for v in views if v.item.kind == "decision" and v.is_open]
    return sorted(decisions, key=lambda v: (v.next_date or date.max, v.item.id))


def raid_notifications(plan: Plan, views: Mapping[str, RaidView],
                       now: datetime) -> list[Notification]:
    """Every reminder, chase and escalation due at `now` for open RAID items (see the module
    docstring), in plan order."""
    cal = working_calendar(plan.calendar)
    local = local_time(now, plan.timezone)
    today = local.date()
    policy = plan.reminders.over(DEFAULT_POLICY)
    start, end = window_times(policy.window)
    clock = time(local.hour, local.minute, local.second)
    if not cal.is_working_day(today) or not policy.enabled or not (start <= clock < end):
        return []
    out: list[Notification] = []
    for v in views.values():
        if not v.is_open or v.next_date is None:
            continue
        owner_step, late, manager_day, sponsor_day = _ladder(v.next_date, v.next_date, policy,
                                                             cal, today)
        item = v.item
        if owner_step is not None:
            step, anchor, scheduled = owner_step
            out.append(Notification(plan.id, item.key, step, anchor, item.owner, OWNER, scheduled))
        if late and manager_day is not None:
            manager = _manager(plan, item.owner)
            if manager and manager != item.owner:
                out.append(Notification(plan.id, item.key, ESCALATE_MANAGER, v.next_date, manager,
                                        MANAGER, manager_day))
        if late and sponsor_day is not None and plan.sponsor and plan.sponsor != item.owner:
            out.append(Notification(plan.id, item.key, ESCALATE_SPONSOR, v.next_date,
                                    plan.sponsor, SPONSOR, sponsor_day))
    return highest_step_per_person(out)


KIND_WORDS = {"risk": "Risk", "issue": "Issue", "assumption": "Assumption",
              "decision": "Decision", "dependency": "Dependency"}


def headline(v: RaidView, step: str) -> str:
    """The item's label: the same words as a milestone's ('Overdue', 'Escalated to you', ...,
    programme.rules.messages.LABELS); what is asked is said in the title ('Review risk R1')."""
    from programme.rules.messages import headline as label

    return label(step)


def ask_words(v: RaidView) -> str:
    """'Review risk R1' / 'Decide D1' / 'Review dependency X2': what the owner is asked."""
    if v.item.kind == "decision":
        return f"Decide {v.item.id}"
    return f"Review {v.item.kind} {v.item.id}"


def answer_words(v: RaidView, role: str, owner_name: str, lead_name: str) -> tuple[str, str]:
    """(label, plain words) for how the item is answered: there is no page for a RAID review
    yet, so its owner tells the plan's lead, who records it."""
    if role != OWNER:
        return ("What you can do", f"talk to {owner_name}; {lead_name}, the plan's lead, "
                "records the answer in the RAID log")
    if v.item.kind == "decision":
        return "To answer", f"tell {lead_name}, the plan's lead, what was decided"
    return ("To answer", f"tell {lead_name}, the plan's lead, whether it still holds (and how "
            "likely and how bad it is now), or that it can be closed")


def item_context(plan: Plan, v: RaidView, n: Notification, today: date) -> dict:
    """The facts a chase message about a RAID item states (the same keys a milestone's has, so
    every message template lays it out), JSON-ready."""
    from programme.rules.messages import when_words

    cal = working_calendar(plan.calendar)
    owner = plan.people.get(v.item.owner)
    owner_name = owner.name if owner else v.item.owner
    word = "decision" if v.item.kind == "decision" else f"{v.item.kind} review"
    if n.role == OWNER:
        why = f"You own this {v.item.kind} in the plan's RAID log."
    elif n.role == SPONSOR:
        why = f"{owner_name} owns this {v.item.kind} and its {word} is well overdue; you are " \
              "told as the sponsor."
    elif n.recipient == plan.lead and not (owner is not None and owner.manager):
        why = f"{owner_name} owns this {v.item.kind} and its {word} is overdue; you are told " \
              f"as the plan's lead, since {owner_name} has no manager in the plan."
    else:
        why = f"{owner_name} owns this {v.item.kind} and its {word} is overdue; you are told " \
              "as their manager."
    lead = plan.people.get(plan.lead)
    label, answer = answer_words(v, n.role, owner_name, lead.name if lead else plan.lead)
    detail = ""
    if v.score is not None:
        detail = f" (score {v.score}: likelihood {v.likelihood} × impact {v.impact})"
    waiting = [{"id": m.id, "title": m.title, "owner": (plan.people[m.owner].name
                                                        if m.owner in plan.people else m.owner),
                "due": f"{m.due:%A} {m.due.day} {m.due:%B}"}
               for m in plan.milestones if m.id in v.item.milestones]
    due = v.next_date or today
    window = plan.reminders.over(DEFAULT_POLICY).window or ("00:00", "24:00")
    sending = {"timezone": plan.timezone, "window": list(window), "region": plan.calendar.region,
               "weekends": sorted(plan.calendar.weekends),
               "closures": sorted(d.isoformat() for d in plan.calendar.closures)}
    return {
        "key": n.key, "ref": f"{n.milestone_id}/{n.ref}", "plan_id": plan.id,
        "plan_title": plan.title, "timezone": plan.timezone, "milestone_id": n.milestone_id,
        "raid_kind": v.item.kind, "raid_id": v.item.id,
        "title": f"{ask_words(v)}: {v.item.title}{detail}",
        "step": n.step, "headline": headline(v, n.step), "role": n.role, "why": why,
        "owner": owner_name, "due": due.isoformat(),
        "when": when_words(cal, due, today).replace("due ", "decision due " if v.item.kind ==
                                                    "decision" else "review due ", 1),
        "forecast": None, "forecast_when": None, "state": "overdue" if v.overdue(today) else
        "open", "blocked_reason": None, "evidence": None, "waiting": waiting,
        "update_command": answer, "answer_label": label,
        "checkin_link": None, "as_of": today.isoformat(),
        "as_of_words": f"{today:%A} {today.day} {today:%B}", "scheduled": n.scheduled.isoformat(),
        "sending": sending,
    }
