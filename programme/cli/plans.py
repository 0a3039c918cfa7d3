"""The core commands: validate, sync, status, update, baseline, rate, info."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from programme.cli.common import (
    DAY,
    STATE_STYLE,
    USAGE,
    AsOfOption,
    PlanArg,
    PlansOption,
    day_text,
    err,
    every_plan,
    fail,
    out,
    partial,
    print_problem,
    rating_text,
)
from programme.cli.common import workspace as _workspace
from programme.cli.tables import Column, fitted_table
from programme.rules.model import Status
from programme.usecases.workspace import parse_moment

app = typer.Typer()


@app.command()
def validate(paths: Annotated[list[Path] | None, typer.Argument(
        metavar="PATH", help="Plan files or folders (default: the plans folder).",
        show_default=False)] = None) -> None:
    """Check plan files and list every mistake at once, with file:line."""
    from programme.planfiles.loading import load_plans
    from programme.usecases.workspace import check_plans_folder

    if not paths:
        check_plans_folder(None)  # run from the wrong folder: say so (the store is not opened)
    results = load_plans(paths or None)
    if not results:
        raise fail("no plan files found (plans are plans/<id>.yaml or plans/<id>.py)", USAGE)
    bad = 0
    for result in results:
        plan = result.plan
        if plan is not None and result.ok:
            out.print(f"[green]✓[/] {escape(str(result.path))}: {plan.id} — "
                      f"{len(plan.milestones)} milestones, {len(plan.people)} people")
            for warning in result.warnings:
                print_problem(out, "[yellow]warning:[/]", warning)
        else:
            bad += len(result.problems)
            for problem in result.problems:
                print_problem(out, "[red]✗[/]", problem)
    if bad:
        noun = "problem" if bad == 1 else "problems"
        raise fail(f"{bad} {noun} in {sum(1 for r in results if not r.ok)} of {len(results)} "
                   "plan files")


@app.command()
def sync(plan_id: Annotated[str | None, typer.Argument(
             metavar="PLAN", help="The plan's id (default: every plan).", show_default=False)]
         = None,
         plans: PlansOption = None) -> None:
    """Store the plans' current definitions (keeping every milestone's history)."""
    ws = _workspace(plans)
    targets = [ws.plan(plan_id)] if plan_id else every_plan(ws, "skipped")
    now = parse_moment(None)
    for plan in targets:
        result = ws.sync(plan, now)
        what = "added" if result.first_sync else (
            f"{len(result.added)} added, {len(result.changed)} changed, "
            f"{len(result.removed)} removed (kept as dropped)")
        out.print(f"[green]✓[/] {plan.id}: {len(plan.milestones)} milestones, {what}")
        for warning in ws.warnings(plan):
            print_problem(err, "[yellow]warning:[/]", warning)
    if not plan_id:
        partial(ws)


@app.command()
def status(plan_id: Annotated[str | None, typer.Argument(
               metavar="PLAN", help="The plan's id (default: every plan, as a portfolio).",
               show_default=False)] = None,
           as_of: AsOfOption = None,
           as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
           plans: PlansOption = None) -> None:
    """Where a plan stands: forecast, slip, state and rating per milestone (or every plan)."""
    from programme.usecases.views import plan_json, portfolio_json

    ws = _workspace(plans)
    if plan_id is None:
        states = []
        for plan in every_plan(ws):
            states.append(ws.state(plan, parse_moment(as_of, plan.timezone)))
        if as_json:
            doc = portfolio_json(states)
            doc["not_loaded"] = [{"file": p.location.file, "line": p.location.line,
                                  "milestone": p.milestone, "message": p.message}
                                 for p in ws.problems()]
            print(json.dumps(doc, indent=2))
        else:
            _print_portfolio(states)
        partial(ws)
        return
    plan = ws.plan(plan_id)
    state = ws.state(plan, parse_moment(as_of, plan.timezone))
    if as_json:
        print(json.dumps(plan_json(state), indent=2))
        return
    _print_plan(state)


def _print_portfolio(states) -> None:
    columns = [Column("Plan", ids=True), Column("Rating"), Column("Lead's rating", fold=1),
               Column("Done", justify="right"), Column("Overdue", justify="right"),
               Column("Blocked", justify="right", fold=2), Column("Ends (forecast)")]
    narrow_columns = [Column("Plan", ids=True), Column("Rating"), Column("Done"),
                      Column("Late"), Column("Ends (forecast)")]
    rows, narrow = [], []
    for s in states:
        a = s.assessment
        views = a.views()
        plan = f"{s.plan.id}\n[dim]{escape(s.plan.title)}[/]"
        lead = rating_text(s.lead_rating.rating) if s.lead_rating else "–"
        overdue, blocked = sum(v.overdue for v in views), sum(v.blocked for v in views)
        done = f"{a.overall.done}/{a.overall.total}"
        ends = f"{a.overall.forecast or '–'}" + (f" [red](+{a.overall.end_slip}wd)[/]"
                                                if a.overall.end_slip else "")
        rows.append([plan, rating_text(a.rating), lead, done, str(overdue), str(blocked), ends])
        narrow.append([plan, rating_text(a.rating) + (f"\nlead's: {lead}" if s.lead_rating else ""),
                       done, f"{overdue} overdue\n{blocked} blocked", ends])
    out.print(fitted_table(columns, rows, out, narrow=(narrow_columns, narrow), title="Portfolio"))


def _print_plan(state) -> None:
    a, plan = state.assessment, state.plan
    columns = [Column("Milestone", ids=True), Column("Owner"), Column("Due", least=DAY),
               Column("Forecast", least=DAY), Column("Slip", justify="right", fold=1), Column("State"),
               Column("Rating")]
    rows, narrow = [], []  # narrow: the forecast under the due date, in one column
    names = plan.people
    for v in a.views():
        m = v.milestone
        state_style = STATE_STYLE.get(v.state, "")
        state_text = ", ".join(v.states[:2]) if len(v.states) > 1 and v.states[1] not in (
            "not started", "in progress") else v.state
        if v.blocked and v.status.reason:
            state_text += f": {escape(v.status.reason)}"
        milestone = f"{m.id}\n[dim]{'★ ' if v.critical else ''}{escape(m.title)}[/]"
        owner = escape(names[m.owner].name if m.owner in names else m.owner)
        due = day_text(m.due, a.today)
        forecast = day_text(v.forecast, a.today) if v.forecast else "–"
        state_cell = f"[{state_style}]{state_text}[/]" if state_style else state_text
        slip = f"{v.slip}wd" if v.slip else ""
        rows.append([milestone, owner, due, forecast, slip, state_cell, rating_text(v.rating)])
        dates = due if forecast in ("–", due) else f"{due}\n→ {forecast}"
        narrow.append([milestone, owner, dates, state_cell, rating_text(v.rating)])
    narrow_columns = [Column("Milestone", ids=True), Column("Owner"), Column("Due → forecast", least=DAY + 2),
                      Column("State"), Column("Rating", fold=1)]
    out.print(fitted_table(columns, rows, out, narrow=(narrow_columns, narrow),
                           title=f"{escape(plan.title)} — as of {a.today:%A %-d %B %Y}"))
    o = a.overall
    line = (f"[bold]{plan.id}[/]: {rating_text(o.rating)} — {o.done}/{o.total} done, "
            f"{sum(v.overdue for v in a.views())} overdue, "
            f"{sum(v.blocked for v in a.views())} blocked; ends {o.forecast or '–'}")
    if o.end_slip:
        line += f" ([red]{o.end_slip} working days late[/])"
    out.print(line)
    if o.reasons:
        out.print("[dim]why: " + escape("; ".join(o.reasons)) + "[/]")
    if state.lead_rating:
        lr = state.lead_rating
        out.print(f"lead's rating: {rating_text(lr.rating)} ({lr.at:%-d %b %Y}) — {escape(lr.commentary)}",
                  soft_wrap=True)
    out.print("[dim]★ on the critical path[/]")


@app.command()
def update(plan_id: PlanArg,
           milestone_id: Annotated[str, typer.Argument(metavar="MILESTONE",
                                                       help="The milestone's id.")],
           done: Annotated[bool, typer.Option("--done", help="Mark it done.")] = False,
           in_progress: Annotated[bool, typer.Option("--in-progress",
                                                     help="Mark it in progress.")] = False,
           not_started: Annotated[bool, typer.Option("--not-started",
                                                     help="Mark it not started (reopen it).")] = False,
           blocked: Annotated[str | None, typer.Option("--blocked", metavar="REASON",
                                                       help="Mark it blocked, saying why.")] = None,
           dropped: Annotated[bool, typer.Option("--dropped",
                                                 help="Drop it from the plan's delivery.")] = False,
           forecast: Annotated[str | None, typer.Option(
               "--forecast", metavar="DATE", help="The owner's own forecast date ('none' "
               "clears it: the due date stands again).")] = None,
           on: Annotated[str | None, typer.Option(
               "--on", metavar="DATE", help="The day it happened, when not today.")] = None,
           note: Annotated[str | None, typer.Option("--note", metavar="NOTE",
                                                    help="A note for the history.")] = None,
           by: Annotated[str | None, typer.Option("--by", metavar="PERSON",
                                                  help="Who is answering (a person id).")] = None,
           plans: PlansOption = None) -> None:
    """Record a check-in: a status change, a forecast date or a note."""
    from programme.compose import follow_ups
    from programme.rules.dates import DateError, parse_date
    from programme.usecases.checkin import CheckIn, record_checkin

    chosen = [s for s, on_ in ((Status.DONE, done), (Status.IN_PROGRESS, in_progress),
                               (Status.NOT_STARTED, not_started),
                               (Status.BLOCKED, blocked is not None), (Status.DROPPED, dropped)) if on_]
    if len(chosen) > 1:
        raise fail("choose one of --done, --in-progress, --not-started, --blocked, --dropped")
    if not chosen and forecast is None and note is None:
        raise fail("say what changed: --done, --in-progress, --blocked REASON, --forecast DATE "
                   "or --note NOTE")
    if blocked is not None and not blocked.strip():
        raise fail("--blocked needs a reason, e.g. --blocked \"waiting for legal sign-off\"")
    clear = forecast is not None and forecast.strip().lower() in ("none", "clear", "-")
    days = {}
    for option, text in (("--forecast", None if clear else forecast), ("--on", on)):
        if text is not None:
            try:
                days[option] = parse_date(text)
            except DateError as exc:
                raise fail(f"{option}: {exc}") from None
    ws = _workspace(plans)
    plan = ws.plan(plan_id)
    if by is not None and by not in plan.people:
        from programme.planfiles.validation import suggest

        raise fail(f"--by '{by}' is not a person in plan '{plan.id}'"
                   f"{suggest(by, list(plan.people))}")
    checkin = CheckIn(milestone_id, chosen[0] if chosen else None, days.get("--forecast"), note,
                      blocked, days.get("--on"), by, "cli", clear_forecast=clear)
    recorded, said = record_checkin(ws, plan, checkin, parse_moment(None), follow_ups(ws))
    entry = recorded.entry
    change = (f"{entry.previous.value} → {entry.status.value}"
              if entry.previous is not None and entry.previous != entry.status
              else entry.status.value)
    extra = f", forecast {entry.forecast:%a %-d %b %Y}" if entry.forecast else \
        ", forecast cleared (due date stands)" if entry.forecast_cleared else ""
    when = f", on {entry.happened_on:%a %-d %b %Y}" if entry.happened_on else ""
    out.print(f"[green]✓[/] {plan.id} / {milestone_id}: {change}{extra}{when}")
    for warning in recorded.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)} (recorded all the same)", soft_wrap=True)
    for m in recorded.startable:
        owner = plan.people[m.owner].name if m.owner in plan.people else m.owner
        out.print(f"{escape(owner)} can now start {escape(m.title)}.")
    if said:
        out.print(escape(said))
    if recorded.rating_changed:
        out.print(f"plan rating: {rating_text(recorded.before.rating)} → "
                  f"{rating_text(recorded.after.rating)}")


@app.command()
def baseline(plan_id: PlanArg,
             note: Annotated[str | None, typer.Option(
                 "--note", metavar="NOTE", help="Why it is taken, kept with it.")] = None,
             plans: PlansOption = None) -> None:
    """Snapshot today's due dates as the new baseline for plan-vs-actual variance."""
    ws = _workspace(plans)
    plan = ws.plan(plan_id)
    now = parse_moment(None)
    ws.ensure_synced(plan, now)
    number = ws.store.baseline(plan, now, note)
    out.print(f"[green]✓[/] {plan.id}: baseline {number} taken ({len(plan.milestones)} due dates)")


