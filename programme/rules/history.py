"""How a milestone's status history folds into its current status.

History is append-only (a change is a new entry, never an edit), so the status as of any moment
is the fold of the entries up to it. Pure: the store reads the entries, this says what they mean.
"""

from __future__ import annotations

from collections.abc import Iterable

from programme.rules.model import CurrentStatus, Status, StatusEntry
from programme.rules.workdays import plan_today


def fold(entries: Iterable[StatusEntry], timezone_name: str) -> dict[str, CurrentStatus]:
    """Replay history (oldest first) into each milestone's current status."""
    out: dict[str, CurrentStatus] = {}
    for e in entries:
        out[e.milestone_id] = step(out.get(e.milestone_id, CurrentStatus()), e, timezone_name)
    return out


def step(cur: CurrentStatus, e: StatusEntry, timezone_name: str) -> CurrentStatus:
    """The status after one more entry.

    - done on the day it happened when the entry says (`--on`, "done last Friday"), else on the
      plan-local day of the entry (23:30 UTC in a London summer is the next day);
      a later entry on a milestone already done (a note) keeps the day it was done;
    - a blocked reason is kept while it stays blocked and an entry gives no new reason;
    - closing (done, dropped) clears the forecast, and so does an entry that clears it
      (`--forecast none`); otherwise an entry without one keeps the last;
    - `since` moves only when the status changes;
    - the note and who reported carry over until an entry gives new ones.
    """
    done_on = (e.happened_on or plan_today(e.at, timezone_name)) if e.status == Status.DONE \
        else None
    if e.status == Status.DONE and cur.status == Status.DONE:
        done_on = cur.done_on
    reason = e.reason if e.status == Status.BLOCKED else None
    if e.status == Status.BLOCKED and reason is None and cur.status == Status.BLOCKED:
        reason = cur.reason
    forecast = None if e.forecast_cleared else \
        e.forecast if e.forecast is not None else cur.forecast
    return CurrentStatus(
        status=e.status,
        since=cur.since if e.status == cur.status and cur.since else e.at,
        forecast=None if e.status.is_closed else forecast,
        done_on=done_on, reason=reason, note=e.note or cur.note, by=e.by or cur.by)
