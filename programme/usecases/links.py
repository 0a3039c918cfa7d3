"""Links in messages: the link each item carries, issued with its message, its URL at send
time, and the checks made when someone opens or posts it.

Every milestone item of a reminder, chase, escalation, blocked notice or "you can start" notice
carries a link: its owner's own check-in link, or, for a manager, lead or sponsor told about
someone else's milestone, a link to act for the owner (recorded as the person who acted). A
digest carries a read-only link to the report page; the lead's copy (and the lead's "rating
changed" notice) a link that also records the lead's own rating.

How a token is made and why nothing secret is stored: see `programme.signing`. A link is issued
(its hash written to `links`) in the transaction that queues its message, and its URL is
recomputed from the outbox key when the message is rendered, so a resend carries the same link.

Opening a link never changes anything (mail scanners open every link): `open_link` only reads.
At every use the link is checked again against the live plan: known, not revoked, not expired,
the plan and milestone still there and open, the person still in the plan and, for their own
check-in link, still the owner. Each refusal is a `LinkRefused` saying what happened and whom
to ask; nothing is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from programme.rules.messages import ACT_FOR, CHECKIN, RATING, REPORT
from programme.rules.model import Milestone, Person, Plan
from programme.signing import link_token, public_url, token_hash
from programme.store.links import LinkGrant, LinkRow, Links
from programme.usecases.workspace import Workspace, WorkspaceError

MILESTONE_PURPOSES = (CHECKIN, ACT_FOR)
PLAN_PURPOSES = (REPORT, RATING)
DEFAULT_DAYS = 30
# A digest is rendered once for all its readers; its link is put in per reader at send time.
REPORT_LINK = "%%PROGRAMME-REPORT-LINK%%"

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def link_days(plan: Plan) -> int:
    return getattr(plan, "checkin_link_days", None) or DEFAULT_DAYS


def grant(plan: Plan, message_key: str, purpose: str, person: str,
          milestone_id: str | None, secret: bytes | None = None) -> LinkGrant:
    """The link to issue with the outbox message `message_key` (only its hash)."""
    return LinkGrant(token_hash(link_token(purpose, message_key, person, secret)), purpose, person,
                     plan.id, milestone_id if purpose in MILESTONE_PURPOSES else None,
                     link_days(plan))


def path(purpose: str, plan_id: str, milestone_id: str | None, token: str) -> str:
    if purpose in MILESTONE_PURPOSES:
        return f"/c/{quote(plan_id, safe='')}/{quote(milestone_id or '', safe='')}/{token}"
    return f"/r/{quote(plan_id, safe='')}/{token}"


def url(purpose: str, message_key: str, person: str, plan_id: str,
        milestone_id: str | None) -> str:
    token = link_token(purpose, message_key, person)
    return public_url() + path(purpose, plan_id, milestone_id, token)


def item_url(item: dict) -> str | None:
    """The link of a queued milestone item (from its payload), or None for an item queued
    before links existed (its message shows the `programme update` command instead)."""
    link = item.get("link")
    if not link:
        return None
    return url(link["purpose"], item["key"], link["person"], item["plan_id"], item["milestone_id"])


def digest_url(payload: dict, key: str) -> str | None:
    link = payload.get("link")
    if not link:
        return None
    return url(link["purpose"], key, link["person"], payload["plan_id"], None)


def calendar_links(ws: Workspace, plan: Plan, now: datetime) -> dict[str, str]:
    """Each open milestone's check-in link for its owner, for the calendar feed's events:
    issued now (a new one each ISO week, so a feed refreshed daily does not mint a link a day,
    and one fetched again within the week shows the same links)."""
    from programme.rules.workdays import plan_today

    today = plan_today(now, plan.timezone)
    year, week, _ = today.isocalendar()
    statuses = ws.store.statuses(plan.id, plan.timezone)
    grants, out = [], {}
    for m in plan.milestones:
        status = statuses.get(m.id)
        if (status is not None and status.status.is_closed) or m.owner not in plan.people:
            continue
        key = f"{plan.id}/{m.id}/calendar@{year}-W{week:02d}/{m.owner}"
        grants.append((key, grant(plan, key, CHECKIN, m.owner, m.id)))
        out[m.id] = url(CHECKIN, key, m.owner, plan.id, m.id)
    Links(ws.store).issue(grants, now)
    return out


# -- at use ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Contact:
    """Whom to ask when a link does not work: the plan's lead."""

    name: str
    email: str | None


