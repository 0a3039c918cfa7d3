"""The facts a chase message states, read from the Assessment and frozen into plain data.

Built when a step is queued and kept with it in the outbox, so the sender needs neither the plan
nor the rules, and a message re-sent after an outage says what was true when it fell due (the
templates say "as of" when the send is late). Pure: no templates here, only words and numbers.
"""

from __future__ import annotations

import shlex
from datetime import date

from programme.rules.assess import Assessment
from programme.rules.chase import (
    ESCALATE_MANAGER,
    ESCALATE_SPONSOR,
    LEAD,
    MANAGER,
    OWNER,
    SPONSOR,
    Notification,
    plan_sending_rule,
    sending_rule,
)
from programme.rules.model import Plan, Rating
from programme.rules.scales import THREE_POINT, definition, on_scale
from programme.rules.workdays import WorkingCalendar, working_calendar

CHECKIN, ACT_FOR, REPORT, RATING = "checkin", "act-for", "report", "rating"


def link_purpose(plan: Plan, n: Notification) -> str:
    """What the link on this item lets its recipient do: check in on their own milestone, act
    for the owner (a manager, lead or sponsor told about someone else's milestone), or, for the
    lead told the rating changed, open the report and record their own rating."""
    if n.step.startswith("rating-changed"):
        return RATING
    owner = plan.by_id[n.milestone_id].owner
    return CHECKIN if n.recipient == owner else ACT_FOR


def answer_label(purpose: str, owner_name: str) -> str:
    """The words on an item's link."""
    if purpose == CHECKIN:
        return "Check in"
    if purpose == RATING:
        return "See the report and record your own rating"
    return f"Answer for {owner_name} (recorded as you)"


def day_words(day: date, today: date) -> str:
    """'Friday 14 August' (with the year when it is not this year's)."""
    text = f"{day:%A} {day.day} {day:%B}"
    return text if day.year == today.year else f"{text} {day.year}"


def distance_words(cal: WorkingCalendar, day: date, today: date) -> str:
    if day == today:
        return "today"
    n = cal.between(today, day)
    if day > today:
        if n == 0:
            return "before the next working day"
        return f"in {n} working day{'s' if n != 1 else ''}"
    late = -n if n < 0 else cal.between(day, today)
    return f"{late} working day{'s' if late != 1 else ''} overdue"


def when_words(cal: WorkingCalendar, day: date, today: date, forecast: date | None = None,
               expecter: str | None = None) -> str:
    """'due Friday 14 August, in 3 working days' / 'due today' / '... 4 working days overdue'.

    With the owner's own date (`forecast`, said as `expecter` expects it: "Tom now expects" or
    "you now expect"), both dates are said and the distance counts from the date the chase
    counts from (programme.rules.chase): the owner's date while it is ahead, and once it has
    passed the later of the two. So after a move from 6 to 20 October the reminder reads "due
    Tuesday 6 October; Tom now expects Tuesday 20 October, in 5 working days", not "5 working
    days overdue", and a day after the 20th "... Tom expected Tuesday 20 October, 1 working day
    overdue"."""
    due = f"due {day_words(day, today)}"
    if forecast is None or forecast == day:
        return f"{due}, {distance_words(cal, day, today)}"
    who = expecter or "the owner"
    you = who == "you"
    if forecast < day and forecast < today:  # an earlier date of theirs has passed: the due date counts
        had = "you had expected" if you else f"{who} had expected"
        return f"{due}, {distance_words(cal, day, today)}; {had} {day_words(forecast, today)}"
    if forecast >= today:
        expects = "you now expect" if you else f"{who} now expects"
    else:
        expects = "you expected" if you else f"{who} expected"
    return f"{due}; {expects} {day_words(forecast, today)}, {distance_words(cal, forecast, today)}"


def why_words(role: str, step: str, owner_name: str, lead_named: bool = False) -> str:
    """Why this person is told, in a sentence. `lead_named`: the recipient of a manager's
    escalation is the plan's lead because the owner has no manager in the plan."""
    if step == "can-start":
        return "You own this milestone, and everything it waits on is now done: you can start."
    if step.startswith("rating-changed"):
        return "You lead this plan, and its delivery confidence rating changed."
    if role == OWNER:
        return "You own this milestone."
    if role == MANAGER and step == ESCALATE_MANAGER:
        if lead_named:
            return (f"{owner_name} owns this milestone and it is overdue; you are told as the "
                    f"plan's lead, since {owner_name} has no manager in the plan.")
        return f"{owner_name} owns this milestone and it is overdue; you are told as their manager."
    if role == SPONSOR and step == ESCALATE_SPONSOR:
        return f"{owner_name} owns this milestone and it is well overdue; you are told as the sponsor."
    if role == LEAD:
        return f"{owner_name} reports this milestone blocked; you are told as the plan's lead."
    return f"You are told as {role}."


