"""`programme preview`: every notification the chase will send, to whom, on which day and at
what time, before anything is sent; and the "nothing due now, and what comes next" lines that
`chase` and `run` print."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Annotated

import typer

from programme.cli.common import OnePlanArg, PlansOption, day_text


def _start(text: str | None, tz: str) -> datetime:
    """--from: a date is the start of that day (plan time); a date-time as written; none is now."""
    from datetime import time

    from programme.usecases.workspace import WorkspaceError, parse_moment

    try:
        return parse_moment(text, tz, day_at=time(0))
    except WorkspaceError as exc:
        raise WorkspaceError(f"--from: {exc}") from None


def _until(text: str | None):
    if text is None:
        return None
    from programme.rules.dates import DateError, parse_date
    from programme.usecases.workspace import WorkspaceError

    try:
        return parse_date(text)
    except DateError as exc:
        raise WorkspaceError(f"--until: {exc}") from None


def subject(plan, key: str):
    """What a notification is about: the milestone, or the RAID item (with id, title, due)."""
    if key in plan.by_id:
        return plan.by_id[key]
    from types import SimpleNamespace

    item = next(i for i in plan.raid if i.key == key)
    return SimpleNamespace(id=item.key, title=item.title, due=item.due or item.review)


def records(previews) -> list[dict]:
    """One JSON-ready record per notification (contacts masked: they carry tokens)."""
    from programme.contacts import mask_url
    from programme.rules.messages import headline

    out = []
    for pv in previews:
        plan = pv.plan
        for p in pv.planned:
            n = p.notification
            person = plan.people.get(n.recipient)
            m = subject(plan, n.milestone_id)
            out.append({
                "plan": plan.id, "milestone": m.id, "title": m.title, "step": n.step,
                "headline": headline(n.step), "role": n.role, "recipient": n.recipient,
                "recipient_name": person.name if person else n.recipient,
                "contacts": [mask_url(c) for c in (person.contacts if person else ())],
                "day": p.day.isoformat(), "time": f"{p.at:%H:%M}", "at": p.at.isoformat(),
                "timezone": plan.timezone, "due": m.due.isoformat(),
                "anchor": n.anchor.isoformat(), "scheduled": n.scheduled.isoformat(),
                "follow_up": p.follow_up, "key": n.key})
    return out


def preview(plan_id: OnePlanArg = None,
            all_plans: Annotated[bool, typer.Option("--all", help="Every plan.")] = False,
            start: Annotated[str | None, typer.Option(
                "--from", metavar="DATE", help="From this date (start of day, plan time) or "
                "date-time (default: now).")] = None,
            until: Annotated[str | None, typer.Option(
                "--until", metavar="DATE", help="Up to the end of this date (default: two weeks "
                "on).")] = None,
            on_time: Annotated[bool, typer.Option(
                "--assume-on-time", help="Every open milestone done on its due day (12:00), with "
                "the follow-ups that sets off; default: nobody answers.")] = False,
            as_json: Annotated[bool, typer.Option("--json", help="One record per notification.")]
            = False,
            plans: PlansOption = None) -> None:
    """Every reminder, chase and escalation the chase will send, before it is sent: to whom, on
    which day, at what time (plan time), across weekends, bank holidays and clock changes."""
    from programme.cli.common import fail, out
    from programme.cli.common import workspace as _workspace
    from programme.rules.workdays import local_time
    from programme.usecases.preview import default_until, preview_plan

    if bool(plan_id) == all_plans:
        raise fail("name one PLAN or give --all")
    ws = _workspace(plans)
    if not plan_id:
        ws.check_folder()
    targets = [ws.plan(plan_id)] if plan_id else ws.plans()
    if not targets:
        raise fail("no valid plans to preview")
    last = _until(until)
    previews = []
    for plan in targets:
        first = local_time(_start(start, plan.timezone), plan.timezone)
        end = last or default_until(plan, first)
        if end < first.date():
            raise fail(f"--until {end:%-d %b %Y} is before --from {first:%-d %b %Y}")
        previews.append(preview_plan(ws, plan, first, end, on_time))
    if as_json:
        out.print_json(json.dumps(records(previews)))
        return
    _print(out, previews)


def _hanging(head: str, text: str, indent: int = 0):
    """`head` then `text`, wrapped between words under the text's first word (not under the
    head), so a narrow terminal or a pipe keeps ids whole and the layout readable."""
    from rich.padding import Padding
    from rich.table import Table

    line = Table.grid(padding=(0, 2, 0, 0))
    line.add_column(no_wrap=True)
    line.add_column()
    line.add_row(head, text)
    return Padding(line, (0, 0, 0, indent))


def _print(out, previews) -> None:
    from rich.markup import escape
    from rich.table import Table

    from programme.contacts import mask_url
    from programme.rules.workdays import local_time

    several = len(previews) > 1
    by_day: dict = defaultdict(lambda: defaultdict(list))
    for pv in previews:
        plan = pv.plan
        people = {p.notification.recipient for p in pv.planned}
        days = {p.day for p in pv.planned}
        first = local_time(pv.start, plan.timezone)
        who = "every open milestone done on its due day" if pv.on_time else "nobody answering"
        out.print(f"[bold]{escape(plan.id)}[/]: {len(pv.planned)} notification(s) to "
                  f"{len(people)} people on {len(days)} day(s), {first:%a %-d %b %Y %H:%M} "
                  f"to the end of {pv.until:%a %-d %b %Y} ({plan.timezone}), {who}")
        if pv.waiting:
            out.print(f"[dim]  and {pv.waiting} already queued, waiting to be sent "
                      "(`programme outbox --pending`)[/]")
        for p in pv.planned:
            by_day[p.day][(p.at, plan.id, p.notification.recipient)].append((pv, p))
    for day in sorted(by_day):
        out.print(f"\n[bold]{day:%A %-d %B %Y}[/]")
        for (at, _, recipient), items in sorted(by_day[day].items(), key=lambda kv: kv[0][:2]):
            plan = items[0][0].plan
            person = plan.people.get(recipient)
            name = person.name if person else recipient
            contacts = ", ".join(mask_url(c) for c in (person.contacts if person else ()))
            which = f" — {plan.id}" if several else ""  # each person's lines are one plan's
            out.print(_hanging(f"{at:%H:%M} {at.tzname()}", f"[bold]{escape(name)}[/] "
                               f"[dim]{escape(contacts)}[/]{which}", 2))
            lines = Table.grid(padding=(0, 1, 0, 0))
            lines.add_column(min_width=5)  # the indent under the time
            lines.add_column(no_wrap=True, min_width=18)
            lines.add_column()
            for pv, p in items:
                n = p.notification
                m = subject(pv.plan, n.milestone_id)
                late = f", fell due {day_text(n.scheduled, p.day)}" if n.scheduled < p.day and \
                    not p.follow_up else ""
                lines.add_row("", escape(n.step), f"{escape(m.id)}: {escape(m.title)} "
                              f"[dim](due {day_text(m.due, p.day)}, as {n.role}{late})[/]")
            out.print(lines)
    if not by_day:
        out.print("nothing will be sent in this span")


def quiet_lines(ws, plan, now, already_sent: int = 0, as_of: bool = False) -> list[str]:
    """For `chase` and `run` when nothing new is due for `plan` at `now`: the reason, and when
    the next notifications go, with the preview command that lists them (from `now` when the
    command ran --as-of another moment)."""
    import shlex

    from programme.rules.workdays import local_time
    from programme.usecases.preview import NEXT_HORIZON, why_quiet

    q = why_quiet(ws, plan, now, already_sent)
    lines = [f"{q.reason}."]
    window = f"Next window {_when(q.next_window)}" if q.next_window else "No sending window ahead"
    if q.next_send is None:
        lines.append(f"{window}; nothing falls due in the next {NEXT_HORIZON} days.")
        return lines
    start = f" --from {local_time(now, plan.timezone):%Y-%m-%dT%H:%M}" if as_of else ""
    command = f"programme preview {shlex.quote(plan.id)}{start} --until {q.next_send:%Y-%m-%d}"
    what = f"{q.count} notification{'s' if q.count != 1 else ''} to {q.people} " \
           f"{'person' if q.people == 1 else 'people'}"
    if q.next_window is not None and q.next_send == q.next_window:
        lines.append(f"{window}: {what} (`{command}`).")
    else:
        lines.append(f"{window}: nothing due; then {_when(q.next_send)}: {what} (`{command}`).")
    return lines


def _when(moment) -> str:
    return f"{moment:%a %-d %b} {moment:%H:%M}"


def register(app: typer.Typer) -> None:
    app.command("preview")(preview)
