"""`programme chase` and `programme outbox`: chase owners now, and see or retry what was sent.

Apprise, Jinja2 and the outbox are imported inside the commands so the CLI starts fast.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from programme.cli.common import OnePlanArg, PlansOption

outbox_app = typer.Typer(help="What the chase has queued, sent and failed to send.",
                         no_args_is_help=False, invoke_without_command=True)



def _moment(text: str | None, tz: str):
    """--as-of for a chase: a date means noon plan time that day (inside the usual window); a
    date-time is taken as written."""
    from datetime import time

    from programme.usecases.workspace import parse_moment

    return parse_moment(text, tz, day_at=time(12))


def chase(plan_id: OnePlanArg = None,
          all_plans: Annotated[bool, typer.Option("--all", help="Chase every plan.")] = False,
          as_of: Annotated[str | None, typer.Option(
              "--as-of", metavar="DATE",
              help="Run as if at this date (noon plan time) or date-time.")] = None,
          dry_run: Annotated[bool, typer.Option(
              "--dry-run", help="Show what is due and would be sent; send and record nothing.")] = False,
          concurrency: Annotated[int, typer.Option(
              "--concurrency", metavar="N", help="Messages sent at once.")] = 8,
          plans: PlansOption = None) -> None:
    """Remind, chase and escalate: queue what is due in the outbox, then send it."""
    from programme.cli.common import err, every_plan, fail, out, partial
    from programme.store import Store
    from programme.usecases.workspace import Workspace

    if bool(plan_id) == all_plans:
        raise fail("name one PLAN or give --all")
    ws = Workspace(Store(), plans)
    targets = [ws.plan(plan_id)] if plan_id is not None else every_plan(ws, "skipped")
    from programme.usecases.chase import dispatch_pending, queue_due

    if dry_run:
        _print_preview(ws, targets, as_of)
        if all_plans:
            partial(ws)
        return
    from rich.markup import escape

    from notifications.apprise_dispatch import AppriseDispatcher

    total = None
    last_now = None
    for plan in targets:
        now = _moment(as_of, plan.timezone)
        last_now = now
        result = queue_due(ws, plan, now)
        out.print(f"{plan.id}: {result.queued + result.skipped} due, {result.queued} newly queued"
                  f"{f', {result.skipped} already queued or sent' if result.skipped else ''}")
        if not result.queued:
            _print_quiet(ws, plan, now, result.skipped, as_of is not None)
        total = result if total is None else total + result
    assert last_now is not None  # targets is not empty
    dispatcher = AppriseDispatcher()
    sent = dispatch_pending(ws, dispatcher, last_now, concurrency=concurrency)
    out.print(f"sent {sent.sent} notification(s) in {sent.messages} message(s)"
              + (f"; {sent.failed} not delivered (kept for retry: `programme outbox --pending`)"
                 if sent.failed else ""))
    for line in sent.errors:
        err.print(f"[yellow]not delivered:[/] {escape(line)}", soft_wrap=True)
    if not dispatcher.smtp_url:
        out.print(f"[dim]emails go to the local sink {escape(str(dispatcher.sink_dir))} "
                  "(set PROGRAMME_SMTP_URL to send them)[/]")
    if all_plans:
        partial(ws)


def _print_preview(ws, targets, as_of) -> None:
    from rich.markup import escape

    from programme.cli.common import out
    from programme.cli.tables import Column, fitted_table
    from programme.usecases.chase import preview

    columns = [Column("Milestone", ids=True), Column("Step", ids=True), Column("To"),
               Column("Why", fold=2), Column("When", least=16), Column("Queued", fold=1)]
    narrow_columns = [Column("Milestone", ids=True), Column("Step", ids=True),
                      Column("To", least=10), Column("When", least=15)]
    quiet = []
    for plan in targets:
        now = _moment(as_of, plan.timezone)
        new = known_count = 0
        rows, narrow = [], []
        for item, known in preview(ws, plan, now):
            new += not known
            known_count += known
            name, when = escape(item.recipient_name), escape(item.payload["when"])
            queued = "already" if known else "new"
            rows.append([item.milestone_id, item.step, name, item.role, when, queued])
            narrow.append([item.milestone_id,
                           item.step + ("\n[dim](already queued)[/]" if known else ""),
                           f"{name}\n[dim]as {item.role}[/]", when])
        if rows:
            out.print(fitted_table(
                columns, rows, out, narrow=(narrow_columns, narrow),
                title=f"Due now in {plan.id} (dry run: nothing sent or recorded)"))
        if not new:
            quiet.append((plan, now, known_count))
    for plan, now, known_count in quiet:
        _print_quiet(ws, plan, now, known_count, as_of is not None, label="nothing new due now")


def _print_quiet(ws, plan, now, already_sent: int, as_of: bool, label: str = "") -> None:
    """Why nothing new is due for `plan` now, and what comes next (from the preview)."""
    from rich.markup import escape

    from programme.cli.common import out
    from programme.cli.preview import quiet_lines

    lines = quiet_lines(ws, plan, now, already_sent, as_of)
    head = f"{plan.id}: {label}: " if label else "  "
    out.print(escape(head + " ".join(lines)), soft_wrap=True)


def _rows_json(rows) -> list[dict]:
    from programme.contacts import mask_url

    return [{"key": r.key, "plan": r.plan_id, "milestone": r.milestone_id, "step": r.step,
             "anchor": r.anchor.isoformat(), "recipient": r.recipient, "role": r.role,
             "state": r.state, "attempts": r.attempts, "last_error": r.last_error,
             "targets": [mask_url(c) for c in r.contacts],
             "delivered": [mask_url(c) for c in r.delivered],
             "created_at": r.created_at.isoformat(), "next_attempt_at": r.next_attempt_at.isoformat(),
             "sent_at": r.sent_at.isoformat() if r.sent_at else None} for r in rows]


@outbox_app.callback()
def outbox_list(ctx: typer.Context,
                pending: Annotated[bool, typer.Option("--pending", help="Only not yet sent.")] = False,
                failed: Annotated[bool, typer.Option("--failed", help="Only given up.")] = False,
                sent: Annotated[bool, typer.Option("--sent", help="Only sent.")] = False,
                as_json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False,
                plan_id: Annotated[str | None, typer.Option(
                    "--plan", metavar="PLAN", help="Only this plan's notifications.")] = None,
                limit: Annotated[int, typer.Option(
                    "--limit", metavar="N", help="At most this many rows (the newest; 0: all).")]
                = 200) -> None:
    """List the outbox (every notification the chase has queued), newest last."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.markup import escape

    from programme.cli.common import out
    from programme.cli.tables import Column, fitted_table
    from programme.contacts import mask_url
    from programme.store import Store
    from programme.store.outbox import FAILED, PENDING, SENDING, SENT, Outbox

    states = ([PENDING, SENDING] if pending else []) + ([FAILED] if failed else []) + (
        [SENT] if sent else [])
    store = Store()
    box = Outbox(store)
    if plan_id is not None:
        known = sorted(set(store.plan_ids()) | set(box.plan_ids()))
        if plan_id not in known:
            from programme.cli.common import fail
            from programme.planfiles.validation import suggest

            listing = f"plans with an outbox: {', '.join(known)}" if known else \
                "no plan has been synced yet (run programme sync)"
            raise fail(f"--plan: unknown plan '{plan_id}'{suggest(plan_id, known)}; {listing}")
    rows = box.rows(states or None, plan_id=plan_id)
    rows = rows[-limit:] if limit else rows
    if as_json:
        out.print_json(json.dumps(_rows_json(rows)))
        return
    counts = box.counts(plan_id)
    out.print(", ".join(f"{n} {s}" for s, n in counts.items())
              + (f" (plan {plan_id})" if plan_id else ""))
    if not rows:
        return
    columns = [Column("Milestone", ids=True), Column("Step", ids=True), Column("To"),
               Column("Target", fold=3), Column("State"), Column("Tries", fold=2),
               Column("Next / sent"), Column("Last error", fold=1)]
    narrow_columns = [Column("Milestone", ids=True), Column("Step", ids=True), Column("To"),
                      Column("State"), Column("Last error", fold=1)]
    table_rows, narrow = [], []
    for r in rows:
        when = r.sent_at if r.sent_at else r.next_attempt_at
        targets = escape(", ".join(mask_url(c) for c in r.contacts))
        name, error = escape(r.recipient_name), escape(r.last_error or "")
        tries = f" ({r.attempts} tries)" if r.attempts > 1 else ""  # the wide table has a column
        table_rows.append([f"{r.plan_id}/{r.milestone_id}", f"{r.step}@{r.anchor:%-d %b}",
                           name, f"[dim]{targets}[/]", r.state, str(r.attempts),
                           f"{when:%Y-%m-%d %H:%M} UTC", error])
        narrow.append([f"{r.milestone_id}\n[dim]{r.plan_id}[/]", f"{r.step}\n{r.anchor:%-d %b}",
                       name, f"{r.state}{tries}\n{when:%Y-%m-%d %H:%M} UTC", error])
    out.print(fitted_table(columns, table_rows, out, narrow=(narrow_columns, narrow)))


