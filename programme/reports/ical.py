"""The plan as an RFC 5545 calendar: one all-day event per milestone on its forecast date.

UIDs are `<plan id>.<milestone id>@programme`, so a calendar app that subscribes to the feed
updates an event when a forecast moves instead of adding a second one. SEQUENCE counts the
milestone's recorded status changes, so it only ever goes up. Written by hand (a few dozen lines)
so the feed needs no extra runtime dependency; the tests parse it back with `icalendar`.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from programme.reports.context import Row, Snapshot, build

PRODID = "-//programme//plans as code//EN"


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a leading space, never splitting a character."""
    out, current, size = [], [], 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append("".join(current))
            current, size, limit = [" "], 1, 75
        current.append(ch)
        size += n
    out.append("".join(current))
    return "\r\n".join(out)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _day(d: date) -> str:
    return d.strftime("%Y%m%d")


def uid(plan_id: str, milestone_id: str) -> str:
    return f"{plan_id}.{milestone_id}@programme"


def write_ical(data, links: dict[str, str] | None = None) -> str:
    """The .ics text for a Snapshot (or a bare PlanState); `links`: milestone id -> its
    check-in link, shown in the event's description."""
    snapshot = data if isinstance(data, Snapshot) else Snapshot(data)
    report = build(snapshot)
    plan = report.plan
    changes = Counter(e.milestone_id for e in snapshot.history)
    views = snapshot.state.assessment.milestones
    stamp = _stamp(report.as_of)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(plan.title)}",
             f"X-WR-CALDESC:{escape_text(f'Milestones of {plan.title} ({plan.id})')}"]
    for row in report.rows:
        day = row.forecast or row.due
        since = views[row.id].status.since
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid(plan.id, row.id)}",
            f"DTSTAMP:{stamp}",
            f"SEQUENCE:{changes.get(row.id, 0)}",
            f"DTSTART;VALUE=DATE:{_day(day)}",
            f"DTEND;VALUE=DATE:{_day(day + timedelta(days=1))}",
            f"SUMMARY:{escape_text(_summary(row))}",
            f"DESCRIPTION:{escape_text(_description(plan.id, plan.title, row, (links or {}).get(row.id)))}",
            f"CATEGORIES:{escape_text(row.rating_label)}",
            "TRANSP:TRANSPARENT",
            f"STATUS:{'CANCELLED' if row.state == 'dropped' else 'CONFIRMED'}",
        ]
        if since is not None:
            lines.append(f"LAST-MODIFIED:{_stamp(since)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _summary(row: Row) -> str:
    title = " ".join(row.title.split())
    if row.state == "done":
        return f"✓ {title}"
    if row.state == "dropped":
        return f"{title} (dropped)"
    return f"{title} ({row.state}, {row.rating_label})"


def _description(plan_id: str, plan_title: str, row: Row, link: str | None = None) -> str:
    lines = [f"Plan: {plan_title}", f"Owner: {row.owner}", f"Status: {row.status}",
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
    lines.append(f"Check in: {link}" if link else f"Check in: programme update {plan_id} {row.id} "
                 "--done (or --blocked REASON, --forecast DATE)")
    lines.append(f"Report: programme report {plan_id} --format html")
    return "\n".join(lines)
