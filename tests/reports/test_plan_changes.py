"""The digest says what changed in the plan itself this week (due dates moved, milestones added
or dropped, owners changed), from the definitions the sync stored, with the commit and its
author when the plans folder is a git repository. A real SQLite store, a real git repository."""

from __future__ import annotations

import os
import subprocess
from datetime import date, datetime

import pendulum
import pytest

from programme.reports import render_digest
from programme.store import Store
from programme.usecases.digest import collect
from programme.usecases.workspace import Workspace

PLAN = """\
id: changing-plan
title: A plan that changes
kind: programme
lead: cara
start: 2026-11-02
people:
  ana: {name: Ana Lee, contacts: [ana@example.gov.uk]}
  bob: {name: Bob Khan, contacts: [bob@example.gov.uk]}
  cara: {name: Cara Jones, contacts: [cara@example.gov.uk]}
milestones:
  - {id: needs, title: Needs assessment, owner: ana, due: 2026-11-20}
  - {id: discovery, title: Discovery day, owner: bob, due: 2026-11-27, depends_on: [needs]}
  - {id: options, title: Options paper, owner: cara, due: 2026-12-11, depends_on: [needs]}
"""


def london(day: str, hour: int = 10) -> datetime:
    return pendulum.parse(f"{day}T{hour:02d}:00", tz="Europe/London").in_timezone("UTC")


@pytest.fixture
def repo(tmp_path):
    folder = tmp_path / "plans-repo"
    (folder / "plans").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    return folder


def commit(repo, text: str, message: str, author: str, when: datetime) -> None:
    (repo / "plans" / "changing-plan.yaml").write_text(text, encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "a@example.gov.uk",
           "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "a@example.gov.uk",
           "GIT_AUTHOR_DATE": when.isoformat(), "GIT_COMMITTER_DATE": when.isoformat()}
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True, env=env)


def sync(store: Store, repo, moment: datetime):
    ws = Workspace(store, repo / "plans")  # a fresh workspace reads the file as it is now
    [plan] = ws.plans()
    ws.ensure_synced(plan, moment)
    return ws, plan


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'programme.db'}")
    yield s
    s.close()


def test_the_digest_lists_this_weeks_plan_changes_with_their_commit_and_author(repo, store):
    commit(repo, PLAN, "First version of the plan", "Cara Jones", london("2026-11-09"))
    sync(store, repo, london("2026-11-09", 11))
    last_week = PLAN.replace("due: 2026-11-20", "due: 2026-11-19")
    commit(repo, last_week, "Needs assessment a day earlier", "Cara Jones", london("2026-11-13"))
    sync(store, repo, london("2026-11-13", 11))  # before the digest's week: not listed
    this_week = (last_week.replace("owner: ana, due: 2026-11-19", "owner: bob, due: 2026-11-19")
                 .replace("due: 2026-12-11", "due: 2026-12-18")
                 .replace("  - {id: discovery, title: Discovery day, owner: bob, due: 2026-11-27, "
                          "depends_on: [needs]}\n", ""))
    commit(repo, this_week, "Options paper a week later; no discovery day", "Ana Lee",
           london("2026-11-18"))
    sync(store, repo, london("2026-11-18", 11))
    uncommitted = this_week + "  - {id: evaluation, title: Evaluation plan, owner: ana, " \
                              "due: 2026-12-04}\n"
    (repo / "plans" / "changing-plan.yaml").write_text(uncommitted, encoding="utf-8")
    ws, plan = sync(store, repo, london("2026-11-19", 11))

    snapshot = collect(ws, plan, london("2026-11-23", 8), sync=False)
    kinds = [(c.kind, c.milestone_id, c.commit is not None) for c in snapshot.plan_changes]
    assert kinds == [("owner", "needs", True), ("moved", "options", True),
                     ("dropped", "discovery", True), ("added", "evaluation", False)]
    moved = next(c for c in snapshot.plan_changes if c.kind == "moved")
    assert (moved.before, moved.after) == (date(2026, 12, 11), date(2026, 12, 18))
    assert moved.author == "Ana Lee" and moved.subject.startswith("Options paper a week later")

    text = render_digest(snapshot).text
    sha = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short=7", "HEAD"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert "CHANGES TO THE PLAN" in text
    assert (f"  * Due date moved: Options paper, 11 Dec -> 18 Dec; commit {sha} by Ana Lee: "
            "\"Options paper a week later; no discovery day\"") in text
    assert "  * Owner changed: Needs assessment, Ana Lee -> Bob Khan; commit" in text
    assert "  * Dropped: Discovery day (Bob Khan, was due 27 Nov); commit" in text
    assert "  * Added: Evaluation plan (Ana Lee, due 4 Dec)\n" in text  # not committed: no commit
    assert "a day earlier" not in text  # last week's change
    html = render_digest(snapshot).html
    assert "Changes to the plan" in html and f"commit {sha} by Ana Lee" in html


def test_a_week_without_plan_changes_adds_nothing_to_the_digest(repo, store):
    commit(repo, PLAN, "First version of the plan", "Cara Jones", london("2026-11-09"))
    ws, plan = sync(store, repo, london("2026-11-09", 11))
    snapshot = collect(ws, plan, london("2026-11-23", 8), sync=False)
    assert snapshot.plan_changes == ()
    assert "CHANGES TO THE PLAN" not in render_digest(snapshot).text


def test_a_store_from_before_versions_still_sees_the_first_change(repo, store):
    from sqlalchemy import delete

    from programme.store import tables

    commit(repo, PLAN, "First version of the plan", "Cara Jones", london("2026-11-09"))
    sync(store, repo, london("2026-11-09", 11))
    with store.engine.begin() as conn:  # as a store upgraded to migration 0005 has it
        conn.execute(delete(tables.plan_versions))
    commit(repo, PLAN.replace("due: 2026-12-11", "due: 2026-12-18"), "Options later",
           "Cara Jones", london("2026-11-18"))
    ws, plan = sync(store, repo, london("2026-11-18", 11))
    changes = collect(ws, plan, london("2026-11-23", 8), sync=False).plan_changes
    assert [(c.kind, c.milestone_id, c.after) for c in changes] == [
        ("moved", "options", date(2026, 12, 18))]
