"""`programme deploy`: the plans folder as work-pool deployments for Prefect workers
(flows/deploy.py). Prefect is imported inside the command only."""

from __future__ import annotations

from typing import Annotated

import typer

from programme.cli.common import PlansOption


def register(app: typer.Typer) -> None:
    @app.command()
    def deploy(plans: PlansOption = None,
               pool: Annotated[str, typer.Option(
                   "--pool", metavar="NAME",
                   help="Work pool the workers take runs from (created, type process, if "
                        "missing).")] = "programme",
               dry_run: Annotated[bool, typer.Option(
                   "--dry-run", help="Show what would change, change nothing.")] = False) -> None:
        """Create or update, on the Prefect server at PREFECT_API_URL, the work-pool deployments
        for the plans folder: each plan's daily tracking (09:00 on working days, plan time) and
        Monday digest, the portfolio digest, and the automations that rerun a run whose worker
        died. A removed plan's deployments go; `programme serve`'s deployments are paused.
        Run workers with `prefect worker start --pool NAME --limit N`."""
        from programme.cli.common import err, every_plan, fail, out, partial, workspace
        from programme.cli.run import _need_prefect_server

        _need_prefect_server()
        # No folder or no plan files is refused here: deploying it would remove every plan's
        # deployments. A file that does not load is listed, and its deployments kept.
        ws = workspace(plans)
        every_plan(ws, "not loaded (its deployments are kept as they are)")
        from flows.settings import served

        served()
        from flows.deploy import run_deploy
        from flows.recovery import thresholds

        try:
            thresholds()  # the heartbeat too
        except ValueError as exc:
            raise fail(str(exc)) from None
        try:
            changes = run_deploy(pool, str(plans) if plans else None, dry_run)
        except OSError as exc:  # httpx's connection errors are OSErrors underneath
            raise fail(f"cannot reach the Prefect server at PREFECT_API_URL: {exc}") from None
        would = "would be " if dry_run else ""
        if changes.pool_created:
            out.print(f"work pool {pool} (process): {would}created")
        for label, names in (("added", changes.added), ("updated", changes.updated),
                             ("removed", changes.removed)):
            for name in names:
                out.print(f"{would}{label}: {name}", soft_wrap=True)
        for label in ("added", "updated"):
            for name in changes.automations.get(label, []):
                out.print(f"{would}{label}: automation '{name}'", soft_wrap=True)
        if changes.paused_served:
            err.print(f"[yellow]{'would pause' if dry_run else 'paused'}[/] "
                      f"{len(changes.paused_served)} deployments of `programme serve` (they now "
                      f"belong to the workers; stop `programme serve`): "
                      + ", ".join(changes.paused_served), soft_wrap=True)
        total = len(changes.unchanged)
        if changes.none:
            out.print(f"no changes: {total} deployments and "
                      f"{len(changes.automations.get('unchanged', []))} automations on pool "
                      f"{pool} are up to date")
        else:
            out.print(f"{total} deployments unchanged" + (" (dry run: nothing changed)"
                                                          if dry_run else ""))
        partial(ws)