# What each kind of item is called (a word on every item, never colour alone) and how urgent
# it is: the chat form lists the most urgent first, and a person due two steps of the same
# milestone at once gets only the more urgent (`one_item_per_milestone`).
REMINDER, DUE_TODAY, OVERDUE, ESCALATED, ESCALATED_SPONSOR, BLOCKED, READY, RATING_KIND = (
    "reminder", "due-today", "overdue", "escalated", "escalated-sponsor", "blocked", "ready",
    "rating")
LABELS = {REMINDER: "Reminder", DUE_TODAY: "Due today", OVERDUE: "Overdue",
          ESCALATED: "Escalated to you", ESCALATED_SPONSOR: "Escalated to you as sponsor",
          BLOCKED: "Blocked", READY: "You can start", RATING_KIND: "Plan rating changed"}
URGENCY = (ESCALATED_SPONSOR, ESCALATED, BLOCKED, OVERDUE, DUE_TODAY, RATING_KIND, READY, REMINDER)


def item_kind(step: str) -> str:
    """The kind of item a ladder step is (RAID steps are named like milestones')."""
    if step == "can-start":
        return READY
    if step.startswith("rating-changed"):
        return RATING_KIND
    if step == "due-day":
        return DUE_TODAY
    if step.startswith("chase-"):
        return OVERDUE
    if step == ESCALATE_MANAGER:
        return ESCALATED
    if step == ESCALATE_SPONSOR:
        return ESCALATED_SPONSOR
    if step.startswith("blocked-"):
        return BLOCKED
    return REMINDER


def urgency(step: str) -> int:
    """0 for the most urgent kind of item (an escalation to the sponsor), higher for less."""
    return URGENCY.index(item_kind(step))


def headline(step: str) -> str:
    return LABELS[item_kind(step)]


def one_item_per_milestone(items: list[dict]) -> list[dict]:
    """One item per plan and milestone (or RAID item) in one person's message.

    Of two steps of the same milestone for the same person (the manager's and the sponsor's
    escalation to a manager who is also the sponsor, both queued before either was sent) only
    the more urgent is shown, where the first of them stood. The caller still records the rows
    of both as sent with the message: the higher step says everything the lower would have, so
    nothing is lost and the lower is never sent later on its own."""
    best: dict[tuple, dict] = {}
    for item in items:
        key = (item.get("plan_id"), item.get("milestone_id"))
        if key not in best or urgency(item.get("step", "")) < urgency(best[key].get("step", "")):
            best[key] = item
    seen: set[tuple] = set()
    out = []
    for item in items:
        key = (item.get("plan_id"), item.get("milestone_id"))
        if key not in seen:
            seen.add(key)
            out.append(best[key])
    return out


def actions(kind: str, owner_name: str, lead_name: str, recipient_is_lead: bool,
            reason: str | None = None) -> list[str]:
    """What the reader of an escalation or a blocked notice can do about it, in plain words."""
    reassign = ("Give it to someone else: change the milestone's owner in the plan"
                + ("." if recipient_is_lead else f" (ask {lead_name}, the plan's lead)."))
    if kind in (ESCALATED, ESCALATED_SPONSOR):
        return [f"Talk to {owner_name} about what is holding it up.",
                f"If you know where it stands, answer for {owner_name} with the link below.",
                reassign]
    if kind == BLOCKED:
        return [f"Help clear what blocks it{f' ({reason})' if reason else ''}.",
                f"When it moves, answer for {owner_name} with the link below.",
                "If it cannot move, change its date or its owner in the plan."]
    return []


def update_command(plan_id: str, milestone_id: str) -> str:
    """How an item queued before links existed is answered (older rows only)."""
    return f"programme update {shlex.quote(plan_id)} {shlex.quote(milestone_id)} --done"


def report_key(plan_id: str, recipient: str, today: date) -> str:
    """The message key a person's report link for the day is made from: the chat form's link to
    everything that did not fit (one link a person, plan and day, however many items)."""
    return f"{plan_id}/report@{today.isoformat()}/{recipient}"


