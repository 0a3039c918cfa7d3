"""Chasing steps of a run: the due notifications into the outbox, then the outbox to channels.

Both are safe to repeat: the outbox's unique key means a rerun queues nothing already queued,
and a claimed row is sent at most once per attempt (see programme.store.outbox).
"""

from __future__ import annotations

from datetime import datetime

from prefect import task
from prefect.cache_policies import NO_CACHE

from programme.rules.assess import Assessment
from programme.store.outbox import Outbox
from programme.usecases.chase import ChaseResult, dispatch_pending, outbox_items
from programme.usecases.workspace import Workspace

from .context import RunContext
from .milestones import MilestoneTrack


@task(name="queue-notifications", retries=3, retry_delay_seconds=[2, 10, 30], cache_policy=NO_CACHE)
def queue_notifications(ctx: RunContext, assessment: Assessment,
                        tracks: list[MilestoneTrack]) -> ChaseResult:
    """Write every notification the milestone tasks found due to the outbox (before any send)."""
    notifications = [n for t in tracks for n in t.notifications]
    items = outbox_items(assessment, notifications) + raid_items(ctx)
    inserted = Outbox(ctx.workspace.store).enqueue(items, ctx.now)
    return ChaseResult(queued=len(inserted), skipped=len(items) - len(inserted))


def raid_items(ctx: RunContext) -> list:
    """The plan's RAID reminders and chases due now (reviews and decisions), beside milestones'."""
    from programme.usecases.raid import raid_due_items

    if not ctx.plan.raid:
        return []
    return raid_due_items(ctx.workspace.state(ctx.plan, ctx.now, sync=False), ctx.now)


@task(name="send-notifications", retries=3, retry_delay_seconds=[5, 30, 120], cache_policy=NO_CACHE)
def send_notifications(workspace: Workspace, now: datetime) -> ChaseResult:
    """Send what the outbox holds for now: one message per recipient, through Apprise.

    A channel that is down is not an error here: its rows stay in the outbox with the reason and
    a later attempt time (exponential backoff). Retries are for the store or a crash."""
    from prefect.runtime import flow_run

    from notifications.apprise_dispatch import AppriseDispatcher

    # Claimed under the flow run's name. A flow run that has run before is being run again
    # after its worker died (flows/recovery.py): what its dead attempt had claimed is taken back
    # at once rather than after the outbox lease (each row is still sent once, same Message-ID).
    worker = f"flow-run:{flow_run.id}" if flow_run.id else None
    if worker and flow_run.run_count > 1:
        Outbox(workspace.store).take_back(worker, now)
    return dispatch_pending(workspace, AppriseDispatcher(), now, worker=worker)
