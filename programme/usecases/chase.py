"""A chase run in two steps, each safe to repeat and to wrap in a Prefect task:

1. `queue_due`: assess the plan at `now`, ask the policy what is due, write it to the outbox
   (a key already there is skipped, so re-running a day queues nothing new);
2. `dispatch_pending`: claim what the outbox holds for now, render ONE message per recipient
   listing all their items, send the messages through a bounded thread pool, and record each
   message's outcome as soon as it completes, with whatever else completed meanwhile in the
   same commit (see `programme.store.outbox.DUPLICATE_WINDOW`).

`run_chase` does both for one plan.
"""

from __future__ import annotations

import os
import queue
import socket
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from programme.contacts import mask_text
from programme.rules.assess import Assessment
from programme.rules.chase import Notification, due_notifications, next_sending_time
from programme.rules.messages import item_context, one_item_per_milestone, resolve_rating
from programme.rules.model import Plan, Rating
from programme.store import Store
from programme.store.outbox import Outbox, OutboxItem, OutboxRow
from programme.usecases.dispatch import Dispatcher, Forms, Message, Rendered
from programme.usecases.workspace import Workspace, WorkspaceError

DEFAULT_CONCURRENCY = 8
BATCH_RECIPIENTS = 100  # claimed at a time, so a long backlog never outlives its lease
PRERENDERED = "digest"  # payload kind of a message rendered before queueing (subject, text, html, chat)
CONTACTS_FROM = "contacts_from"  # payload key: the plan whose people hold the recipient, if not its own


@dataclass(frozen=True)
class ChaseResult:
    queued: int = 0  # new rows written to the outbox
    sent: int = 0  # notifications (rows) delivered to every target
    failed: int = 0  # notifications not delivered this time (retried later unless given up)
    skipped: int = 0  # due, but already in the outbox (sent or on its way)
    messages: int = 0  # messages handed to channels (one per recipient)
    errors: tuple[str, ...] = field(default=())
    keys: tuple[str, ...] = field(default=())  # the outbox keys a follow-up queued or found

    def __add__(self, other: ChaseResult) -> ChaseResult:
        return ChaseResult(self.queued + other.queued, self.sent + other.sent,
                           self.failed + other.failed, self.skipped + other.skipped,
                           self.messages + other.messages, self.errors + other.errors,
                           tuple(dict.fromkeys(self.keys + other.keys)))


def due_items(workspace: Workspace, plan, now: datetime, sync: bool = True) -> list[OutboxItem]:
    """What the policy says is due at `now`, as outbox items with their message facts.
    sync=False skips storing the plan definition first (for callers that just did)."""
    from programme.usecases.raid import raid_due_items

    state = workspace.state(plan, now, sync=sync)
    a = state.assessment
    statuses = {mid: v.status for mid, v in a.milestones.items()}
    return outbox_items(a, due_notifications(plan, statuses, now)) + raid_due_items(state, now)


def outbox_items(a: Assessment, notifications: list[Notification],
                 rating_from: Rating | None = None) -> list[OutboxItem]:
    """Notifications as outbox items, each with the facts its message shows and the link it
    carries; the first item of each person also issues their report link of the day, which the
    short chat form gives for whatever did not fit. `rating_from`: the rating before the
    check-in, for the lead's rating notice."""
    from programme.rules.messages import REPORT
    from programme.signing import secret_key
    from programme.usecases.links import grant

    plan = a.plan
    secret = secret_key() if notifications else None
    items = []
    reported: set[str] = set()
    for n in notifications:
        person = plan.people.get(n.recipient)
        payload = item_context(a, n, rating_from)
        link = payload["link"]
        links = [grant(plan, n.key, link["purpose"], n.recipient, n.milestone_id, secret)]
        if payload.get("report_key") and n.recipient not in reported:
            reported.add(n.recipient)
            links.append(grant(plan, payload["report_key"], REPORT, n.recipient, None, secret))
        items.append(OutboxItem(
            key=n.key, plan_id=n.plan_id, milestone_id=n.milestone_id, step=n.step,
            anchor=n.anchor, recipient=n.recipient,
            recipient_name=person.name if person else n.recipient, role=n.role,
            contacts=tuple(person.contacts) if person else (), payload=payload,
            links=tuple(links)))
    return items


def queue_due(workspace: Workspace, plan, now: datetime, outbox: Outbox | None = None,
              sync: bool = True) -> ChaseResult:
    """Policy -> outbox for one plan at `now`."""
    outbox = outbox or Outbox(workspace.store)
    items = due_items(workspace, plan, now, sync=sync)
    inserted = outbox.enqueue(items, now)
    return ChaseResult(queued=len(inserted), skipped=len(items) - len(inserted))


def preview(workspace: Workspace, plan, now: datetime, outbox: Outbox | None = None
            ) -> list[tuple[OutboxItem, bool]]:
    """Dry run: each due item and whether it is already in the outbox; writes nothing."""
    outbox = outbox or Outbox(workspace.store)
    items = due_items(workspace, plan, now)
    known = outbox.known([i.key for i in items])
    return [(i, i.key in known) for i in items]


