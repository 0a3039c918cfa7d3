"""The RAID log: checked like milestones (through the CLI), its rules (score, next review,
decisions needed), and a risk review chased across a simulated fortnight through the real store
and outbox, stopped by the owner's review."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from factory import at, write
from typer.testing import CliRunner

from programme.cli import app
from programme.planfiles.loading import load_file
from programme.rules.raid import REVIEW, RaidEntry, decisions_needed, fold, top_risks
from programme.store import Store
from programme.store.outbox import Outbox
from programme.usecases.chase import queue_due
from programme.usecases.raid import RaidError, record_decision, review_risk
from programme.usecases.workspace import Workspace

LONDON = ZoneInfo("Europe/London")

RAID_PLAN = """
id: raid-plan
title: A plan with a RAID log
lead: cara
sponsor: sam
start: 2026-09-01
people:
  ana: {name: Ana Lee, contacts: [ana@example.gov.uk], manager: bob}
  bob: {name: Bob Khan, contacts: [bob@example.gov.uk]}
  cara: {name: Cara Jones, contacts: [cara@example.gov.uk]}
  sam: {name: Sam Patel, contacts: [sam@example.gov.uk]}
milestones:
  - id: needs-assessment
    title: Needs assessment
    owner: ana
    due: 2026-12-18
risks:
  - id: R1
    title: Data-sharing agreement not signed in time
    owner: ana
    likelihood: 3
    impact: 4
    review: 2026-10-16
    milestones: [needs-assessment]
  - id: R2
    title: Venue unavailable
    owner: bob
    likelihood: 2
    impact: 2
    review: 2026-11-20
decisions:
  - id: D1
    title: Choose the delivery model
    owner: sam
    due: 2026-11-27
