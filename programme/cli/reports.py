"""`programme report`, `programme digest`, `programme ical`: the Monday report, the digests and
the calendar feed. Jinja2 and the reports package are imported inside the commands so the CLI
starts fast; every mistake is one line and exit code 1.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from programme.cli.common import PlansOption
from programme.cli.common import workspace as _workspace

PlanArg = Annotated[str, typer.Argument(metavar="PLAN", help="The plan's id.")]
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", metavar="DATE", help="Report as of this date (end of day, plan time) or date-time.")]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", metavar="FILE",
                                             help="Write to FILE instead of standard output.")]




def _write(text: str, output: Path | None) -> None:
    from programme.cli.common import err, fail

    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    if not output.parent.is_dir():  # never make folders outside the data folder
        raise fail(f"cannot write {output}: there is no folder {output.parent}")
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    err.print(f"[green]✓[/] wrote {escape(str(output))}", soft_wrap=True)


def _templates_ok() -> None:
    from programme.cli.common import fail
    from programme.reports.render import environment

    try:
        environment()
    except ValueError as exc:
        raise fail(str(exc)) from None


def _render(fn, *args):
    """Run a renderer, turning a broken override template into one line naming the file."""
    from jinja2 import TemplateError, TemplateSyntaxError

    from programme.cli.common import fail

    try:
        return fn(*args)
    except TemplateSyntaxError as exc:
        raise fail(f"template {exc.filename or exc.name}:{exc.lineno}: {exc.message}") from None
    except TemplateError as exc:
        raise fail(f"template error: {exc}") from None


def register(app: typer.Typer) -> None:
    @app.command()
    def report(plan_id: PlanArg,
               fmt: Annotated[str, typer.Option("--format", "-f", metavar="md|html",
                                                help="Markdown or a standalone HTML page.")] = "md",
               as_of: AsOfOpt = None, output: OutOpt = None, plans: PlansOption = None,
               template: Annotated[str, typer.Option(
                   "--template", "-t", metavar="report|highlight",
                   help="report (the status report) or highlight (PRINCE2 headings).")] = "report",
               ) -> None:
        """The plan's status report: rating and trend, done, due, overdue, blocked, slips,
        critical path, baseline variance, phases and (HTML) a timeline picture; or, with
        --template highlight, the highlight report for the board."""
        from programme.cli.common import fail
        from programme.reports import render_report
        from programme.reports.render import FORMATS
        from programme.usecases.digest import collect
        from programme.usecases.workspace import parse_moment

        fmt = fmt.lower().removeprefix(".")
        fmt = {"markdown": "md", "htm": "html"}.get(fmt, fmt)
        if fmt not in FORMATS:
            raise fail(f"--format {fmt!r}: use md or html")
        from programme.reports.render import TEMPLATES

        if template not in TEMPLATES:
            raise fail(f"--template {template!r}: use {' or '.join(TEMPLATES)}")
        _templates_ok()
        ws = _workspace(plans)
        plan = ws.plan(plan_id)
        snapshot = collect(ws, plan, parse_moment(as_of, plan.timezone))
        from programme.reports.render import render_highlight

        renderer = render_highlight if template == "highlight" else render_report
        _write(_render(renderer, snapshot, fmt), output)

    @app.command()
    def digest(plan_id: Annotated[str | None, typer.Argument(
                   metavar="PLAN", help="The plan's id (or --portfolio for every plan).")] = None,
               portfolio: Annotated[bool, typer.Option(
                   "--portfolio", help="One digest across every plan, for sponsors.")] = False,
               fmt: Annotated[str, typer.Option("--format", "-f", metavar="text|html|chat",
                                                help="Which form to print.")] = "text",
               as_of: AsOfOpt = None,
               send: Annotated[bool, typer.Option(
                   "--send", help="Deliver it through the outbox (once per reader per day).")] = False,
               output: OutOpt = None, plans: PlansOption = None) -> None:
        """The weekly digest of a plan, or with --portfolio across all plans."""
        from programme.cli.common import fail

        if portfolio == (plan_id is not None):
            raise fail("give either a PLAN or --portfolio")
        if fmt not in ("text", "html", "chat"):
            raise fail(f"--format {fmt!r}: use text, html or chat")
        _templates_ok()
        ws = _workspace(plans)
        if plan_id is None:  # --portfolio, checked above
            result, _, day = _portfolio(ws, as_of)
        else:
            from programme.reports import render_digest
            from programme.usecases.digest import collect
            from programme.usecases.workspace import parse_moment

            plan = ws.plan(plan_id)
            snapshot = collect(ws, plan, parse_moment(as_of, plan.timezone))
            if send:  # each reader gets their own report link, put in when it is sent
                from programme.usecases.links import REPORT_LINK

                result = _render(render_digest, snapshot, REPORT_LINK)
            else:
                result = _render(render_digest, snapshot)
            day = snapshot.state.assessment.today
        if send:
            _send(ws, result, ws.plans() if portfolio else [plan], portfolio, day,
                  parse_moment_now())
        else:
            _write({"text": result.text, "html": result.html, "chat": result.chat}[fmt], output)
        if portfolio:
            from programme.cli.common import partial

            partial(ws)

    @app.command()
    def ical(plan_id: PlanArg, as_of: AsOfOpt = None, output: OutOpt = None,
             plans: PlansOption = None) -> None:
        """The plan's milestones as an iCalendar (.ics) feed: one all-day event each."""
        from programme.reports import write_ical
        from programme.reports.ical import description
        from programme.usecases.digest import collect
        from programme.usecases.links import calendar_links
        from programme.usecases.workspace import parse_moment

        ws = _workspace(plans)
        plan = ws.plan(plan_id)
        snapshot = collect(ws, plan, parse_moment(as_of, plan.timezone),
                           whole_history=True)  # SEQUENCE counts every change
        links = {} if as_of else calendar_links(ws, plan, parse_moment(None))
        text = write_ical(snapshot, describe=lambda p, row: description(p, row, links.get(row.id)))
        if output is None:
            typer.echo(text, nl=False)
            return
        _write(text, output)


