"""The highlight report (`programme report PLAN --template highlight`): golden files of the
example plan with a RAID log and a budget on Monday 23 November 2026, and the CLI.
Regenerate with UPDATE_GOLDEN=1."""

from __future__ import annotations

import sys

import pytest
import report_scenario as scenario
from test_golden import check

from programme.cli import main
from programme.planfiles.loading import load_file
from programme.reports import render_digest, render_report
from programme.reports.render import render_highlight
from programme.rules.raid import RaidEntry
from programme.store import Store

# The RAID log and budget added to the example plan (tests/reports/data holds the plan itself).
RAID = """
budget:
  amount: 180000
  forecast: 192000
  spent: 61200
  tolerance: 5
risks:
  - id: R1
    title: ICB information governance does not sign the data-sharing agreement in time
    owner: tom-reid
    likelihood: 4
    impact: 4
    response: reduce
    review: 2026-11-13
    milestones: [data-sharing-agreement, insights-trial-design]
  - id: R2
    title: Providers do not come to the market engagement event
    owner: lucy-chen
    likelihood: 2
    impact: 3
    response: reduce
    review: 2026-11-27
issues:
  - id: I1
    title: The VCS capacity survey response rate is below a third
    owner: grace-adeyemi
    impact: 2
    review: 2026-11-30
decisions:
  - id: D1
    title: Which delivery model options go to the outline business case
    owner: martin-okafor
    due: 2026-12-14
  - id: D2
    title: Whether the pooled budget is hosted by the council or the ICB
    owner: rachel-osei
    due: 2026-11-20
"""
REVIEWS = [RaidEntry("risk:R2", "review", scenario.at("2026-11-18T10:00"), "lucy-chen", 3, 3,
                     note="Two providers have pulled out of the event")]


@pytest.fixture(scope="module")
def raid_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raid-plan")
    text = scenario.PLAN_FILE.read_text(encoding="utf-8")
    (folder / scenario.PLAN_FILE.name).write_text(text.rstrip("\n") + "\n" + RAID,
                                                  encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def raid_snap(raid_folder, tmp_path_factory):
    result = load_file(raid_folder / scenario.PLAN_FILE.name)
    assert result.ok, result.problems
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('raid-db') / 'programme.db'}")
    scenario.record(store, result.plan)
    for entry in REVIEWS:
        store.record_raid(result.plan.id, entry)
    from programme.usecases.digest import collect
    from programme.usecases.workspace import Workspace

    yield collect(Workspace(store, raid_folder), result.plan, scenario.AS_OF)
    store.close()


@pytest.mark.parametrize("name, fmt", [("highlight.md", "md"), ("highlight.html", "html")])
def test_highlight_report_matches_reviewed_file(raid_snap, name, fmt):
    check(name, render_highlight(raid_snap, fmt))


def test_highlight_report_has_every_prince2_heading_filled(raid_snap):
    text = render_highlight(raid_snap, "md")
    for needle in (
        "| Period covered | Mon 16 Nov 2026 to Mon 23 Nov 2026 |",
        "## Status summary", "Delivery confidence: **Red (last week",
        "## This reporting period", "- Done: Baseline of demand, spend and outcomes — Tom Reid",
        "## Next reporting period (to Mon 30 Nov 2026)",
        "| Time | forecast late (Amber) |",
        "| Cost | forecast to exceed tolerance (Red) | forecast £192,000 against a budget of "
        "£180,000 (+6.7%, tolerance 5%); £61,200 spent |",
        "| Benefits | not tracked |",
        "- Risk R1 (score 16 = 4×4): ICB information governance",
        "- Risk R2 (score 9 = 3×3)",  # rescored at its review
        "- Issue I1: The VCS capacity survey response rate is below a third — Grace Adeyemi",
        "## Decisions needed from the board",
        "- D2: Whether the pooled budget is hosted by the council or the ICB — Rachel Osei, by "
        "Fri 20 Nov 2026 (overdue)",
        "## Lessons", "41 responses so far; closes Friday",
    ):
        assert needle in text, needle


def test_the_report_and_digest_show_top_risks_issues_and_decisions(raid_snap):
    md, digest = render_report(raid_snap, "md"), render_digest(raid_snap).text
    assert "## Top risks" in md and "| R1: ICB information governance" in md
    assert "## Decisions needed" in md and "Rachel Osei, by Fri 20 Nov 2026 (overdue)" in md
    assert "TOP RISKS\n  * R1 (score 16)" in digest
    assert "DECISIONS NEEDED\n  * D2: Whether the pooled budget" in digest


def test_programme_report_template_highlight_on_the_command_line(raid_folder, tmp_path,
                                                                 monkeypatch, capsys):
    monkeypatch.setenv("PROGRAMME_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PROGRAMME_PLANS", str(raid_folder))
    out = tmp_path / "highlight.html"
    for args, code in ((["--template", "highlight", "--format", "html", "-o", str(out)], 0),
                       (["--template", "exception"], 1)):
        monkeypatch.setattr(sys, "argv", ["programme", "report", "commissioning-academy-100-day",
                                          "--as-of", "2026-11-23", *args])
        with pytest.raises(SystemExit) as exc:
            main()
        assert (exc.value.code or 0) == code
    err = capsys.readouterr().err
    assert "--template 'exception': use report or highlight" in err
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Project tolerance status" in page
    assert "Traceback" not in err
