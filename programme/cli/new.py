"""`programme new`: start a plan from a template of its kind, valid as written."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer


def new(plan_id: Annotated[str, typer.Argument(metavar="ID", help="The new plan's id (a slug).")],
        kind: Annotated[str, typer.Option(
            "--kind", metavar="KIND",
            help="100-day-plan, commissioning-cycle, service-phases or programme.")],
        title: Annotated[str | None, typer.Option(
            "--title", metavar="TITLE", help="The plan's title (default: from its id).")] = None,
        start: Annotated[str | None, typer.Option(
            "--start", metavar="DATE", help="The plan's start (default: next Monday).")] = None,
        plans: Annotated[Path | None, typer.Option(
            "--plans", metavar="FOLDER", show_default=False,
            help="The plans folder to write it in (default: $PROGRAMME_PLANS or ./plans).")]
        = None) -> None:
    """Write plans/ID.yaml from a template of its kind (phases, typical milestones, placeholder
    people), valid as written, and say what to fill in next."""
    import re

    from rich.markup import escape

    from programme.cli.common import fail, out
    from programme.planfiles.loading import default_plans_dir, display_path, load_file
    from programme.planfiles.newplan import fill_in, kinds, render
    from programme.planfiles.validation import suggest
    from programme.rules.dates import DateError, parse_date
    from programme.usecases.workspace import current_moment

    known = kinds()
    if kind not in known:
        raise fail(f"unknown kind '{kind}'{suggest(kind, known)}; use one of: {', '.join(known)}")
    if not re.match(r"^[a-z0-9][a-z0-9_.-]*$", plan_id):
        raise fail(f"'{plan_id}' is not an id: use lower case letters, digits and dashes, e.g. "
                   "day-opportunities-2027")
    if start is None:
        today = current_moment().date()
        day = today + timedelta(days=7 - today.weekday())
    else:
        try:
            day = parse_date(start)
        except DateError as exc:
            raise fail(f"--start: {exc}") from None
    folder = plans or default_plans_dir()
    path = folder / f"{plan_id}.yaml"
    if path.exists() or (folder / f"{plan_id}.py").exists():
        raise fail(f"{display_path(path)} already exists: choose another id, or edit that plan")
    text = render(kind, plan_id, title or plan_id.replace("-", " ").capitalize(), day)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result = load_file(path)
    if not result.ok or result.plan is None:  # a bad template is a bug: say so, keep nothing
        path.unlink()
        raise fail(f"the {kind} template does not validate: {result.problems[0]}")
    plan, shown = result.plan, display_path(path)
    out.print(f"[green]✓[/] {escape(shown)}: a plan of kind '{plan.kind}', {len(plan.phases)} "
              f"{'workstreams' if plan.phases and plan.phases[0].kind == 'workstream' else 'phases'}"
              f", {len(plan.milestones)} milestones, {len(plan.people)} placeholder people, "
              f"starting {plan.start:%a %-d %b %Y}; it validates as written.", soft_wrap=True)
    out.print("Fill in next:")
    for line, what in fill_in(text):
        out.print(f"  {escape(shown)}:{line}  {escape(what)}", soft_wrap=True)
    out.print(f"  {escape(shown)}  the milestones: titles, owners and due dates of your own",
              soft_wrap=True)
    out.print(f"Then: `programme validate {escape(shown)}`, `programme preview {plan.id}` "
              f"(who will be chased when), and commit the file.", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("new")(new)
