"""What a check-in sets off: owners who can now start, and the lead when the rating moved.

Pure, like the chase policy: a plan's assessment after the change, the milestone that changed,
the ratings before and after, `today` in; notifications out, each with a stable key so the
same event handled twice tells nobody twice.
"""

from __future__ import annotations

from programme.rules.assess import Assessment
from programme.rules.chase import LEAD, OWNER, Notification
from programme.rules.model import Milestone, Rating

CAN_START = "can-start"
RATING_CHANGED = "rating-changed"


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


def follow_up_notifications(a: Assessment, changed: str, rating_before: Rating | None,
                            rating_after: Rating | None = None) -> list[Notification]:
    plan, today = a.plan, a.today
    out = [Notification(plan.id, m.id, CAN_START, today, m.owner, OWNER, today)
           for m in newly_startable(a, changed)]
    after = rating_after if rating_after is not None else a.rating
    if rating_before is not None and rating_before != after:
        step = f"{RATING_CHANGED}-{rating_before.label}-to-{after.label}".lower().replace("/", "-")
        out.append(Notification(plan.id, changed, step, today, plan.lead, LEAD, today))
    return out
