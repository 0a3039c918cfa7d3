"""What every command shares: the consoles, one-line failures, the common options, rating colours."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from programme.rules.model import Rating
from programme.store import Store, StoreError
from programme.usecases.workspace import Workspace, WorkspaceError

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class Group(TyperGroup):
    """Turns expected failures (unknown plan, unreachable database...) into one-line errors."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (WorkspaceError, StoreError) as exc:
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


def rating_text(rating: Rating | None) -> str:
    if rating is None:
        return "–"
    return f"[{RATING_STYLE[rating]}]{rating.label}[/]"