class LiveContacts:
    """Where a queued notification goes now: its recipient's contacts in the live plan (the
    outbox keeps only masked references). A person gone from the plan, or left without a
    contact, is a permanent failure; a plan that cannot be read now is retried later."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self._plans: dict[str, Plan | str] = {}
        self._ratings: dict[str, Rating | None] = {}

    def rating(self, plan_id: str, now: datetime) -> Rating | None:
        """The plan's delivery confidence rating at `now` (None when it cannot be read now)."""
        if plan_id not in self._ratings:
            plan = self._plan(plan_id)
            try:
                self._ratings[plan_id] = (None if isinstance(plan, str) else
                                          self.workspace.state(plan, now, sync=False)
                                          .assessment.rating)
            except WorkspaceError:
                self._ratings[plan_id] = None
        return self._ratings[plan_id]

    def _plan(self, plan_id: str) -> Plan | str:
        if plan_id not in self._plans:
            try:
                self._plans[plan_id] = self.workspace.live_plan(plan_id)
            except WorkspaceError as exc:
                self._plans[plan_id] = str(exc)
        return self._plans[plan_id]

    def of(self, row: OutboxRow) -> tuple[tuple[str, ...], str | None, bool]:
        """(real contacts, error, permanent) for one row."""
        plan_id = row.payload.get(CONTACTS_FROM) or row.plan_id
        plan = self._plan(plan_id)
        if isinstance(plan, str):
            return (), f"plan '{plan_id}' cannot be read now, so the contacts of " \
                       f"{row.recipient} are unknown: {plan}", False
        person = plan.people.get(row.recipient)
        if person is not None:
            if not person.contacts:
                return (), f"{row.recipient} has no contact in plan '{plan_id}' any more", True
            return tuple(person.contacts), None, False
        if row.recipient in plan.subscribers:  # a subscriber written as a bare address
            return (row.recipient,), None, False
        return (), (f"{row.recipient} is no longer in plan '{plan_id}': the contact this was "
                    f"queued for ({', '.join(row.contacts) or 'none'}) has gone"), True


def group_messages(rows: list[tuple[OutboxRow, tuple[str, ...]]]) -> list[
        tuple[list[OutboxRow], tuple[str, ...]]]:
    """One group per recipient and destination: a person's rows (each with the real contacts it
    still goes to) whose targets match. A pre-rendered message (a digest) is a group of its own."""
    groups: dict[tuple, list[OutboxRow]] = defaultdict(list)
    for row, targets in rows:
        own = row.key if row.payload.get("kind") == PRERENDERED else None
        groups[(row.recipient, targets, own)].append(row)
    return [(sorted(g, key=lambda r: (r.payload.get("plan_title", ""), r.anchor, r.milestone_id)),
             targets) for (_, targets, _), g in groups.items()]


def dispatch_pending(workspace: Workspace, dispatcher: Dispatcher, now: datetime, *,
                     concurrency: int = DEFAULT_CONCURRENCY, outbox: Outbox | None = None,
                     worker: str | None = None, limit: int | None = None,
                     keys: list[str] | None = None) -> ChaseResult:
    """Outbox -> channels: everything due at `now`, one message per recipient, claimed a
    batch of recipients at a time (or at most `limit` rows, once). Contacts are read from the
    workspace's live plans, so a row follows an edited contact and fails clearly for one gone."""
    outbox = outbox or Outbox(workspace.store)
    book = LiveContacts(workspace)
    worker = worker or f"{socket.gethostname()}:{os.getpid()}"
    total = ChaseResult()
    while True:
        claimed = outbox.claim(now, worker, limit=limit,
                               recipients=None if limit or keys else BATCH_RECIPIENTS, keys=keys)
        if not claimed:
            return total
        rows = _outside_window_deferred(outbox, claimed, now)
        if rows:
            total = total + _send_batch(outbox, rows, dispatcher, now, concurrency, book)
        if limit or keys is not None:
            return total


