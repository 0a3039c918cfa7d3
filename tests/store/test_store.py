"""The store on SQLite and on the real PostgreSQL: history survives, nothing is lost."""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
import textwrap
from datetime import date, timedelta

import pytest
from factory import at, milestone, plan
from sqlalchemy import inspect, text

from programme.rules.model import Rating, Status
from programme.store import HEAD, Store, StoreError

DAY = date(2026, 11, 2)


def example_plan():
    return plan(milestone("a", date(2026, 11, 20)), milestone("b", date(2026, 11, 27), "a"),
                milestone("c", date(2026, 12, 4), "b"))


def test_migrations_build_the_schema_from_an_empty_database(store_url):
    store = Store(store_url)
    store.migrate()
    names = set(inspect(store.engine).get_table_names())
    assert {"plans", "milestones", "status_history", "baselines", "lead_ratings"} <= names
    with store.engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == HEAD
    again = Store(store_url)
    again.migrate()  # a second open finds the schema current and changes nothing
    assert set(inspect(again.engine).get_table_names()) == names


def test_history_survives_a_resync_of_an_edited_plan(store_url):
    store = Store(store_url)
    p = example_plan()
    store.sync(p, at(DAY))
    store.record(p.id, "a", Status.IN_PROGRESS, at(DAY), by="ana", note="started")
    store.record(p.id, "a", Status.DONE, at(DAY + timedelta(days=1)), by="ana")
    store.record(p.id, "b", Status.BLOCKED, at(DAY + timedelta(days=1)), reason="no budget")

    edited = dataclasses.replace(p, title="Renamed", milestones=(
        dataclasses.replace(p.milestones[0], title="A, renamed"),
        dataclasses.replace(p.milestones[1], due=date(2026, 12, 1)),
        milestone("d", date(2026, 12, 11), "b"),
    ))
    result = store.sync(edited, at(DAY + timedelta(days=2)))
    assert (result.added, result.removed, set(result.changed)) == (("d",), ("c",), {"a", "b"})

    history = store.history(p.id)
    assert [(e.milestone_id, e.status) for e in history] == [
        ("a", Status.IN_PROGRESS), ("a", Status.DONE), ("b", Status.BLOCKED),
        ("c", Status.DROPPED)]
    assert history[-1].source == "sync" and history[-1].note == "removed from the plan file"
    statuses = store.statuses(p.id, p.timezone)
    assert statuses["a"].status == Status.DONE and statuses["a"].done_on == DAY + timedelta(days=1)
    assert statuses["b"].reason == "no budget"
    assert statuses["c"].status == Status.DROPPED
    assert "d" not in statuses  # nothing reported yet

    store.sync(p, at(DAY + timedelta(days=3)))  # c is back in the file: reopened, on the record
    assert store.statuses(p.id, p.timezone)["c"].status == Status.NOT_STARTED
    assert [e.status for e in store.history(p.id, "c")] == [Status.DROPPED, Status.NOT_STARTED]


def test_status_as_of_a_moment_replays_only_what_was_known_then(store_url):
    store = Store(store_url)
    p = example_plan()
    store.sync(p, at(DAY))
    store.record(p.id, "a", Status.IN_PROGRESS, at(DAY))
    store.record(p.id, "a", None, at(DAY + timedelta(days=3)), forecast=date(2026, 11, 25))
    store.record(p.id, "a", Status.DONE, at(DAY + timedelta(days=10)))
    assert store.statuses(p.id, p.timezone, as_of=at(DAY, 13))["a"].status == Status.IN_PROGRESS
    mid = store.statuses(p.id, p.timezone, as_of=at(DAY + timedelta(days=5)))["a"]
    assert (mid.status, mid.forecast) == (Status.IN_PROGRESS, date(2026, 11, 25))
    final = store.statuses(p.id, p.timezone)["a"]
    assert (final.status, final.forecast, final.done_on) == (Status.DONE, None, DAY + timedelta(days=10))


def test_baselines_keep_the_due_dates_of_their_day(store_url):
    store = Store(store_url)
    p = example_plan()
    store.sync(p, at(DAY))
    number, _, dues = store.latest_baseline(p.id)
    assert number == 1 and dues["b"] == date(2026, 11, 27)
    moved = dataclasses.replace(p, milestones=(
        p.milestones[0], dataclasses.replace(p.milestones[1], due=date(2026, 12, 2)), p.milestones[2]))
    store.sync(moved, at(DAY + timedelta(days=1)))
    assert store.latest_baseline(p.id)[2]["b"] == date(2026, 11, 27)  # re-sync keeps the baseline
    assert store.baseline(moved, at(DAY + timedelta(days=2)), "re-planned") == 2
    assert store.latest_baseline(p.id)[2]["b"] == date(2026, 12, 2)
    assert store.latest_baseline(p.id, as_of=at(DAY + timedelta(days=1)))[0] == 1


