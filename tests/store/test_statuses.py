"""Statuses are read in proportion to the question and are exactly what folding the whole
history gives: the stored status for "now", a checkpoint and the entries after it for "as of".
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from factory import milestone, plan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import programme.store as store_module
from programme.rules.history import fold
from programme.rules.model import Status
from programme.store import Store

T0 = datetime(2026, 9, 1, 9, tzinfo=UTC)
TZ = "Europe/London"
MILESTONES = ("a", "b", "c")
_ids = itertools.count()


def fresh_plan(store: Store):
    p = plan(*(milestone(m, date(2026, 12, 1)) for m in MILESTONES))
    p = type(p)(**{**p.__dict__, "id": f"plan-{next(_ids)}"})
    store.sync(p, T0)
    return p


entries = st.lists(st.tuples(
    st.sampled_from(MILESTONES),
    st.sampled_from([None, *Status]),
    st.integers(-3 * 24 * 60, 60 * 24 * 60),  # minutes after T0 (a few before: late writes)
    st.sampled_from([None, "", "a note", "another"]),
    st.sampled_from([None, "ana", "bob"]),
    st.sampled_from([None, date(2026, 11, 20), date(2027, 1, 8)]),
    st.sampled_from([None, date(2026, 9, 3)]),
), min_size=1, max_size=40)


def record_all(store: Store, plan_id: str, rows) -> None:
    for mid, status, minutes, note, by, forecast, happened in rows:
        store.record(plan_id, mid, status, T0 + timedelta(minutes=minutes), by=by, note=note,
                     forecast=forecast, reason="waiting" if status == Status.BLOCKED else None,
                     happened_on=happened if status == Status.DONE else None)


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory) -> Store:
    return Store(f"sqlite:///{tmp_path_factory.mktemp('statuses') / 'store.db'}")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=entries, moments=st.lists(st.integers(-4 * 24 * 60, 61 * 24 * 60), max_size=6))
def test_statuses_as_of_any_moment_are_the_fold_of_the_history_until_then(sqlite_store, rows,
                                                                          moments):
    store = sqlite_store
    p = fresh_plan(store)
    record_all(store, p.id, rows)
    assert store.statuses(p.id, TZ) == fold(store.history(p.id), TZ)
    for minutes in moments:
        as_of = T0 + timedelta(minutes=minutes)
        assert store.statuses(p.id, TZ, as_of=as_of) == fold(store.history(p.id, until=as_of), TZ)


def test_statuses_on_either_backend_are_the_fold_of_the_history(store_url):
    store = Store(store_url)
    rng = random.Random(7)
    p = fresh_plan(store)
    rows = [(rng.choice(MILESTONES), rng.choice([None, *Status]), rng.randrange(-2000, 60 * 24 * 60),
             rng.choice([None, "n1", "n2"]), rng.choice([None, "ana"]), None, None)
            for _ in range(150)]
    record_all(store, p.id, rows)
    for minutes in range(-3000, 61 * 24 * 60, 997):
        as_of = T0 + timedelta(minutes=minutes)
        assert store.statuses(p.id, TZ, as_of=as_of) == fold(store.history(p.id, until=as_of), TZ)


def test_a_store_from_before_the_stored_statuses_folds_its_history_on_first_read(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    p = fresh_plan(store)
    record_all(store, p.id, [("a", Status.IN_PROGRESS, 60 * i, f"n{i}", None, None, None)
                             for i in range(30)])
    with store.engine.begin() as conn:  # as migration 0004 leaves rows written before it
        conn.exec_driver_sql("UPDATE milestones SET status_known = 0, status_current = NULL")
        conn.exec_driver_sql("DELETE FROM status_checkpoints")
    assert store.statuses(p.id, TZ) == fold(store.history(p.id), TZ)
    as_of = T0 + timedelta(hours=10)
    assert store.statuses(p.id, TZ, as_of=as_of) == fold(store.history(p.id, until=as_of), TZ)


def test_status_now_reads_no_history_and_last_week_reads_about_a_week_of_it(tmp_path, monkeypatch):
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    p = fresh_plan(store)
    days = 120
    record_all(store, p.id, [(mid, Status.IN_PROGRESS, day * 24 * 60 + k, f"day {day}", None,
                              None, None)
                             for day in range(days) for k, mid in enumerate(MILESTONES)])
    read = []
    real = store_module._entry
    monkeypatch.setattr(store_module, "_entry", lambda r: read.append(r) or real(r))
    now = T0 + timedelta(days=days)
    store.statuses(p.id, TZ, as_of=now)
    assert read == [], "the stored status, no history"
    store.statuses(p.id, TZ, as_of=now - timedelta(days=7))
    assert 0 < len(read) <= len(MILESTONES) * 2 * 7 + len(MILESTONES), len(read)
    read.clear()
    store.history(p.id, since=now - timedelta(days=7), until=now)
    assert len(MILESTONES) * 6 <= len(read) <= len(MILESTONES) * 7  # the week, not 120 days