def _send_batch(outbox: Outbox, rows: list[OutboxRow], dispatcher: Dispatcher, now: datetime,
                concurrency: int, book: LiveContacts) -> ChaseResult:
    sent = failed = 0
    errors: list[str] = []
    targeted: list[tuple[OutboxRow, tuple[str, ...]]] = []
    unsendable: list[tuple[list[OutboxRow], tuple[str, ...], str | None, bool]] = []
    resolved: dict[int, dict] = {}  # rating notices as sent: the net change of the day
    for row in rows:
        if row.payload.get("rating_from") is not None:
            current = resolve_rating(row.payload, book.rating(row.plan_id, now))
            if current is None:  # the rating is back where the day began: nothing to tell
                unsendable.append(([row], (), None, False))
                continue
            resolved[row.id] = current
        contacts, problem, permanent = book.of(row)
        if problem is None:
            targets = row.remaining(contacts)
            if targets:
                targeted.append((row, targets))
            else:  # every contact it goes to has it already
                unsendable.append(([row], (), None, False))
        else:
            unsendable.append(([row], (), problem, permanent))
            errors.append(f"{row.recipient}: {problem}")
    if unsendable:
        outbox.record_many(unsendable, now)
        failed += sum(1 for _, _, problem, _ in unsendable if problem is not None)
        sent += sum(1 for _, _, problem, _ in unsendable if problem is None)
    groups = group_messages(targeted)

    def build(group: list[OutboxRow], targets: tuple[str, ...]) -> Message:
        first = group[0]
        if first.payload.get("kind") == PRERENDERED:
            p = first.payload
            forms: Forms = Rendered(p["subject"], p["text"], p["html"], p["chat"])
            if p.get("link"):  # the reader's own report link, made from the secret now
                from programme.usecases.links import REPORT_LINK, digest_url

                link = digest_url(p, first.key)
                forms = Rendered(*(f.replace(REPORT_LINK, link)
                                   for f in (p["subject"], p["text"], p["html"], p["chat"])))
        else:  # each body rendered when a target asks for it; one item per milestone
            payloads = one_item_per_milestone([resolved.get(r.id, r.payload) for r in group])
            forms = dispatcher.render(first.recipient_name, payloads, now)
        return Message(first.recipient, first.recipient_name, targets, forms,
                       tuple(r.key for r in group))

    def send(group: list[OutboxRow], targets: tuple[str, ...]):
        return dispatcher.send(build(group, targets))

    completed: queue.SimpleQueue = queue.SimpleQueue()  # futures, in the order they complete
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        pending = {}
        for g, targets in groups:
            future = pool.submit(send, g, targets)
            pending[future] = (g, targets)
            future.add_done_callback(completed.put)
        while pending:
            done = [completed.get()]  # the next to complete, and whatever else has meanwhile
            while True:
                try:
                    done.append(completed.get_nowait())
                except queue.Empty:
                    break
            outcomes = []
            for future in done:
                group, targets = pending.pop(future)
                try:
                    delivery = future.result()
                    delivered, error, permanent = (delivery.delivered, delivery.error,
                                                   delivery.permanent)
                except Exception as exc:  # a bug or a template error: keep the rows, say why
                    delivered, error, permanent = (), f"{type(exc).__name__}: {exc}", False
                if error is not None:
                    error = mask_text(error, targets)
                outcomes.append((group, tuple(c for c in delivered if c in targets), error,
                                 permanent))
                if error is None:
                    sent += len(group)
                else:
                    failed += len(group)
                    errors.append(f"{group[0].recipient}: {error}")
            outbox.record_many(outcomes, now)  # everything that completed meanwhile, one commit
    return ChaseResult(sent=sent, failed=failed, messages=len(groups), errors=tuple(errors))


def _outside_window_deferred(outbox: Outbox, rows: list[OutboxRow], now: datetime
                             ) -> list[OutboxRow]:
    """Rows whose sending window is closed now (a retry after an outage, `outbox retry` at night)
    go back to wait for their next window; the rest are returned to send."""
    keep: list[OutboxRow] = []
    later: dict[datetime, list[OutboxRow]] = defaultdict(list)
    for row in rows:
        rule = row.payload.get("sending")
        opening = next_sending_time(rule, now) if rule else None
        if opening is None:
            keep.append(row)
        else:
            later[opening].append(row)
    for opening, group in later.items():
        outbox.defer(group, opening)
    return keep


def run_chase(workspace: Workspace, plan, now: datetime, dispatcher: Dispatcher, *,
              concurrency: int = DEFAULT_CONCURRENCY) -> ChaseResult:
    """Queue what is due for `plan` at `now`, then send everything the outbox holds for now."""
    queued = queue_due(workspace, plan, now)
    return queued + dispatch_pending(workspace, dispatcher, now, concurrency=concurrency)


def follow_up_items(assessment: Assessment, changed: str, rating_before: Rating | None,
                    rating_after: Rating | None) -> list[OutboxItem]:
    """After a check-in on `changed`: 'you can start' to owners it unblocked and 'rating changed'
    to the lead, as outbox items. Like every message they keep to the plan's working days and
    sending window (the dispatcher defers them to the next window)."""
    from programme.rules.followup import follow_up_notifications

    return outbox_items(assessment, follow_up_notifications(assessment, changed, rating_before,
                                                            rating_after), rating_before)


def queue_follow_ups(store: Store, assessment: Assessment, changed: str,
                     rating_before: Rating | None, rating_after: Rating | None,
                     now: datetime) -> ChaseResult:
    """The follow-ups of a check-in on `changed`, into the outbox (each key once)."""
    items = follow_up_items(assessment, changed, rating_before, rating_after)
    inserted = Outbox(store).enqueue(items, now)
    return ChaseResult(queued=len(inserted), skipped=len(items) - len(inserted))
