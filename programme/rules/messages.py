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
    sending_rule,
)
from programme.rules.model import Plan
from programme.rules.scales import definition
from programme.rules.workdays import WorkingCalendar, working_calendar


def checkin_link(n: Notification) -> str | None:
    """HOOK for the signed one-click check-in link (a later issue): return the URL for this
    recipient and milestone, and every template shows it instead of the `programme update`
    command. None until check-in links exist."""
    return None


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


def when_words(cal: WorkingCalendar, day: date, today: date) -> str:
    """'due Friday 14 August, in 3 working days' / 'due today' / '... 4 working days overdue'."""
    return f"due {day_words(day, today)}, {distance_words(cal, day, today)}"


def why_words(role: str, step: str, owner_name: str) -> str:
    if step == "can-start":
        return "You own this milestone, and everything it waits on is now done: you can start."
    if step.startswith("rating-changed"):
        return (f"You lead this plan; its delivery confidence changed after {owner_name}'s "
                "check-in on this milestone.")
    if role == OWNER:
        return "You own this milestone."
    if role == MANAGER and step == ESCALATE_MANAGER:
        return (f"{owner_name} owns this milestone and it is overdue; you are told as their "
                "manager (or as the plan's lead where they have none).")
    if role == SPONSOR and step == ESCALATE_SPONSOR:
        return f"{owner_name} owns this milestone and it is well overdue; you are told as the sponsor."
    if role == LEAD:
        return f"{owner_name} reports this milestone blocked; you are told as the plan's lead."
    return f"You are told as {role}."


def headline(step: str) -> str:
    if step == "can-start":
        return "You can start"
    if step.startswith("rating-changed"):
        return "Plan rating changed"
    if step == "due-day":
        return "Due today"
    if step.startswith("reminder-"):
        return "Reminder"
    if step.startswith("chase-"):
        return "Overdue"
    if step == ESCALATE_MANAGER:
        return "Escalation: overdue"
    if step == ESCALATE_SPONSOR:
        return "Escalation to sponsor: overdue"
    if step.startswith("blocked-"):
        return "Blocked"
    return step


def update_command(plan_id: str, milestone_id: str) -> str:
    return f"programme update {shlex.quote(plan_id)} {shlex.quote(milestone_id)} --done"


def item_context(assessment: Assessment, n: Notification) -> dict:
    """Plain, JSON-ready facts for one notification."""
    plan: Plan = assessment.plan
    cal = working_calendar(plan.calendar)
    today = assessment.today
    view = assessment.milestones[n.milestone_id]
    m = view.milestone
    owner = plan.people.get(m.owner)
    owner_name = owner.name if owner else m.owner
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
    return {
        "key": n.key,
        "ref": f"{n.milestone_id}/{n.ref}",
        "plan_id": plan.id,
        "plan_title": plan.title,
        "timezone": plan.timezone,
        "milestone_id": m.id,
        "title": m.title,
        "step": n.step,
        "headline": headline(n.step),
        "role": n.role,
        "why": why_words(n.role, n.step, owner_name) + (
            f" The plan is now rated {assessment.rating.label} on the {plan.rating_scale} "
            "Delivery Confidence scale."
            if n.step.startswith("rating-changed") else ""),
        "owner": owner_name,
        "due": m.due.isoformat(),
        "when": when_words(cal, m.due, today),
        "forecast": forecast.isoformat() if forecast else None,
        "forecast_when": when_words(cal, forecast, today).replace("due ", "forecast ", 1)
        if forecast and forecast != m.due else None,
        "state": view.state,
        "blocked_reason": view.status.reason if view.blocked else None,
        "evidence": m.evidence,
        "waiting": waiting,
        "update_command": update_command(plan.id, m.id),
        "answer_label": "To answer" if n.role == OWNER else f"When it is done, {owner_name} records it with",
        "checkin_link": checkin_link(n),
        "as_of": today.isoformat(),
        "as_of_words": day_words(today, today),
        "scheduled": n.scheduled.isoformat(),
        "sending": sending_rule(plan, m),
        "rating_scale": plan.rating_scale,
        "rating_definition": definition(assessment.rating, plan.rating_scale),
    }
