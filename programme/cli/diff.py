"""`programme diff`: what a change to a plan file changes and what it does, for a pull request."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from programme.cli.common import PlansOption


def diff(plan: Annotated[str, typer.Argument(
             metavar="PLAN", help="A plan file, or the id of a plan in the plans folder.")],
         from_rev: Annotated[str, typer.Option(
             "--from", metavar="REV", help="The version before (a git revision).")] = "HEAD",
         to_rev: Annotated[str | None, typer.Option(
             "--to", metavar="REV", help="The version after (default: the working tree).")] = None,
         until: Annotated[str | None, typer.Option(
             "--until", metavar="DATE", help="Compare reminders up to this date (default: eight "
             "weeks on).")] = None,
         as_json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False,
         plans: PlansOption = None) -> None:
    """Compare two versions of a plan (default: the last commit and the working tree): what
    changed, and what it does to the end date, the critical path, slips, the rating and who is
    reminded when. Markdown, ready for a pull-request comment."""
    from programme.cli.common import workspace as _workspace
    from programme.cli.preview import _until
    from programme.reports.diff import diff_json, render_diff_markdown
    from programme.usecases.plandiff import diff_plan, plan_file
    from programme.usecases.workspace import current_moment

    ws = _workspace(plans)
    now = current_moment()
    versions = diff_plan(ws, plan_file(ws, plan), from_rev, to_rev, now, _until(until))
    if as_json:
        print(json.dumps(diff_json(versions), indent=2))
        return
    print(render_diff_markdown(versions, now), end="")


def register(app: typer.Typer) -> None:
    app.command("diff")(diff)