"""

BROKEN = RAID_PLAN.replace("    owner: bob\n    likelihood: 2", "    owner: bobb\n    likelihood: 6") \
    .replace("    review: 2026-11-20\n", "    reveiw: 2026-11-20\n    status: opne\n"
             "    response: mitigate\n    milestones: [needs-asessment]\n") \
    .replace("  - id: D1\n    title: Choose the delivery model\n    owner: sam\n    due: 2026-11-27\n",
             "  - id: D1\n    title: Choose the delivery model\n    owner: sam\n"
             "  - id: R1\n    title: Same id again\n    owner: sam\n    due: 2026-11-27\n")

runner = CliRunner()


@pytest.fixture
def plans(tmp_path, monkeypatch):
    folder = tmp_path / "plans"
    folder.mkdir()
    write(folder, "raid-plan.yaml", RAID_PLAN)
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    monkeypatch.setenv("PROGRAMME_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    return folder


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_validate_lists_every_raid_mistake_at_once_with_file_line_and_suggestions(plans):
    write(plans, "raid-plan.yaml", BROKEN)
    code, output = cli("validate", str(plans))
    assert code == 1
    lines = [line for line in output.splitlines() if "raid-plan.yaml:" in line]
    expected = [
        "raid-plan.yaml:24: risk 'R2' has neither 'review' nor 'due'",
        "raid-plan.yaml:26: unknown owner 'bobb' of risk 'R2' (did you mean 'bob'?)",
        "raid-plan.yaml:27: 'likelihood' of risk 'R2' should be a whole number from 1 to 5, not 6",
        "raid-plan.yaml:29: unknown field 'reveiw' in risk 'R2' (did you mean 'review'?)",
        "raid-plan.yaml:30: unknown status 'opne' for risk 'R2' (did you mean 'open'?)",
        "raid-plan.yaml:31: unknown risk response 'mitigate'; use one of: avoid, reduce",
        "raid-plan.yaml:32: risk 'R2' links to unknown milestone 'needs-asessment' (did you mean "
        "'needs-assessment'?)",
        "raid-plan.yaml:34: decision 'D1' has neither 'review' nor 'due': give it a 'due' date "
        "(decide by)",
        "raid-plan.yaml:37: duplicate RAID id 'R1' (first defined at",
    ]
    for needle in expected:
        assert any(needle in line for line in lines), (needle, lines)
    assert "Traceback" not in output


def test_a_sound_raid_log_loads_into_the_plan(plans):
    result = load_file(plans / "raid-plan.yaml")
    assert result.ok, result.problems
    kinds = {i.key: i.kind for i in result.plan.raid}
    assert kinds == {"risk:R1": "risk", "risk:R2": "risk", "decision:D1": "decision"}
    r1 = result.plan.raid[0]
    assert (r1.likelihood, r1.impact, r1.milestones) == (3, 4, ("needs-assessment",))


def _plan(plans):
    return load_file(plans / "raid-plan.yaml").plan


def test_score_is_likelihood_times_impact_and_top_risks_come_first(plans):
    views = fold(_plan(plans), [])
    assert [(v.item.id, v.score) for v in top_risks(views.values())] == [("R1", 12), ("R2", 4)]
    assert [v.item.id for v in decisions_needed(views.values())] == ["D1"]


@pytest.mark.parametrize(("rule", "entry", "status", "score", "next_date"), [
    ("before any review, the plan file's review date holds", None, "open", 12, date(2026, 10, 16)),
    ("a review with a new score and no date: next review in 10 working days",
     RaidEntry("risk:R1", REVIEW, at(date(2026, 10, 16)), "ana", 2, 4), "open", 8,
     date(2026, 10, 30)),
    ("a review naming the next date keeps that date",
     RaidEntry("risk:R1", REVIEW, at(date(2026, 10, 16)), "ana", next_review=date(2026, 11, 2)),
     "open", 12, date(2026, 11, 2)),
    ("a closed risk has no next date", RaidEntry("risk:R1", "close", at(date(2026, 10, 16))),
     "closed", 12, None),
])
def test_raid_review_rules(plans, rule, entry, status, score, next_date):
    v = fold(_plan(plans), [entry] if entry else [])["risk:R1"]
    assert (v.status, v.score, v.next_date) == (status, score, next_date), rule


def test_a_risk_review_is_chased_across_a_fortnight_until_the_owner_reviews_it(plans, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'fortnight.db'}")
    ws = Workspace(store, plans)
    plan = ws.plan("raid-plan")
    outbox = Outbox(store)
    day, steps = date(2026, 10, 12), {}  # Monday, four working days before R1's review
    reviewed = False
    while day <= date(2026, 10, 30):
        now = datetime(day.year, day.month, day.day, 9, 30, tzinfo=LONDON).astimezone(UTC)
        queue_due(ws, plan, now)  # 09:30 London each day (across the clock change); weekends
        # and quiet hours send nothing
        if day == date(2026, 10, 22) and not reviewed:
            review_risk(ws, plan, "R1", now + timedelta(hours=2), likelihood=2, by="ana",
                        note="ICB IG lead agreed the DPIA")
            reviewed = True
        day += timedelta(days=1)
    for row in outbox.rows(plan_id="raid-plan"):
        if row.milestone_id == "risk:R1":
            steps.setdefault(row.anchor, []).append((row.created_at.date(), row.step,
                                                     row.recipient))
    store.close()
    first = sorted(steps[date(2026, 10, 16)])
    assert first == [(date(2026, 10, 12), "reminder-5", "ana"),
                     (date(2026, 10, 15), "reminder-1", "ana"),
                     (date(2026, 10, 16), "due-day", "ana"),
                     (date(2026, 10, 20), "chase-1", "ana"),  # every 2 working days overdue
                     (date(2026, 10, 21), "escalate-manager", "bob"),  # 3 days: Ana's manager
                     (date(2026, 10, 22), "chase-2", "ana")]
    assert {r for _, s, r in first if s == "escalate-manager"} == {"bob"}  # Ana's manager
    # after the review (Thu 22 Oct) nothing more for the old date; the next review is 10 working
    # days on (Thu 5 Nov), so within the fortnight only its first reminders are queued
    assert max(d for d, _, _ in first) <= date(2026, 10, 22)
    assert set(steps) == {date(2026, 10, 16), date(2026, 11, 5)}
    assert [s for _, s, _ in steps[date(2026, 11, 5)]] == ["reminder-5"]


def test_raid_chase_keys_never_meet_milestone_keys(plans, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'keys.db'}")
    ws = Workspace(store, plans)
    plan = ws.plan("raid-plan")
    queue_due(ws, plan, datetime(2026, 10, 16, 9, 0, tzinfo=UTC))
    rows = Outbox(store).rows(plan_id="raid-plan")
    store.close()
    assert rows and all(r.key.startswith("raid-plan/risk:R1/") for r in rows)
    assert rows[0].payload["title"].startswith("Review risk R1: Data-sharing agreement not signed")
    assert "the plan's lead" in rows[0].payload["update_command"]  # plain words, no command


def test_a_decision_is_recorded_once_and_leaves_the_decisions_needed(plans, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'd.db'}")
    ws = Workspace(store, plans)
    plan = ws.plan("raid-plan")
    now = datetime(2026, 11, 20, 10, tzinfo=UTC)
    done = record_decision(ws, plan, "D1", "Alliance contract with the VCS", now, by="sam")
    assert done.after.status == "decided" and done.after.decided_on == date(2026, 11, 20)
    with pytest.raises(RaidError, match="already recorded: Alliance contract"):
        record_decision(ws, plan, "D1", "Something else", now, by="sam")
    assert decisions_needed(ws.state(plan, now).raid.values()) == []
    store.close()


def test_review_and_decide_through_the_cli_and_their_mistakes_in_one_line(plans):
    code, output = cli("raid", "review", "raid-plan", "R1", "--still-valid", "-l", "2", "--by",
                       "ana")
    assert code == 0, output
    assert "risk R1: reviewed, score 8 (was 12); next review" in output
    code, output = cli("raid", "review", "raid-plan", "R9", "--close")
    assert code == 1 and "unknown risk or issue or assumption or dependency 'R9'" in output
    code, output = cli("raid", "review", "raid-plan", "R2")
    assert code == 1 and "say what the review found" in output
    code, output = cli("raid", "decide", "raid-plan", "D1", "--decision", "Option B", "--by",
                       "sm")
    assert code == 1 and "'sm' is not a person in plan 'raid-plan' (did you mean 'sam'?)" in output
    code, output = cli("raid", "decide", "raid-plan", "D1", "--decision", "Option B")
    assert code == 0 and "decision D1: Option B" in output
    code, output = cli("raid", "list", "raid-plan")
    assert code == 0 and "decided: Option B" in output
    assert "Traceback" not in output