@app.command()
def rate(plan_id: PlanArg,
         rating: Annotated[str, typer.Argument(
             metavar="RATING", show_default=False,
             help="On the plan's scale: Green, Amber, Red (three-point) or Green, Amber/Green, "
                  "Amber, Amber/Red, Red (five-point).")],
         commentary: Annotated[str, typer.Option("--commentary", "-c", metavar="COMMENTARY",
                                                 help="Why: shown beside it in reports.")],
         by: Annotated[str | None, typer.Option(
             "--by", metavar="PERSON", help="Who rates it (a person id; default: the lead).")]
         = None,
         plans: PlansOption = None) -> None:
    """Record the lead's own delivery-confidence rating, with a commentary."""
    from programme.rules.scales import parse_on

    if not commentary.strip():
        raise fail("--commentary cannot be empty: say why")
    ws = _workspace(plans)
    plan = ws.plan(plan_id)
    try:
        value = parse_on(rating, plan.rating_scale)
    except ValueError as exc:
        raise fail(f"plan '{plan.id}': {exc}") from None
    now = parse_moment(None)
    ws.ensure_synced(plan, now)
    ws.store.rate(plan.id, value, commentary.strip(), now, by or plan.lead)
    computed = ws.state(plan, now, sync=False).assessment.rating
    out.print(f"[green]✓[/] {plan.id}: lead's rating {rating_text(value)} recorded "
              f"(computed rating: {rating_text(computed)})")


