"""`programme diff` on a temporary git repository holding a plan in two commits: what changed
(a due date moved, a dependency added, a milestone removed, one renamed, an owner changed), what
it does (the end date, the critical path, slips, the rating, who is reminded when), and the
mistakes a lead can make (outside a repository, an unknown revision, a broken version)."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from programme.cli import app

runner = CliRunner()

BEFORE = """
id: diff-plan
title: Diff test plan
kind: programme
lead: cara
sponsor: sam
start: 2026-09-01
people:
  ana: {name: Ana Lee, contacts: [ana@example.gov.uk], manager: bob}
  bob: {name: Bob Khan, contacts: [bob@example.gov.uk]}
  cara: {name: Cara Jones, contacts: [cara@example.gov.uk]}
  sam: {name: Sam Patel, contacts: [sam@example.gov.uk]}
milestones:
  - {id: needs, title: Needs assessment, owner: ana, due: 2026-09-14}
  - {id: discovery, title: Discovery day, owner: bob, due: 2026-09-21, depends_on: [needs]}
  - {id: market, title: Market engagement, owner: ana, due: 2026-10-05, depends_on: [discovery]}
  - {id: options, title: Options paper, owner: cara, due: 2026-10-12, depends_on: [market]}
  - {id: comms, title: Comms plan, owner: sam, due: 2026-10-02}
"""

# options moves a week later (the end moves with it), discovery is removed (market now waits
# for needs directly), options also waits for the comms plan, whose id changes (same title),
# and the needs assessment goes to bob
AFTER = """
id: diff-plan
title: Diff test plan
kind: programme
lead: cara
sponsor: sam
start: 2026-09-01
people:
  ana: {name: Ana Lee, contacts: [ana@example.gov.uk], manager: bob}
  bob: {name: Bob Khan, contacts: [bob@example.gov.uk]}
  cara: {name: Cara Jones, contacts: [cara@example.gov.uk]}
  sam: {name: Sam Patel, contacts: [sam@example.gov.uk]}
milestones:
  - {id: needs, title: Needs assessment, owner: bob, due: 2026-09-14}
  - {id: market, title: Market engagement, owner: ana, due: 2026-10-05, depends_on: [needs]}
  - {id: options, title: Options paper, owner: cara, due: 2026-10-19,
     depends_on: [market, comms-plan]}
  - {id: comms-plan, title: Comms plan, owner: sam, due: 2026-10-02}
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True, env={"GIT_AUTHOR_NAME": "Cara Jones",
                                           "GIT_AUTHOR_EMAIL": "cara@example.gov.uk",
                                           "GIT_COMMITTER_NAME": "Cara Jones",
                                           "GIT_COMMITTER_EMAIL": "cara@example.gov.uk",
                                           "HOME": str(repo), "PATH": "/usr/bin:/bin"})
    return done.stdout.strip()


def commit(repo: Path, text: str, message: str) -> str:
    (repo / "plans" / "diff-plan.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "plans-repo"
    (folder / "plans").mkdir(parents=True)
    git(folder, "init", "-q", "-b", "main")
    commit(folder, BEFORE, "First version of the plan")
    commit(folder, AFTER, "Move the options paper, drop the discovery day")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder / "plans"))
    monkeypatch.setenv("PROGRAMME_NOW", "2026-09-01T10:00+01:00")
    monkeypatch.setenv("COLUMNS", "200")
    return folder


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def diff_json(*args: str) -> dict:
    code, output = cli("diff", "diff-plan", "--json", *args)
    assert code == 0, output
    return json.loads(output)


def test_a_moved_due_date_a_new_dependency_and_a_removed_milestone_are_listed(repo):
    doc = diff_json("--from", "HEAD~1", "--to", "HEAD")
    assert doc["from"].startswith("HEAD~1 (") and doc["to"].startswith("HEAD (")
    assert [(m["id"], m["before"], m["after"], m["working_days"]) for m in doc["moved"]] == [
        ("options", "2026-10-12", "2026-10-19", 5)]
    assert [m["id"] for m in doc["removed"]] == ["discovery"]
    assert [(r["old"], r["new"]) for r in doc["renamed"]] == [("comms", "comms-plan")]
    assert doc["added"] == []  # the renamed one is not "added"
    depends = {c["id"]: (c["added"], c["removed"]) for c in doc["depends"]}
    assert depends == {"market": (["needs"], ["discovery"]), "options": (["comms-plan"], [])}
    assert [(o["id"], o["before"], o["after"]) for o in doc["owners"]] == [
        ("needs", "Ana Lee", "Bob Khan")]


