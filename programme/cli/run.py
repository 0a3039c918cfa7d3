"""`programme run` (a tracking pass, in-process), `programme serve` (deployments on a Prefect
server, and the task worker for check-in follow-ups) and `programme worker` (the task worker
alone). Prefect is imported here only, inside the commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from programme.cli.common import OnePlanArg, PlansOption

VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's own logs.")]


def register(app: typer.Typer) -> None:
    @app.command()
    def run(plan_id: OnePlanArg = None,
            all_plans: Annotated[bool, typer.Option("--all", help="Every plan in the folder.")] = False,
            as_of: Annotated[str | None, typer.Option(
                "--as-of", metavar="DATE", help="Run as if it were this date or date-time.")] = None,
            send: Annotated[bool, typer.Option(
                "--send/--no-send", help="Send what is due (default) or only queue it.")] = True,
            plans: PlansOption = None, verbose: VerboseOpt = False) -> None:
        """Run the tracking flow: ratings, chasing and the report, for one plan or all."""
        from programme.cli.common import PARTIAL, err, every_plan, fail, out
        from programme.store import Store
        from programme.usecases.workspace import Workspace, parse_moment

        if bool(plan_id) == all_plans:
            raise fail("name a plan or use --all")
        ws = Workspace(Store(), plans)
        targets = [ws.plan(plan_id)] if plan_id else every_plan(ws, "skipped")
        if as_of is not None:
            parse_moment(as_of)  # a bad date is one line, before Prefect starts

        from flows.settings import embedded

        embedded(verbose)
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from flows.runner import run_tracking

        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=err, transient=True) as progress:
            job = progress.add_task("starting Prefect…", total=len(targets))
            results = run_tracking([p.id for p in targets], as_of, str(plans) if plans else None,
                                   send, on_start=lambda pid: progress.update(
                                       job, description=f"tracking {pid}"),
                                   on_done=lambda pid: progress.advance(job))
        _print_results(out, results)
        _print_quiet(ws, targets, results, as_of is not None)
        failed = sum(1 for r in results if r.get("error"))
        if any(r.get("graph_complete") is False for r in results):
            err.print("[yellow]note:[/] the Prefect server had not recorded every task run when "
                      "this run ended; the UI may show an incomplete graph")
        from flows.settings import mark_migrated

        mark_migrated()
        if failed == len(results):
            raise typer.Exit(1)
        if failed or (not plan_id and ws.broken()):
            err.print("[yellow]partial:[/] some plans were not tracked (listed above); the "
                      "others were", soft_wrap=True)
            raise typer.Exit(PARTIAL)

    @app.command()
    def serve(plans: PlansOption = None, verbose: VerboseOpt = False,
              worker: Annotated[bool, typer.Option(
                  "--worker/--no-worker",
                  help="Start the task worker for check-in follow-ups too (default), or leave "
                       "them to `programme worker` elsewhere.")] = True) -> None:
        """Register and serve the deployments on the Prefect server at PREFECT_API_URL: daily
        tracking (09:00 on working days, plan time) and the Monday digest; and start the task
        worker that sends each check-in's follow-ups."""
        from programme.usecases.workspace import check_plans_folder

        check_plans_folder(plans, need_files=False)
        _need_prefect_server()
        from flows.settings import served

        served(verbose)
        from flows.serve import serve_all

        serve_all(str(plans) if plans else None, worker=worker, verbose=verbose)

    @app.command()
    def worker(plans: PlansOption = None, verbose: VerboseOpt = False,
               limit: Annotated[int, typer.Option(
                   "--limit", metavar="N", min=1, help="Follow-ups run at once.")] = 10) -> None:
        """Run the task worker alone: it sends the follow-ups of every check-in (from the web
        service, the API or `programme update`) handed over through the Prefect server at
        PREFECT_API_URL. `programme serve` starts one itself; run more on other machines."""
        from programme.usecases.workspace import check_plans_folder

        check_plans_folder(plans, need_files=False)
        _need_prefect_server()
        from flows.settings import served

        served(verbose)
        from flows.worker import run_worker

        run_worker(str(plans) if plans else None, limit=limit)


def _need_prefect_server() -> None:
    import os

    from programme.cli.common import fail

    if not os.environ.get("PREFECT_API_URL"):
        raise fail("PREFECT_API_URL is not set: start a Prefect server (`prefect server "
                   "start`) and point PREFECT_API_URL at it, e.g. http://127.0.0.1:4200/api")


def _print_quiet(ws, targets, results: list[dict], as_of: bool) -> None:
    """For each plan that queued nothing new: why, and what comes next (from the preview)."""
    from datetime import datetime

    from rich.markup import escape

    from programme.cli.common import out
    from programme.cli.preview import quiet_lines

    plans = {p.id: p for p in targets}
    for r in results:
        if r.get("error") or r.get("queued") or r["plan"] not in plans:
            continue
        lines = quiet_lines(ws, plans[r["plan"]], datetime.fromisoformat(r["as_of"]),
                            r.get("already_queued", 0), as_of)
        out.print(escape(f"{r['plan']}: nothing new queued. " + " ".join(lines)), soft_wrap=True)


def _print_results(out, results: list[dict]) -> None:
    from rich.markup import escape

    from programme.cli.tables import Column, fitted_table
    from programme.config import data_dir

    columns = [Column("Plan", ids=True), Column("Rating"), Column("Queued", justify="right"),
               Column("Sent", justify="right"), Column("Failed", justify="right"),
               Column("Messages", justify="right", fold=1)]
    rows = []
    for r in results:
        if r.get("error"):
            rows.append([r["plan"], "[red]failed[/]", "", "", "", escape(r["error"])])
            continue
        failed = f"[red]{r['failed']}[/]" if r["failed"] else "0"
        rows.append([r["plan"], escape(r["rating"]), str(r["queued"]), str(r["sent"]), failed,
                     str(r["messages"])])
    out.print(fitted_table(columns, rows, out, title="Tracking run"))
    reports = {str(Path(r["report"]).parent.parent) for r in results if r.get("report")}
    for folder in sorted(reports):
        out.print(f"reports: {escape(folder)}", soft_wrap=True)
    sink = data_dir() / "sink"
    if sink.exists():
        out.print(f"messages kept in the local sink (no live channel configured): {escape(str(sink))}",
                  soft_wrap=True)
    if any(r.get("failed") for r in results):
        out.print("failed messages stay in the outbox and are retried on later runs: "
                  "`programme outbox --failed` says why", soft_wrap=True)
