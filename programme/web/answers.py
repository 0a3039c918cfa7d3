"""The check-in form in words: what its fields mean as a `CheckIn`, what is wrong with a
filled-in form (GOV.UK style messages, one per field), and the confirmation saying, in plain
words, what was recorded and what happens next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from programme.rules.model import Plan, Status
from programme.usecases.checkin import CheckIn, Recorded
from programme.usecases.links import LinkUse

CHOICES = ("done", "at-risk", "due-date", "blocked", "note")  # due-date: take the new date back
MAX_TEXT = 4000


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def day_words(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _text(form: dict, name: str) -> str:
    return " ".join(str(form.get(name) or "").replace("\x00", "").split()) if name != "note" \
        else str(form.get(name) or "").replace("\x00", "").strip()


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def read_form(form: dict, use: LinkUse, today: date) -> tuple[CheckIn | None, list[Problem], dict]:
    """The check-in a posted form asks for, or the problems to show (and the values to keep)."""
    values = {k: _text(form, k) for k in ("choice", "done_on", "evidence", "forecast", "reason", "note")}
    problems: list[Problem] = []
    choice = values["choice"]
    plan, m = use.plan, use.milestone
    assert m is not None, "a check-in link is for a milestone"
    for name in ("note", "reason", "evidence"):
        if len(values[name]) > MAX_TEXT:
            problems.append(Problem(name, f"Keep the {name} to {MAX_TEXT} characters or fewer"))
    if choice not in CHOICES:
        problems.append(Problem("choice-done", "Choose what your answer is: done, at risk, "
                                               "blocked, or a note"))
        return None, problems, values
    status = forecast = on = reason = None
    note = values["note"] or None
    if choice == "done":
        status = Status.DONE
        if values["done_on"]:
            on = _day(values["done_on"])
            if on is None:
                problems.append(Problem("done_on", "Enter the day it was done as a real date, "
                                                   "for example 2026-12-04"))
            elif on > today:
                problems.append(Problem("done_on", "The day it was done must be today or earlier"))
            elif on < plan.start:
                problems.append(Problem("done_on", f"The day it was done must be on or after the "
                                                   f"plan started ({day_words(plan.start)})"))
            elif on == today:
                on = None
        if values["evidence"]:
            note = f"{note}\nEvidence: {values['evidence']}" if note else f"Evidence: {values['evidence']}"
    elif choice == "at-risk":
        forecast = _day(values["forecast"]) if values["forecast"] else None
        if not values["forecast"]:
            problems.append(Problem("forecast", "Enter the new date it will be done by"))
        elif forecast is None:
            problems.append(Problem("forecast", "Enter the new date as a real date, for example "
                                                "2026-12-04"))
        elif forecast < today:
            problems.append(Problem("forecast", "The new date must be today or later"))
    elif choice == "due-date":  # the owner's new date taken back: the due date stands again
        return CheckIn(m.id, None, None, note, None, None, use.person.id, "link",
                       clear_forecast=True), [], values
    elif choice == "blocked":
        status, reason = Status.BLOCKED, values["reason"]
        if not reason:
            problems.append(Problem("reason", "Say what is stopping it, for example "
                                              "\"waiting for legal sign-off\""))
    elif not note:
        problems.append(Problem("note", "Write the note you want to add"))
    if problems:
        return None, problems, values
    return CheckIn(m.id, status, forecast, note, reason, on, use.person.id, "link"), [], values


def confirmation(use: LinkUse, checkin: CheckIn, recorded: Recorded, said: str | None,
                 now: datetime) -> dict:
    """Plain words for the confirmation page (kept with the posted form, so a resubmit shows
    the same page)."""
    from programme.rules.chase import next_sending_time, sending_rule

    plan: Plan = recorded.plan
    m = use.milestone
    assert m is not None, "a check-in link is for a milestone"
    who = use.person.name
    as_whom = f"as {who}'s answer" + (f" for {use.owner.name}" if use.owner and use.acting_for_owner
                                          else "")
    next_lines: list[str] = []
    if checkin.status == Status.DONE:
        on = f" on {day_words(checkin.on)}" if checkin.on else ""
        headline = f"{m.title} is recorded as done{on}, {as_whom}."
        for s in recorded.startable:
            owner = plan.people.get(s.owner)
            name = owner.name if owner else s.owner
            opening = next_sending_time(sending_rule(plan, s), now)
            if said is not None:
                next_lines.append(f"{name} is being told they can start {s.title}.")
            elif opening is None:
                next_lines.append(f"{name} has been told they can start {s.title}.")
            else:
                import pendulum

                local = pendulum.instance(opening).in_timezone(plan.timezone)
                next_lines.append(f"{name} will be told they can start {s.title} when messages "
                                  f"next go out ({local:%A} {local.day} {local:%B} at "
                                  f"{local:%H:%M}).")
        if not recorded.startable:
            next_lines.append("Nothing else in the plan was waiting on it alone, so nobody else "
                              "needs telling.")
        next_lines.append("You will get no more reminders about it.")
    elif checkin.status == Status.BLOCKED:
        headline = f"{m.title} is recorded as blocked, {as_whom}."
        lead = plan.people.get(plan.lead)
        next_lines.append(f"{lead.name if lead else plan.lead}, the plan's lead, will be told it is "
                          f"blocked ({checkin.reason}) with the plan's next reminders.")
        next_lines.append("Reminders about it pause while it is blocked.")
    elif checkin.forecast is not None:
        headline = f"New date recorded for {m.title}: {day_words(checkin.forecast)}, {as_whom}."
        next_lines.append("Reminders now count towards the new date, and the plan's rating takes "
                          "it into account.")
        next_lines += [f"Please check it: {w}." for w in recorded.warnings]
    elif checkin.clear_forecast:
        headline = (f"The new date for {m.title} is taken back: it is due "
                    f"{day_words(m.due)} again, {as_whom}.")
        next_lines.append("Reminders count towards the due date again.")
    else:
        headline = f"Your note on {m.title} is recorded, {as_whom}."
        next_lines.append("It shows in the milestone's history and the next report.")
    if recorded.rating_changed:
        lead = plan.people.get(plan.lead)
        next_lines.append(f"The plan's rating moved from {recorded.before.rating.label} to "
                          f"{recorded.after.rating.label}; {lead.name if lead else plan.lead} is told.")
    if said and "could not be sent" in said:
        next_lines.append("Some messages could not be sent yet; they are retried automatically.")
    again = None
    if checkin.status != Status.DONE:
        again = (f"You can use the same link again to give a new answer until "
                 f"{day_words(use.link.expires_at.date())}.")
    return {"headline": headline, "next": next_lines, "again": again}
