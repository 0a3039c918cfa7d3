"""A check-in's follow-ups: queue "you can start" for the owners it unblocked and "rating
changed" for the lead, then send them (inside the plan's sending window; outside it they wait
for the next one, like every message).

The same function runs in-process after `programme update` on the embedded default and, with a
Prefect server, as the background task the check-in hands it to (tasks/followup.py).
"""

from __future__ import annotations

from datetime import datetime

from programme.rules.model import Rating
from programme.store.outbox import Outbox
from programme.usecases.chase import ChaseResult, dispatch_pending, follow_up_items
from programme.usecases.dispatch import Dispatcher
from programme.usecases.workspace import Workspace


def follow_up(ws: Workspace, plan_id: str, milestone_id: str, rating_before: Rating | None,
              now: datetime, dispatcher: Dispatcher | None,
              send_at: datetime | None = None) -> ChaseResult:
    """Re-assess the plan at `now` (the check-in's moment), queue the follow-ups of the check-in
    on `milestone_id` (each key once, however often this runs), then send what is due at
    `send_at` (default `now`; later when a task worker runs this after being down, so that the
    sending window is judged at the time of sending). Nothing is sent when dispatcher is None:
    the next chase sends it."""
    plan = ws.plan(plan_id)
    after = ws.state(plan, now).assessment
    items = follow_up_items(after, milestone_id, rating_before, after.rating)
    inserted = Outbox(ws.store).enqueue(items, now)
    queued = ChaseResult(queued=len(inserted), skipped=len(items) - len(inserted),
                         keys=tuple(i.key for i in items))
    if dispatcher is None or not items:
        return queued
    return queued + dispatch_pending(ws, dispatcher, max(now, send_at or now),
                                     keys=[i.key for i in items])



def told_words(ws: Workspace, plan_id: str, keys: tuple[str, ...], since: datetime) -> str | None:
    """What a check-in's follow-ups did, in a sentence for whoever recorded it ("Told Bob Khan
    they can start; told Cara Jones, the plan's lead, that the rating moved."), or who will be
    told when the sending window opens. None when there was nothing to tell (a rating back
    where the day began says nothing)."""
    import pendulum

    from programme.rules.messages import item_kind
    from programme.rules.workdays import plain_utc
    from programme.store.outbox import SENT

    wanted = set(keys)
    rows = [r for r in Outbox(ws.store).rows(plan_id=plan_id) if r.key in wanted]
    told, waiting = [], []
    since = plain_utc(since)
    for row in sorted(rows, key=lambda r: r.role == "lead"):  # the owners first
        who = row.recipient_name + (", the plan's lead," if row.role == "lead" else "")
        what = f"{who} {'that the rating moved' if item_kind(row.step) == 'rating' else 'they can start'}"
        if row.state != SENT:
            waiting.append(what)
        elif row.delivered and row.sent_at is not None and row.sent_at >= since:
            told.append(what)  # sent now, not by an earlier check-in the same day
    out = []
    if told:
        out.append("Told " + "; told ".join(told) + ".")
    if waiting:
        opens = min(r.next_attempt_at for r in rows if r.state != SENT)
        try:
            tz = ws.plan(plan_id).timezone
        except Exception:  # the words only; the rows are queued whatever happens here
            tz = "UTC"
        local = pendulum.instance(opens).in_timezone(tz)
        out.append(f"Will tell {' and '.join(waiting)} when the sending window opens "
                   f"({local:%A} {local.day} {local:%B}, {local:%H:%M}).")
    return " ".join(out).replace(",.", ".") or None