@outbox_app.command("retry")
def outbox_retry(send: Annotated[bool, typer.Option(
        "--send/--no-send", help="Send at once (default) or only make them due.")] = True,
                 concurrency: Annotated[int, typer.Option(
                     "--concurrency", metavar="N", help="Messages sent at once.")] = 8
                 ) -> None:
    """Make failed (and backing-off) notifications due now, and send them."""
    from programme.cli.common import err, out
    from programme.store import Store
    from programme.store.outbox import Outbox
    from programme.usecases.chase import dispatch_pending
    from programme.usecases.workspace import Workspace, parse_moment

    store = Store()
    now = parse_moment(None)
    count = Outbox(store).retry(now)
    out.print(f"{count} notification(s) due again")
    if not send or not count:
        return
    from rich.markup import escape

    from notifications.apprise_dispatch import AppriseDispatcher

    result = dispatch_pending(Workspace(store), AppriseDispatcher(), now, concurrency=concurrency)
    out.print(f"sent {result.sent} notification(s) in {result.messages} message(s)"
              + (f"; {result.failed} still not delivered" if result.failed else ""))
    for line in result.errors:
        err.print(f"[yellow]not delivered:[/] {escape(line)}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("chase")(chase)
    app.add_typer(outbox_app, name="outbox")
