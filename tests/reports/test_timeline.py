"""The timeline picture: an SVG Gantt for the page, a table of week cells for e-mail."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

from programme.reports import build, render_digest
from programme.reports.context import Snapshot
from programme.reports.timeline import MAX_ROWS, bars, colour, svg
from programme.rules.assess import PlanState, assess
from programme.rules.model import DueRule, Milestone, Person, Phase, Plan

NS = {"s": "http://www.w3.org/2000/svg"}


def markers(root):
    return {p.get("data-id"): p for p in root.iterfind(".//s:path[@class='marker']", NS)}


def test_every_milestone_is_a_marker_coloured_by_its_rating(snap):
    report = build(snap)
    root = ET.fromstring(svg(report))
    found = markers(root)
    assert set(found) == {m.id for m in snap.plan.milestones}
    for mid, view in snap.state.assessment.milestones.items():
        assert found[mid].get("data-rating") == view.rating.label
        assert found[mid].get("fill") == colour(view.rating)


def test_phases_are_bands_with_baseline_markers_and_a_today_line(snap):
    root = ET.fromstring(svg(build(snap)))
    phases = root.findall(".//s:g[@class='phase']", NS)
    assert [g.get("data-phase") for g in phases] == [p.id for p in snap.plan.phases]
    assert len(root.findall(".//s:path[@class='baseline']", NS)) == len(snap.plan.milestones)
    today = root.findall(".//s:line[@class='today']", NS)
    assert len(today) == 1
    assert any("today 23 Nov" in (t.text or "") for t in root.iter(f"{{{NS['s']}}}text"))


def test_critical_path_links_join_consecutive_milestones_of_the_path(snap):
    root = ET.fromstring(svg(build(snap)))
    links = root.findall(".//s:path[@class='critical-link']", NS)
    path = snap.state.assessment.critical_path
    assert len(links) == len(path) - 1
    titles = [link.find("s:title", NS).text for link in links]
    assert titles == [f"critical path: {a} → {b}" for a, b in itertools.pairwise(path)]


def big_plan(n: int) -> Plan:
    """n milestones in 4 phases, each after the one before, a working day apart."""
    start = date(2026, 4, 1)
    phases = tuple(Phase(f"p{i}", f"Phase {i}") for i in range(4))
    milestones = tuple(
        Milestone(id=f"m{i}", title=f"Milestone {i}", owner="ana", due=start + timedelta(days=2 + i),
                  due_rule=DueRule(text="", absolute=start + timedelta(days=2 + i)),
                  depends_on=(f"m{i - 1}",) if i else (), phase=f"p{i * 4 // n}")
        for i in range(n))
    return Plan(id="big", title="Big", kind="programme", lead="ana", start=start,
                people={"ana": Person("ana", "Ana")}, milestones=milestones, phases=phases)


def test_large_plans_get_one_row_per_phase():
    plan = big_plan(MAX_ROWS * 5)
    now = datetime(2026, 6, 1, 9, tzinfo=UTC)
    report = build(Snapshot(PlanState(plan, assess(plan, {}, now), None, None)))
    root = ET.fromstring(svg(report))
    assert len(markers(root)) == len(plan.milestones)
    assert root.findall(".//s:path[@class='baseline']", NS) == []  # no per-milestone rows
    height = int(root.get("height"))
    assert height < 60 + 40 * (len(plan.phases) + 2)


def test_email_bars_are_weekly_cells_with_this_week_marked(snap):
    view = bars(build(snap))
    assert all(w.weekday() == 0 for w in view.weeks) and len(view.weeks) <= 20
    assert [r.label for r in view.rows] == [p.title for p in snap.plan.phases]
    for row in view.rows:
        assert len(row.cells) == len(view.weeks)
        assert sum(c.today for c in row.cells) == 1
    landing = sum(c.mark.count("◆") for r in view.rows for c in r.cells)
    assert 0 < landing <= len(snap.plan.milestones)


def test_digest_html_carries_the_bar_table_not_svg(snap):
    html = render_digest(snap).html
    assert "<svg" not in html and "bgcolor=" in html
    assert "this week" in html
