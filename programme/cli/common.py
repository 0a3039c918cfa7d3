"""What every command shares: the consoles, one-line failures, the common options, rating colours."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from programme.cli import helpstyle
from programme.config import DataFolderError
from programme.rules.model import Rating
from programme.store import Store, StoreError
from programme.usecases.workspace import NoPlansError, Workspace, WorkspaceError


def _console(stderr: bool = False) -> Console:
    """A console for the commands' output. Its width is the terminal's (COLUMNS; 80 when
    piped). NO_COLOR (https://no-color.org) turns every style off, bold and dim included, so
    the output carries no escape codes at all; FORCE_COLOR keeps colour in a pipe."""
    plain = os.environ.get("NO_COLOR", "") != ""
    return Console(stderr=stderr, highlight=False, color_system=None if plain else "auto")


out = _console()
err = _console(stderr=True)

# Exit codes (README "Exit codes"): every plan served; the command failed; a usage mistake or
# no plan files at all; some plans served and at least one plan file listed as not loaded.
OK, ERROR, USAGE, PARTIAL = 0, 1, 2, 3


helpstyle.install()


class Group(TyperGroup):
    """Turns expected failures (unknown plan, unreachable database...) into one-line errors;
    every command's help is reflowed into paragraphs (programme.cli.helpstyle)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        helpstyle.reflow_all(self)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except NoPlansError as exc:  # pointed at the wrong place: a usage mistake
            err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(USAGE) from None
        except (WorkspaceError, StoreError, DataFolderError) as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(1) from None


RATING_STYLE = {
    Rating.GREEN: "bold green", Rating.AMBER_GREEN: "bold yellow3", Rating.AMBER: "bold yellow",
    Rating.AMBER_RED: "bold dark_orange", Rating.RED: "bold red",
}
STATE_STYLE = {"done": "green", "dropped": "dim", "blocked": "bold red", "overdue": "red",
               "slipped by dependency": "dark_orange", "at risk": "yellow", "due soon": "cyan"}

PlansOption = Annotated[Path | None, typer.Option(
    "--plans", metavar="PATH", show_default=False,
    help="The plans folder, or one plan file (default: $PROGRAMME_PLANS or ./plans).")]
AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", metavar="DATE",
    help="Show the plan as of this date (end of day, plan time) or date-time.")]
# PLAN arguments, required or optional (with --all)
PlanArg = Annotated[str, typer.Argument(metavar="PLAN", help="The plan's id.", show_default=False)]
OnePlanArg = Annotated[str | None, typer.Argument(
    metavar="PLAN", help="The plan's id (or --all for every plan).", show_default=False)]


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def workspace(plans: Path | None) -> Workspace:
    return Workspace(Store(), plans)


def every_plan(ws: Workspace, label: str = "not loaded") -> list:
    """The plans of a portfolio command: every plan that loads, each broken file listed on
    stderr with its problems. No plan files at all is a usage error (exit 2); only broken ones
    is an error (exit 1)."""
    folder = ws.folder
    ws.check_folder()
    results = ws.load()
    for result in ws.broken():
        for problem in result.problems:
            print_problem(err, f"[yellow]{label}:[/]", problem)
    plans = ws.plans()
    if not plans:
        raise fail(f"none of the {len(results)} plan files in {folder} loads "
                   "(`programme validate` lists why)")
    return plans


def print_problem(console: Console, mark: str, problem) -> None:
    """One problem on one line (file:line[:column] and what to do), then, for a YAML syntax
    error, the line as written with a caret under the place."""
    console.print(f"{mark} {escape(str(problem))}", soft_wrap=True)
    if getattr(problem, "excerpt", None):
        console.print(escape(problem.excerpt), soft_wrap=True, style="dim")


def partial(ws: Workspace) -> None:
    """End a portfolio command that served the good plans: exit 3 when a file was left out."""
    if ws.broken():
        broken = len(ws.broken())
        err.print(f"[yellow]partial:[/] {broken} plan file{'s' if broken != 1 else ''} not "
                  "loaded (listed above); the others were served", soft_wrap=True)
        raise typer.Exit(PARTIAL)


def rating_text(rating: Rating | None) -> str:
    if rating is None:
        return "–"
    return f"[{RATING_STYLE[rating]}]{rating.label}[/]"


DAY = len("Thu 27 Apr 2028")  # the widest day_text: a table keeps it on one line


def day_text(day, today) -> str:
    """'Fri 9 Oct' in a table, with the year when it is not `today`'s ('Thu 27 Apr 2028'), as
    reports, digests and messages show dates."""
    return f"{day:%a %-d %b}" if day.year == today.year else f"{day:%a %-d %b %Y}"
