"""The weekly digest: each plan's digest to its subscribers, the portfolio digest to sponsors.

Served on Mondays at 08:00 in each plan's timezone (flows/serve.py). Sending goes through the
outbox like every other message, keyed per plan, day and recipient: a rerun sends nothing twice.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from flows.passing import quoted
from flows.recovery import stop_crash_loop
from programme.store import Store
from programme.usecases.workspace import Workspace, parse_moment
from tasks.chase import send_notifications
from tasks.digest import queue_digest, queue_portfolio, read_snapshot


def _run_name() -> str:
    params = flow_run.parameters
    what = params.get("plan_id") or "all plans"
    return f"digest {what}" + (f" {params['as_of']}" if params.get("as_of") else "")


@flow(name="weekly-digest", flow_run_name=_run_name, log_prints=False)
def weekly_digest(plan_id: str | None = None, portfolio: bool = True, per_plan: bool = True,
                  as_of: str | None = None, plans_dir: str | None = None, send: bool = True) -> dict:
    """Digests for one plan (or every plan) to subscribers, plus the portfolio digest when asked."""
    stop_crash_loop(f"digest {plan_id or 'all plans'}")
    now = parse_moment(as_of)
    ws = Workspace(Store(), Path(plans_dir) if plans_dir else None)
    plan_ids = [plan_id] if plan_id else [p.id for p in ws.plans()]
    snapshots = [read_snapshot.with_options(task_run_name=f"read {pid}")(quoted(ws), pid, now)
                 for pid in plan_ids]
    queued = sum(queue_digest.with_options(task_run_name=f"digest {s.plan.id}")(
        quoted(ws), quoted(s), now) for s in snapshots) if per_plan else 0
    if portfolio:
        today = max(s.state.assessment.today for s in snapshots) if snapshots else now.date()
        queued += queue_portfolio(quoted(ws), quoted(snapshots), now, today)
    result = None
    if send and snapshots:
        result = send_notifications(quoted(ws), now)
    return {"plans": plan_ids, "queued": queued, "sent": result.sent if result else 0,
            "failed": result.failed if result else 0}