def item_context(assessment: Assessment, n: Notification,
                 rating_from: Rating | None = None) -> dict:
    """Plain, JSON-ready facts for one notification (`rating_from`: for the lead's plan-rating
    notice, the rating before the check-in that queued it)."""
    plan: Plan = assessment.plan
    if n.milestone_id not in plan.by_id:
        return rating_context(assessment, n, rating_from)
    cal = working_calendar(plan.calendar)
    today = assessment.today
    view = assessment.milestones[n.milestone_id]
    m = view.milestone
    owner = plan.people.get(m.owner)
    owner_name = owner.name if owner else m.owner
    lead = plan.people.get(plan.lead)
    lead_name = lead.name if lead else plan.lead
    waiting = []
    for other in plan.milestones:
        if m.id in other.depends_on:
            ov = assessment.milestones[other.id]
            if not ov.is_open:
                continue
            person = plan.people.get(other.owner)
            waiting.append({"id": other.id, "title": other.title,
                            "owner": person.name if person else other.owner,
                            "due": day_words(other.due, today)})
    forecast = view.status.forecast
    kind = item_kind(n.step)
    lead_named = (n.role == MANAGER and n.recipient == plan.lead
                  and not (owner is not None and owner.manager))
    reason = view.status.reason if view.blocked else None
    expecter = "you" if n.recipient == m.owner else owner_name
    return {
        "key": n.key,
        "ref": f"{n.milestone_id}/{n.ref}",
        "plan_id": plan.id,
        "plan_title": plan.title,
        "timezone": plan.timezone,
        "milestone_id": m.id,
        "title": m.title,
        "step": n.step,
        "kind": kind,
        "headline": headline(n.step),
        "role": n.role,
        "why": why_words(n.role, n.step, owner_name, lead_named),
        "actions": actions(kind, owner_name, lead_name, n.recipient == plan.lead, reason),
        "owner": owner_name,
        "due": m.due.isoformat(),
        "when": when_words(cal, m.due, today, forecast, expecter),
        "forecast": forecast.isoformat() if forecast else None,
        "forecast_when": None,  # said in "when" since the owner's date counts (older rows had it)
        "state": view.state,
        "blocked_reason": reason,
        "evidence": m.evidence,
        "waiting": waiting,
        "update_command": update_command(plan.id, m.id),
        "answer_label": answer_label(link_purpose(plan, n), owner_name),
        "checkin_link": None,  # the URL is made from the server secret at send time
        "link": {"purpose": link_purpose(plan, n), "person": n.recipient},
        "report_key": report_key(plan.id, n.recipient, today),
        "as_of": today.isoformat(),
        "as_of_words": day_words(today, today),
        "scheduled": n.scheduled.isoformat(),
        "sending": sending_rule(plan, m),
        "rating_scale": plan.rating_scale,
        "rating_definition": definition(assessment.rating, plan.rating_scale),
    }


def rating_words(rating: Rating, scale: str) -> str:
    """A rating as its plan's scale names it ('Amber/Green', or 'Amber' on the three-point one)."""
    return on_scale(rating, scale).label if scale == THREE_POINT else rating.label


def rating_context(assessment: Assessment, n: Notification, rating_from: Rating | None) -> dict:
    """The facts of the lead's plan-rating notice (one per plan and day, see
    programme.rules.followup): `rating_from` is the rating before the day's first change, kept
    by the first row queued; the rating it changed to is read again when it is sent
    (`resolve_rating`), so the notice carries only the net change."""
    plan: Plan = assessment.plan
    today = assessment.today
    before = rating_from.label if rating_from is not None else None
    scale = plan.rating_scale
    moved = (f"{rating_words(rating_from, scale)} → {rating_words(assessment.rating, scale)}"
             if rating_from is not None else "")
    return {
        "key": n.key,
        "ref": f"{n.milestone_id}/{n.ref}",
        "plan_id": plan.id,
        "plan_title": plan.title,
        "timezone": plan.timezone,
        "milestone_id": n.milestone_id,
        "title": plan.title,
        "step": n.step,
        "kind": RATING_KIND,
        "headline": headline(n.step),
        "role": n.role,
        "why": why_words(n.role, n.step, ""),
        "actions": [],
        "owner": None,
        "due": None,
        "when": moved,
        "forecast": None,
        "forecast_when": None,
        "state": None,
        "blocked_reason": None,
        "evidence": None,
        "waiting": [],
        "rating_from": before,
        "rating_to": assessment.rating.label,
        "update_command": "",
        "answer_label": answer_label(RATING, ""),
        "checkin_link": None,
        "link": {"purpose": RATING, "person": n.recipient},
        "report_key": None,
        "as_of": today.isoformat(),
        "as_of_words": day_words(today, today),
        "scheduled": n.scheduled.isoformat(),
        "sending": plan_sending_rule(plan),
        "rating_scale": plan.rating_scale,
        "rating_definition": definition(assessment.rating, plan.rating_scale),
    }


def resolve_rating(item: dict, current: Rating | None) -> dict | None:
    """A queued rating notice as it is sent: from the day's first 'before' to the plan's rating
    now. None when the net change is none (two check-ins that cancel out say nothing)."""
    before = item.get("rating_from")
    if before is None or current is None:  # an older row: it said its change when queued
        return item
    scale = item.get("rating_scale") or ""
    was = Rating.parse(before)
    if was == current:
        return None
    return {**item, "rating_to": current.label,
            "when": f"{rating_words(was, scale)} → {rating_words(current, scale)}",
            "why": f"You lead this plan, and its delivery confidence rating moved from "
                   f"{rating_words(was, scale)} to {rating_words(current, scale)} on the "
                   f"{scale} Delivery Confidence scale.",
            "rating_definition": definition(current, scale)}
