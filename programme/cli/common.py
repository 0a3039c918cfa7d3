"""What every command shares: the consoles, one-line failures, the common options, rating colours."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from programme.config import DataFolderError
from programme.rules.model import Rating
from programme.store import Store, StoreError
from programme.usecases.workspace import NoPlansError, Workspace, WorkspaceError

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

# Exit codes (README "Exit codes"): every plan served; the command failed; a usage mistake or
# no plan files at all; some plans served and at least one plan file listed as not loaded.
OK, ERROR, USAGE, PARTIAL = 0, 1, 2, 3


class Group(TyperGroup):
    """Turns expected failures (unknown plan, unreachable database...) into one-line errors."""

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
    "--plans", help="Plans folder (default: $PROGRAMME_PLANS or ./plans).", show_default=False)]
AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", help="Show the plan as of this date (end of day, plan time) or date-time.")]


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