def test_the_end_date_and_the_critical_path_before_and_after(repo):
    doc = diff_json("--from", "HEAD~1", "--to", "HEAD")
    assert doc["end_forecast"] == ["2026-10-12", "2026-10-19"] and doc["end_moved"] == 5
    assert doc["critical_path"] == [["needs", "discovery", "market", "options"],
                                    ["needs", "market", "options"]]
    assert doc["rating"] == ["Green", "Green"]


def test_the_markdown_is_a_pull_request_comment(repo):
    code, output = cli("diff", "diff-plan", "--from", "HEAD~1", "--to", "HEAD")
    assert code == 0, output
    assert output.startswith("### Plan change: `diff-plan`")
    assert "| Forecast end | Mon 12 Oct 2026 | **Mon 19 Oct 2026** · +5 working days |" in output
    assert "| Critical path | needs → discovery → market → options | needs → market → options " \
           "(changed) |" in output
    assert "**Due date moved** `options` Options paper: Mon 12 Oct 2026 → **Mon 19 Oct 2026**" \
           in output
    assert "**Removed** `discovery` Discovery day" in output
    assert "**Renamed** `comms` → `comms-plan` Comms plan (taken to be the same milestone: " \
           "same title, new id." in output
    assert "**Dependencies** `options` Options paper: now waits for `comms-plan`" in output


def test_who_is_reminded_differently_comes_from_the_preview(repo):
    doc = diff_json("--from", "HEAD~1", "--to", "HEAD")
    changes = {(c["recipient"], c["milestone_id"], c["step"]): c for c in doc["reminders"]}
    cara = changes[("cara", "options", "reminder-5")]  # five working days before the due date
    assert cara["change"] == "moved"
    assert (cara["before"][:16], cara["after"][:16]) == ("2026-10-05T09:00", "2026-10-12T09:00")
    assert changes[("bob", "discovery", "due-day")]["change"] == "gone"
    assert changes[("bob", "needs", "due-day")]["change"] == "new"  # bob owns it now
    assert changes[("ana", "needs", "due-day")]["change"] == "gone"


def test_the_default_compares_the_last_commit_with_the_working_tree(repo):
    doc = diff_json()
    assert doc["to"] == "working tree" and doc["changed"] is False
    text = (repo / "plans" / "diff-plan.yaml").read_text().replace("2026-10-19", "2026-10-26")
    (repo / "plans" / "diff-plan.yaml").write_text(text)
    doc = diff_json()
    assert [(m["id"], m["after"]) for m in doc["moved"]] == [("options", "2026-10-26")]
    assert doc["end_forecast"] == ["2026-10-19", "2026-10-26"]


def test_a_plan_file_new_in_the_working_tree_is_all_added(repo):
    (repo / "plans" / "other.yaml").write_text(
        textwrap.dedent(BEFORE).replace("id: diff-plan", "id: other").lstrip())
    code, output = cli("diff", "plans/other.yaml", "--json")
    assert code == 0, output
    doc = json.loads(output)
    assert doc["new_plan"] is True and len(doc["added"]) == 5
    assert doc["from"].endswith("no such file")


@pytest.mark.parametrize(("args", "message"), [
    (("--from", "no-such-branch"), "unknown revision 'no-such-branch'"),
    (("--to", "v9.9"), "unknown revision 'v9.9'"),
])
def test_an_unknown_revision_is_one_line(repo, args, message):
    code, output = cli("diff", "diff-plan", *args)
    assert code == 1 and message in output and "Traceback" not in output


def test_a_version_that_does_not_validate_says_where(repo):
    text = (repo / "plans" / "diff-plan.yaml").read_text().replace("owner: cara", "owner: carla")
    (repo / "plans" / "diff-plan.yaml").write_text(text)
    code, output = cli("diff", "diff-plan")
    assert code == 1
    assert "plans/diff-plan.yaml in the working tree does not validate:" in output
    assert "carla" in output and "Traceback" not in output


def test_outside_a_git_repository_is_one_line(tmp_path, monkeypatch):
    folder = tmp_path / "loose"
    folder.mkdir()
    (folder / "diff-plan.yaml").write_text(textwrap.dedent(BEFORE).lstrip())
    monkeypatch.chdir(folder)
    code, output = cli("diff", "diff-plan.yaml")
    assert code == 1 and "is not in a git repository" in output and "Traceback" not in output


def test_a_repository_without_commits_says_so(tmp_path, monkeypatch):
    folder = tmp_path / "empty"
    folder.mkdir()
    git(folder, "init", "-q")
    (folder / "diff-plan.yaml").write_text(textwrap.dedent(BEFORE).lstrip())
    monkeypatch.chdir(folder)
    code, output = cli("diff", "diff-plan.yaml")
    assert code == 1 and "the repository has no commits yet" in output
