"""The plan as an RFC 5545 calendar: one all-day event per milestone on its forecast date.

UIDs are `<plan id>.<milestone id>@programme`, so a calendar app that subscribes to the feed
updates an event when a forecast moves instead of adding a second one. SEQUENCE counts the
milestone's recorded status changes, so it only ever goes up. The `icalendar` package does the
escaping, line folding and date formats; this module only says what each event holds. It is
imported when a feed is written (about 60 ms), not by every report that imports this package.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache

from programme.reports.context import Row, Snapshot, build
from programme.rules.model import Plan

PRODID = "-//programme//plans as code//EN"

Describe = Callable[[Plan, Row], str]
"""Builds an event's DESCRIPTION from the plan and the milestone's report row."""


@cache
def _text_type():
    """icalendar's TEXT value, except that every backslash stays literal.

    icalendar's writer reads the two characters `\\N` in a value as its own shorthand for a line
    break, so a title containing them would come back changed. Escaping the text between
    backslashes with icalendar and joining the pieces with an escaped backslash keeps the
    library's rules (and its line-break handling) for everything else.
    """
    from icalendar import vText

    class LiteralText(vText):
        def to_ical(self) -> bytes:
            return b"\\\\".join(vText(part).to_ical() for part in str(self).split("\\"))

    return LiteralText


def uid(plan_id: str, milestone_id: str) -> str:
    return f"{plan_id}.{milestone_id}@programme"


def write_ical(data, *, describe: Describe | None = None) -> str:
    """The .ics text for a Snapshot (or a bare PlanState).

    `describe` builds each event's description (by default `description`); a caller that can
    mint per-owner check-in links passes one that adds them, so this module stays pure.
    """
    from icalendar import Calendar, Event

    text = _text_type()
    snapshot = data if isinstance(data, Snapshot) else Snapshot(data)
    describe = describe or description
    report = build(snapshot)
    plan = report.plan
    changes = Counter(e.milestone_id for e in snapshot.history)
    views = snapshot.state.assessment.milestones
    stamp = _utc(report.as_of)

    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", text(plan.title))
    calendar.add("x-wr-caldesc", text(f"Milestones of {plan.title} ({plan.id})"))
    for row in report.rows:
        day = row.forecast or row.due
        event = Event()
        event.add("uid", uid(plan.id, row.id))
        event.add("dtstamp", stamp)
        event.add("sequence", changes.get(row.id, 0))
        event.add("dtstart", _all_day(day))
        event.add("dtend", _all_day(day + timedelta(days=1)))
        event.add("summary", text(summary(row)))
        event.add("description", text(describe(plan, row)))
        event.add("categories", [row.rating_label])
        event.add("transp", "TRANSPARENT")
        event.add("status", "CANCELLED" if row.state == "dropped" else "CONFIRMED")
        since = views[row.id].status.since
        if since is not None:
            event.add("last-modified", _utc(since))
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def _utc(when: datetime) -> datetime:
    """A plain UTC datetime to the second (written `...Z`), whatever tzinfo `when` carries."""
    return datetime.fromtimestamp(int(when.timestamp()), UTC)


def _all_day(d: date) -> date:
    """A plain date (written VALUE=DATE), even when given a pendulum Date or a datetime."""
    return date(d.year, d.month, d.day)


def summary(row: Row) -> str:
    """The event title: the milestone's title on one line, with its state and rating."""
    title = " ".join(row.title.split())
    if row.state == "done":
        return f"✓ {title}"
    if row.state == "dropped":
        return f"{title} (dropped)"
    return f"{title} ({row.state}, {row.rating_label})"


def description(plan: Plan, row: Row) -> str:
    """The event's text: who owns it, where it stands, and how to check in.

    The check-in link for the milestone's owner goes here, next to the command, once the links
    exist; until then the command line is the way to answer.
    """
    lines = [f"Plan: {plan.title}", f"Owner: {row.owner}", f"Status: {row.status}",
             f"State: {', '.join(row.states)}", f"Rating: {row.rating_label}",
             f"Due: {row.due:%a %-d %b %Y}"]
    if row.forecast and row.forecast != row.due:
        lines.append(f"Forecast: {row.forecast:%a %-d %b %Y} ({row.slip} working days late)"
                     if row.slip else f"Forecast: {row.forecast:%a %-d %b %Y}")
    if row.baseline and row.baseline != row.due:
        lines.append(f"Baseline: {row.baseline:%a %-d %b %Y}")
    if row.reason:
        lines.append(f"Blocked: {row.reason}")
    if row.note:
        lines.append(f"Note: {row.note}")
    if row.critical:
        lines.append("On the critical path.")
    lines.append(f"Check in: programme update {plan.id} {row.id} --done (or --blocked REASON, "
                 "--forecast DATE)")
    lines.append(f"Report: programme report {plan.id} --format html")
    return "\n".join(lines)