def test_the_leads_own_rating_is_kept_with_its_commentary(store_url):
    store = Store(store_url)
    p = example_plan()
    store.sync(p, at(DAY))
    store.rate(p.id, Rating.AMBER, "Procurement risk", at(DAY), by="cara")
    store.rate(p.id, Rating.AMBER_GREEN, "Risk retired", at(DAY + timedelta(days=7)), by="cara")
    assert store.lead_rating(p.id).rating == Rating.AMBER_GREEN
    assert store.lead_rating(p.id, as_of=at(DAY + timedelta(days=1))).commentary == "Procurement risk"


def test_an_unknown_milestone_is_a_clear_error(store_url):
    store = Store(store_url)
    store.sync(example_plan(), at(DAY))
    with pytest.raises(StoreError, match="milestone 'zz' of plan 'test-plan' is not in the store"):
        store.record("test-plan", "zz", Status.DONE, at(DAY))


WRITER = textwrap.dedent("""
    import sys
    from datetime import datetime, timedelta, UTC
    from programme.rules.model import Status
    from programme.store import Store
    url, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = Store(url)
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    for i in range(n):
        status = Status.IN_PROGRESS if i % 2 else Status.BLOCKED
        store.record("test-plan", "a" if i % 3 else "b", status, start + timedelta(seconds=i),
                     by=who, reason="waiting" if status == Status.BLOCKED else None, note=f"{who}-{i}")
""")


def test_two_processes_updating_the_same_plan_are_both_recorded(store_url):
    store = Store(store_url)
    store.sync(example_plan(), at(DAY))
    n = 40
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, store_url, who, str(n)],
                              stderr=subprocess.PIPE, text=True) for who in ("ana", "bob")]
    for proc in procs:
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
    history = store.history("test-plan")
    notes = {e.note for e in history}
    assert len(history) == 2 * n
    assert notes == {f"{who}-{i}" for who in ("ana", "bob") for i in range(n)}
    # in commit order each change saw the one before it: no update was lost between read and write
    with store.engine.connect() as conn:
        for mid in ("a", "b"):
            rows = conn.execute(text("select old_status, new_status from status_history "
                                     "where milestone_id = :m order by seq"), {"m": mid}).all()
            assert rows[0].old_status == Status.NOT_STARTED.value
            for before, after in itertools.pairwise(rows):
                assert after.old_status == before.new_status


def test_a_plans_fingerprint_is_the_same_in_every_process():
    """Closure days are a set: an unstable order would make every run look like an edit."""
    code = ("from datetime import date\nimport dataclasses\n"
            "from programme.rules.model import Calendar\nfrom programme.store import definition_hash\n"
            "import sys; sys.path.insert(0, 'tests')\nfrom factory import plan, milestone\n"
            "p = plan(milestone('a', date(2026, 11, 20)))\n"
            "days = frozenset(date(2026, 12, d) for d in range(20, 31))\n"
            "p = dataclasses.replace(p, calendar=Calendar(closures=days))\n"
            "print(definition_hash(p))")
    hashes = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)},
                             check=True).stdout for seed in range(4)}
    assert len(hashes) == 1


def test_any_edit_to_the_plan_changes_its_fingerprint():
    from programme.rules.model import ReminderPolicy
    from programme.store import definition_hash

    p = example_plan()
    m = p.milestones[1]
    edits = [
        dataclasses.replace(p, title="Other"),
        dataclasses.replace(p, milestones=(p.milestones[0], dataclasses.replace(m, owner="bob"),
                                           p.milestones[2])),
        dataclasses.replace(p, milestones=(p.milestones[0], dataclasses.replace(
            m, reminders=ReminderPolicy(chase_every=5)), p.milestones[2])),
        dataclasses.replace(p, reminders=ReminderPolicy(window=("08:00", "16:00"))),
    ]
    hashes = {definition_hash(p), *(definition_hash(e) for e in edits)}
    assert len(hashes) == 1 + len(edits)
    assert definition_hash(example_plan()) == definition_hash(p)