def parse_moment_now():
    from programme.usecases.workspace import parse_moment

    return parse_moment(None)


def _send(ws, digest, plans, portfolio: bool, day, now) -> None:
    """Queue the digest in the outbox (once per reader per day) and send what is due now."""
    from notifications.apprise_dispatch import AppriseDispatcher
    from programme.cli.common import err, out
    from programme.store.outbox import Outbox
    from programme.usecases.chase import dispatch_pending
    from programme.usecases.digest import digest_items, portfolio_items

    items = portfolio_items(plans, digest, day) if portfolio else digest_items(plans[0], digest, day)
    if not items:
        err.print("[yellow]nobody to send it to:[/] add subscribers (or a sponsor) with contacts")
        return
    queued = Outbox(ws.store).enqueue(items, now)
    result = dispatch_pending(ws, AppriseDispatcher(), now)
    out.print(f"[green]✓[/] digest queued for {len(queued)} of {len(items)} readers "
              f"({len(items) - len(queued)} already had today's); sent {result.sent}, "
              f"failed {result.failed}")
    for error in result.errors:
        err.print(f"[yellow]not delivered:[/] {escape(error)}", soft_wrap=True)


def _portfolio(ws, as_of: str | None):
    """Every valid plan's snapshot, with a progress bar on stderr (it can take a while)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from programme.cli.common import err, every_plan
    from programme.reports import render_portfolio
    from programme.usecases.digest import collect
    from programme.usecases.workspace import parse_moment

    plans = every_plan(ws, "not included")
    snapshots = []
    moments: list[datetime] = []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as progress:
        task = progress.add_task("reading plans", total=len(plans))
        for plan in plans:
            now = parse_moment(as_of, plan.timezone)
            moments.append(now)
            snapshots.append(collect(ws, plan, now))
            progress.advance(task)
        progress.update(task, description="rendering", completed=0)
        result = _render(render_portfolio, snapshots, "Portfolio digest", max(moments),
                         lambda i: progress.update(task, completed=i + 1))
    today = max(s.state.assessment.today for s in snapshots)
    return result, "portfolio", today
