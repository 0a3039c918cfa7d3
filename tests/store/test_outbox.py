"""The outbox on SQLite and on PostgreSQL: unique keys, safe claims, backoff, masked errors."""

from __future__ import annotations

import pathlib
import threading
from datetime import UTC, date, datetime, timedelta

import pytest

import programme.store as store_package
from programme.store import HEAD, Store
from programme.store.outbox import FAILED, PENDING, SENDING, SENT, Outbox, OutboxItem

T0 = datetime(2026, 8, 14, 9, 0, tzinfo=UTC)


def item(n: int, contacts=("ana@example.gov.uk",), recipient="ana") -> OutboxItem:
    return OutboxItem(key=f"p/m{n}/due-day@2026-08-14/{recipient}", plan_id="p",
                      milestone_id=f"m{n}", step="due-day", anchor=date(2026, 8, 14),
                      recipient=recipient, recipient_name=recipient.title(), role="owner",
                      contacts=tuple(contacts), payload={"n": n})


@pytest.fixture
def box(store_url) -> Outbox:
    store = Store(store_url)
    yield Outbox(store)
    store.close()


def test_outbox_is_created_by_the_migration_to_head(box):
    versions = pathlib.Path(store_package.__file__).parent / "migrations" / "versions"
    newest = max(p.name.split("_")[0] for p in versions.glob("[0-9]*_*.py"))
    assert newest == HEAD  # the constant checked at start-up names the newest migration
    assert box.counts() == {PENDING: 0, SENDING: 0, SENT: 0, FAILED: 0}


def test_queuing_the_same_key_twice_queues_it_once(box):
    assert box.enqueue([item(1), item(2)], T0) == [item(1).key, item(2).key]
    assert box.enqueue([item(1), item(2), item(3)], T0 + timedelta(hours=1)) == [item(3).key]
    assert len(box.rows()) == 3


def test_two_dispatchers_never_claim_the_same_row(box):
    box.enqueue([item(n) for n in range(200)], T0)
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def dispatcher(name: str) -> None:
        barrier.wait()
        got = []
        while rows := box.claim(T0, name, limit=7):
            got.extend(r.id for r in rows)
        claimed[name] = got

    threads = [threading.Thread(target=dispatcher, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [i for got in claimed.values() for i in got]
    assert len(ids) == len(set(ids)) == 200


def test_a_failed_send_stays_pending_with_a_masked_error_and_backs_off(box):
    box.enqueue([item(1, contacts=("slack://T000/B000/XXXX/",))], T0)
    [row] = box.claim(T0, "w")
    box.record([row], [], "posting to slack://T000/B000/XXXX/ failed", T0)
    [row] = box.rows()
    assert (row.state, row.attempts) == (PENDING, 1)
    assert row.last_error == "posting to slack://*** failed"
    assert row.next_attempt_at == T0 + timedelta(minutes=1)
    assert box.claim(T0 + timedelta(seconds=59), "w") == []
    [row] = box.claim(T0 + timedelta(minutes=1), "w")
    box.record([row], [], "down", T0 + timedelta(minutes=1))
    assert box.rows()[0].next_attempt_at == T0 + timedelta(minutes=3)  # 1 + 2


def test_backoff_doubles_up_to_a_cap_and_gives_up_into_failed_never_dropped(box):
    box.max_attempts = 4
    assert [box.next_delay(n) for n in (1, 2, 3, 4, 20)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8)] + [timedelta(hours=6)]
    box.enqueue([item(1)], T0)
    now = T0
    for _ in range(4):
        [row] = box.claim(now, "w")
        box.record([row], [], "smtp down", now)
        now += timedelta(hours=7)
    [row] = box.rows()
    assert (row.state, row.attempts) == (FAILED, 4)
    assert box.claim(now, "w") == []
    assert box.retry(now) == 1
    [row] = box.claim(now, "w")
    box.record([row], ["ana@example.gov.uk"], None, now)
    assert box.rows()[0].state == SENT


def test_a_dispatcher_that_died_has_its_rows_taken_again_after_the_lease(box):
    box.enqueue([item(1)], T0)
    assert len(box.claim(T0, "dead")) == 1
    assert box.claim(T0 + box.lease - timedelta(seconds=1), "w") == []
    [row] = box.claim(T0 + box.lease, "w")
    assert row.attempts == 2


def test_a_rerun_of_a_dead_claimer_takes_back_its_own_rows_at_once_and_no_others(box):
    box.enqueue([item(1), item(2, recipient="bob")], T0)
    assert len(box.claim(T0, "flow-run:dead", recipients=1)) == 1  # ana's
    assert len(box.claim(T0, "flow-run:alive", recipients=1)) == 1  # bob's
    assert box.take_back("flow-run:dead", T0) == 1
    [row] = box.claim(T0, "flow-run:dead")
    assert (row.recipient, row.attempts) == ("ana", 2)
    assert [r.state for r in box.rows()] == [SENDING, SENDING]  # bob's still under its lease


def test_partial_delivery_is_retried_only_to_the_targets_that_failed(box):
    box.enqueue([item(1, contacts=("ana@example.gov.uk", "json://127.0.0.1:9/hook"))], T0)
    [row] = box.claim(T0, "w")
    box.record([row], ["ana@example.gov.uk"], "json down", T0)
    [row] = box.claim(T0 + timedelta(minutes=5), "w")
    assert row.remaining(("ana@example.gov.uk", "json://127.0.0.1:9/hook")) == (
        "json://127.0.0.1:9/hook",)
    box.record([row], ["json://127.0.0.1:9/hook"], None, T0 + timedelta(minutes=5))
    [row] = box.rows()
    assert row.state == SENT and set(row.delivered) == set(row.contacts)


def test_a_permanent_error_fails_at_once(box):
    box.enqueue([item(1, contacts=())], T0)
    [row] = box.claim(T0, "w")
    box.record([row], [], "no contact to send to", T0, permanent=True)
    assert box.rows()[0].state == FAILED


def test_known_says_which_keys_are_already_queued(box):
    box.enqueue([item(1)], T0)
    assert box.known([item(1).key, item(2).key]) == {item(1).key}


def test_a_batch_of_recipients_takes_all_of_each_recipients_rows(box):
    box.enqueue([item(n, recipient=f"r{n % 5}") for n in range(20)], T0)
    first = box.claim(T0, "w", recipients=2)
    assert {r.recipient for r in first} == {"r0", "r1"} and len(first) == 8
    rest = box.claim(T0, "w")
    assert {r.recipient for r in rest} == {"r2", "r3", "r4"} and len(rest) == 12
