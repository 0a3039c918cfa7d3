"""What a check-in sets off: owners who can now start, and the lead when the rating moved.

Pure, like the chase policy: a plan's assessment after the change, the milestone that changed,
the ratings before and after, `today` in; notifications out, each with a stable key so the
same event handled twice tells nobody twice.

The lead's rating notice is one per plan per day, not one per check-in. Its outbox key is
`<plan>/plan/rating-changed@<day>/<lead>`, so however many check-ins move the rating that day
only the first queues a row (the outbox inserts a key once), and that row keeps the day's
first "from": the rating before that check-in. The rating it moved *to* is not frozen: it is
read again when the row is sent (`programme.rules.messages.resolve_rating`, called by the
dispatcher), so the notice carries the net change, and when the rating is back where the day
began nothing is sent (the row is recorded as done). Two check-ins a minute apart (Amber ->
Amber/Green, then back) therefore send at most one notice: none when the row is sent after
both (in the evening it waits for the next window; a task worker may send after both), or
one, sent at once after the first, and the second finds the day's key taken. The cost of this
design: a move after that day's notice has gone is not told again that day; the lead sees it
on the report, in the digest and in the next day's notice should the rating move again then.
The notice names the plan, not the milestone whose check-in moved it.
"""

from __future__ import annotations

from programme.rules.assess import Assessment
from programme.rules.chase import LEAD, OWNER, Notification
from programme.rules.model import Milestone, Rating

CAN_START = "can-start"
RATING_CHANGED = "rating-changed"
PLAN_ITEM = "plan"  # the milestone_id of a notice about the whole plan (ids never clash: see below)


def newly_startable(a: Assessment, changed: str) -> list[Milestone]:
    """Open milestones that depend on `changed` and whose every dependency is now closed."""
    if a.milestones[changed].is_open:
        return []
    out = []
    for m in a.plan.milestones:
        if changed not in m.depends_on or not a.milestones[m.id].is_open:
            continue
        if all(not a.milestones[dep].is_open for dep in m.depends_on):
            out.append(m)
    return out


def plan_item(a: Assessment) -> str:
    """The item id of the plan's own notices: 'plan', or 'plan:rating' should a milestone be
    called 'plan'."""
    return PLAN_ITEM if PLAN_ITEM not in a.plan.by_id else f"{PLAN_ITEM}:rating"


def rating_notice(a: Assessment) -> Notification:
    """The lead's notice that the plan's rating moved today (its key: one per plan per day)."""
    plan, today = a.plan, a.today
    return Notification(plan.id, plan_item(a), RATING_CHANGED, today, plan.lead, LEAD, today)


def follow_up_notifications(a: Assessment, changed: str, rating_before: Rating | None,
                            rating_after: Rating | None = None) -> list[Notification]:
    plan, today = a.plan, a.today
    out = [Notification(plan.id, m.id, CAN_START, today, m.owner, OWNER, today)
           for m in newly_startable(a, changed)]
    after = rating_after if rating_after is not None else a.rating
    if rating_before is not None and rating_before != after:
        out.append(rating_notice(a))
    return out