class LinkRefused(Exception):
    """A link that cannot be used, with the HTTP status to answer and words for the page."""

    def __init__(self, status: int, title: str, detail: str, contact: Contact | None = None):
        super().__init__(title)
        self.status, self.title, self.detail, self.contact = status, title, detail, contact


@dataclass(frozen=True)
class LinkUse:
    """A link that may be used now: who it answers as, for which plan and milestone."""

    link: LinkRow
    plan: Plan
    milestone: Milestone | None
    person: Person  # the person it was sent to: what is recorded is recorded as theirs
    owner: Person | None  # the milestone's owner (the same person for their own link)

    @property
    def acting_for_owner(self) -> bool:
        return self.owner is not None and self.owner.id != self.person.id

    @property
    def token_hash(self) -> str:
        return self.link.token_hash


def contact(plan: Plan | None) -> Contact | None:
    if plan is None:
        return None
    lead = plan.people.get(plan.lead)
    if lead is None:
        return Contact(plan.lead, None)
    from programme.contacts import is_email

    email = next((c.removeprefix("mailto:") for c in lead.contacts if is_email(c)), None)
    return Contact(lead.name, email)


def _plan(ws: Workspace, plan_id: str) -> Plan | None:
    try:
        return ws.plan(plan_id)
    except WorkspaceError:
        return None


def open_link(ws: Workspace, token: str, plan_id: str, milestone_id: str | None,
              purposes: tuple[str, ...], now: datetime) -> LinkUse:
    """Check a link for use at `now`; reads only. Raise LinkRefused (404 for what we never
    sent or a link of another page, 410 for what is no longer valid)."""
    plan = _plan(ws, plan_id)
    who = contact(plan)
    unknown = LinkRefused(404, "This link is not one we sent",
                          "It may have been mistyped or cut short by your mail program. Open "
                          "the link from the message again, or ask for a new one.", who)
    if not _TOKEN.match(token or ""):
        raise unknown
    row = Links(ws.store).find(token_hash(token))
    if row is None or row.purpose not in purposes or row.plan_id != plan_id \
            or (milestone_id is not None and row.milestone_id != milestone_id):
        raise unknown
    if row.revoked_at is not None:
        raise LinkRefused(410, "This link has been withdrawn",
                          f"It was withdrawn on {_day(row.revoked_at, plan)}. Ask for a new one.",
                          who)
    if row.expires_at <= now:
        raise LinkRefused(410, "This link has expired",
                          f"It stopped working on {_day(row.expires_at, plan)}. The next "
                          "reminder will bring a new one, or ask for one now.", who)
    if plan is None:
        raise LinkRefused(410, "This plan is no longer here",
                          f"The plan '{plan_id}' is not in the plans folder any more.", None)
    person = plan.people.get(row.person)
    if person is None and row.purpose == REPORT:  # a subscriber written as a bare address
        person = Person(row.person, row.person)
    if person is None:
        raise LinkRefused(410, "This link is for someone no longer in the plan",
                          f"It was sent to '{row.person}', who is no longer in {plan.title}.", who)
    if row.purpose == RATING and person.id != plan.lead:
        raise LinkRefused(410, "This link is for the plan's lead",
                          f"{person.name} no longer leads {plan.title}.", who)
    if row.purpose in PLAN_PURPOSES:
        return LinkUse(row, plan, None, person, None)
    milestone = plan.by_id.get(row.milestone_id or "")
    if milestone is None:
        raise LinkRefused(410, "This milestone is no longer in the plan",
                          f"'{row.milestone_id}' was taken out of {plan.title}. Nothing needs "
                          "doing here.", who)
    owner = plan.people.get(milestone.owner)
    if row.purpose == CHECKIN and milestone.owner != person.id:
        now_owner = owner.name if owner else milestone.owner
        raise LinkRefused(410, "Someone else owns this milestone now",
                          f"{milestone.title} is now owned by {now_owner}; they will get their "
                          "own link.", who)
    status = ws.store.statuses(plan.id, plan.timezone).get(milestone.id)
    if status is not None and status.status.is_closed:
        by = plan.people.get(status.by or "")
        said = f" by {by.name}" if by else ""
        raise LinkRefused(410, f"{milestone.title} is already {status.status.value}",
                          f"It was recorded {status.status.value}{said} on "
                          f"{_day(status.since, plan) if status.since else 'an earlier day'}. "
                          "Nothing more needs doing.", who)
    return LinkUse(row, plan, milestone, person, owner)


def _day(when: datetime, plan: Plan | None) -> str:
    import pendulum

    local = pendulum.instance(when).in_timezone(plan.timezone if plan else "UTC")
    return f"{local:%A} {local.day} {local:%B %Y}"
