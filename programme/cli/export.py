"""`programme export PLAN|--all --format gmpp-csv|json`: quarterly-return style data for a plan
or every plan (docs/returns.md maps each column)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from programme.cli.common import AsOfOption, PlansOption, err, every_plan, fail, partial
from programme.cli.common import workspace as _workspace

FORMATS = ("gmpp-csv", "json")


def register(app: typer.Typer) -> None:
    @app.command()
    def export(plan_id: Annotated[str | None, typer.Argument(
                   metavar="PLAN", help="The plan's id (or --all for every plan).")] = None,
               all_plans: Annotated[bool, typer.Option("--all", help="Every valid plan.")] = False,
               fmt: Annotated[str, typer.Option("--format", "-f", metavar="gmpp-csv|json",
                                                help="CSV files or one JSON document.")] = "gmpp-csv",
               output: Annotated[Path | None, typer.Option(
                   "-o", "--output", metavar="PATH",
                   help="gmpp-csv: the folder for project.csv, milestones.csv, risks.csv and "
                        "issues.csv (default: ./returns); json: the file (default: stdout).")] = None,
               as_of: AsOfOption = None, plans: PlansOption = None) -> None:
        """The plan's return: delivery confidence with commentary, dates and schedule narrative,
        senior responsible owner, and its milestones, risks and issues."""
        from programme.reports.export import TABLES, merged, to_csv, to_json
        from programme.usecases.digest import collect
        from programme.usecases.workspace import parse_moment

        if all_plans == (plan_id is not None):
            raise fail("give either a PLAN or --all")
        if fmt not in FORMATS:
            raise fail(f"--format {fmt!r}: use {' or '.join(FORMATS)}")
        ws = _workspace(plans)
        targets = [ws.plan(plan_id)] if plan_id is not None else every_plan(ws, "not included")
        tables = merged([collect(ws, p, parse_moment(as_of, p.timezone)) for p in targets])
        try:
            if fmt == "json":
                text = json.dumps(to_json(tables), indent=2, ensure_ascii=False) + "\n"
                if output is None:
                    typer.echo(text, nl=False)
                else:
                    output.parent.mkdir(parents=True, exist_ok=True)
                    output.write_text(text, encoding="utf-8")
                    err.print(f"[green]✓[/] wrote {escape(str(output))}", soft_wrap=True)
                if all_plans:
                    partial(ws)
                return
            folder = output or Path("returns")
            folder.mkdir(parents=True, exist_ok=True)
            for name, columns in TABLES.items():
                (folder / f"{name}.csv").write_text(to_csv(tables[name], columns),
                                                    encoding="utf-8", newline="")
        except OSError as exc:
            raise fail(f"cannot write {output or 'returns'}: {exc.strerror or exc}") from None
        err.print(f"[green]✓[/] wrote {', '.join(f'{n}.csv' for n in TABLES)} to {escape(str(folder))} "
                  f"({len(targets)} plan{'s' if len(targets) != 1 else ''})", soft_wrap=True)
        if all_plans:
            partial(ws)
