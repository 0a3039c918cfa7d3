"""`programme backup FILE`: a consistent copy of the SQLite database, safe while the tool runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def backup(target: Annotated[Path, typer.Argument(
        metavar="FILE", help="Where to write the copy (its folder must exist).")]) -> None:
    """Copy the SQLite database to FILE with SQLite's online backup API (a consistent copy even
    while other commands write to it; readable by you only). For PostgreSQL use pg_dump."""
    from rich.markup import escape

    from programme.cli.common import out
    from programme.store import Store

    store = Store()
    size = store.backup(target)
    out.print(f"[green]✓[/] backed up the database to {escape(str(target))} ({size:,} bytes)", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