@app.command()
def info(plans: PlansOption = None) -> None:
    """Where the data lives and what is in it; where messages go (the local sink or live, and
    why) and which Prefect server runs the flows."""
    from importlib.metadata import version

    from programme.config import data_dir, redact_url
    from programme.planfiles.loading import default_plans_dir

    ws = _workspace(plans)
    lines = [("data folder", str(data_dir()))]
    url = ws.store.url
    lines.append(("database", redact_url(url)))
    if url.startswith("sqlite:///"):
        lines.append(("database file", url.removeprefix("sqlite:///")))
    lines.append(("plans folder", str(plans or default_plans_dir())))
    from programme.usecases.workspace import NoPlansError

    missing: NoPlansError | None = None
    try:
        ws.check_folder()
    except NoPlansError as exc:
        missing = exc
        lines.append(("plan files", "none"))
    else:
        results = ws.load()
        lines.append(("plan files", f"{len(results)} ({sum(r.ok for r in results)} valid)"))
    stored = ws.store.plan_ids()
    lines.append(("stored plans", ", ".join(stored) if stored else "none yet (run programme sync)"))
    lines += [*_delivery_lines(), ("prefect api", _prefect_api())]
    out.print(f"programme {version('programme')}")
    grid = Table.grid()  # values wrap between words, under the value, not the label
    grid.add_column(width=15, no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in lines:
        grid.add_row(f"{label}:", escape(value))
    out.print(grid)
    if missing is not None:
        raise missing


def _delivery_lines() -> list[tuple[str, str]]:
    """Where messages go and why (notifications.apprise_dispatch.delivery_mode decides), the
    SMTP server masked (its URL carries the password) and the local sink's folder."""
    import os

    from programme.config import data_dir
    from programme.contacts import mask_url

    smtp = os.environ.get("PROGRAMME_SMTP_URL") or None
    chosen = (os.environ.get("PROGRAMME_DELIVERY") or "").strip().lower()
    if chosen in ("live", "sink"):
        mode = f"{chosen} (PROGRAMME_DELIVERY={chosen})"
    elif chosen:
        mode = f"unknown: PROGRAMME_DELIVERY={chosen!r} (use live or sink); nothing can be sent"
    else:
        mode = "live (PROGRAMME_SMTP_URL is set)" if smtp else "sink (PROGRAMME_SMTP_URL not set)"
    if chosen == "sink" or (not chosen and not smtp):
        mode += ": every message is filed in the local sink, nothing leaves this machine"
    elif not smtp:
        mode += ": chat and Apprise contacts are sent; bare email addresses go to the sink"
    sink = data_dir() / "sink"
    return [("delivery", mode),
            ("smtp server", mask_url(smtp) if smtp else "none (PROGRAMME_SMTP_URL not set)"),
            ("sink folder", f"{sink} (read it with any mail client: it is a Maildir)")]


def _prefect_api() -> str:
    import os

    from programme.config import redact_url

    api = os.environ.get("PREFECT_API_URL")
    if api:
        return f"{redact_url(api)} (PREFECT_API_URL)"
    return ("none set: `programme run` starts a temporary server per run "
            "(set PREFECT_API_URL for `programme serve`, `worker` and the UI)")


def register(main: typer.Typer) -> None:
    main.registered_commands.extend(app.registered_commands)
