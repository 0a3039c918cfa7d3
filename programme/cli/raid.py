"""`programme raid list|review|decide`: the plan's RAID log, an owner's review of a risk (still
valid with a new score, or closed), and a decision taken. Every mistake is one line and exit
code 1, and nothing is recorded."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from programme.cli.common import DAY, AsOfOption, PlansOption, day_text, fail, out
from programme.cli.common import workspace as _workspace
from programme.cli.tables import Column, fitted_table

app = typer.Typer(help="The plan's RAID log: risks, assumptions, issues, decisions, dependencies.",
                  no_args_is_help=True)

PlanArg = Annotated[str, typer.Argument(metavar="PLAN", help="The plan's id.")]
ItemArg = Annotated[str, typer.Argument(metavar="ITEM", help="The RAID item's id (e.g. R1).")]
ByOpt = Annotated[str | None, typer.Option("--by", metavar="PERSON",
                                           help="Who is answering (a person id).")]
NoteOpt = Annotated[str | None, typer.Option("--note", metavar="NOTE", help="A note for the log.")]


@app.command("list")
def list_(plan_id: PlanArg, as_of: AsOfOption = None, plans: PlansOption = None) -> None:
    """Every RAID item: owner, score, next review or decision date, status."""
    from programme.usecases.workspace import parse_moment

    ws = _workspace(plans)
    plan = ws.plan(plan_id)
    now = parse_moment(as_of, plan.timezone)
    state = ws.state(plan, now)
    if not state.raid:
        out.print(f"{plan.id} has no RAID log (add risks:, issues:, decisions:... to the plan file)")
        return
    today = state.assessment.today
    columns = [Column("Item", ids=True), Column("Owner"), Column("Score", justify="right"),
               Column("Next", least=DAY), Column("Status")]
    rows = []
    for v in state.raid.values():
        owner = plan.people[v.item.owner].name if v.item.owner in plan.people else v.item.owner
        late = " [red](overdue)[/]" if v.overdue(today) else ""
        rows.append([f"{v.item.kind} {v.item.id}\n[dim]{escape(v.item.title)}[/]", escape(owner),
                     str(v.score) if v.score is not None else "–",
                     f"{day_text(v.next_date, today)}{late}" if v.next_date else "–",
                     escape(v.status) + (f": {escape(v.decision)}" if v.decision else "")])
    out.print(fitted_table(columns, rows, out, title=f"{escape(plan.title)} — RAID log"))


@app.command()
def review(plan_id: PlanArg, item_id: ItemArg,
           still_valid: Annotated[bool, typer.Option(
               "--still-valid", help="Reviewed: it still stands (with any new score).")] = False,
           close: Annotated[bool, typer.Option("--close", help="It no longer applies.")] = False,
           likelihood: Annotated[int | None, typer.Option("--likelihood", "-l", min=1, max=5,
                                                          metavar="N",
                                                          help="New likelihood, 1 to 5.")] = None,
           impact: Annotated[int | None, typer.Option("--impact", "-i", min=1, max=5,
                                                      metavar="N",
                                                      help="New impact, 1 to 5.")] = None,
           next_review: Annotated[str | None, typer.Option(
               "--next", metavar="DATE", help="Date of the next review (default: in "
               "review_every working days).")] = None,
           note: NoteOpt = None, by: ByOpt = None, plans: PlansOption = None) -> None:
    """Record a review of a risk, issue, assumption or dependency."""
    from programme.rules.dates import DateError, parse_date
    from programme.usecases.raid import review_risk
    from programme.usecases.workspace import parse_moment

    if still_valid == close and not (likelihood or impact or next_review):
        raise fail("say what the review found: --still-valid (with --likelihood/--impact if the "
                   "score changed) or --close")
    if still_valid and close:
        raise fail("choose one of --still-valid and --close")
    day = None
    if next_review is not None:
        try:
            day = parse_date(next_review)
        except DateError as exc:
            raise fail(f"--next: {exc}") from None
    ws = _workspace(plans)
    plan = ws.plan(plan_id)
    done = review_risk(ws, plan, item_id, parse_moment(None), likelihood=likelihood,
                       impact=impact, next_review=day, close=close, note=note, by=by)
    after = done.after
    what = escape(f"{after.item.kind} {after.item.id}")
    if not after.is_open:
        out.print(f"[green]✓[/] {plan.id} / {what}: closed")
        return
    score = ""
    if after.score is not None:
        was = done.before.score
        score = f", score {after.score}" + (f" (was {was})" if was != after.score else "")
    out.print(f"[green]✓[/] {plan.id} / {what}: reviewed{score}; next review "
              f"{after.next_date:%a %-d %b %Y}")


@app.command()
def decide(plan_id: PlanArg, item_id: ItemArg,
           decision: Annotated[str, typer.Option("--decision", "-d", metavar="DECISION",
                                                 help="What was decided.")],
           note: NoteOpt = None, by: ByOpt = None, plans: PlansOption = None) -> None:
    """Record a decision from the RAID log as taken."""
    from programme.usecases.raid import record_decision
    from programme.usecases.workspace import parse_moment

    ws = _workspace(plans)
    plan = ws.plan(plan_id)
    done = record_decision(ws, plan, item_id, decision, parse_moment(None), by=by, note=note)
    out.print(f"[green]✓[/] {plan.id} / decision {escape(done.after.item.id)}: "
              f"{escape(done.after.decision or '')}")


def register(main: typer.Typer) -> None:
    main.add_typer(app, name="raid")
