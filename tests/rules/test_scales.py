"""The three-point scale (the default) and the legacy five-point one, rule by rule, as the
README states them; and a plan that changes scale keeps its history readable."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from factory import GOOD_YAML, at, milestone, plan, write
from typer.testing import CliRunner

from programme.cli import app
from programme.rules.assess import assess
from programme.rules.model import CurrentStatus, Rating, Status
from programme.rules.rating import group_rating_three_point, milestone_rating
from programme.rules.scales import (
    DEFINITIONS,
    FIVE_POINT,
    THREE_POINT,
    definition,
    on_scale,
    parse_on,
)

G, AG, A, AR, R = (Rating.GREEN, Rating.AMBER_GREEN, Rating.AMBER, Rating.AMBER_RED, Rating.RED)


@pytest.mark.parametrize(("rule", "states", "days_to_due", "slip", "expected"), [
    ("done is Green", ("done",), -20, 5, G),
    ("dropped is not rated", ("dropped",), 3, 0, None),
    ("blocked and due within five working days is Red", ("blocked", "in progress"), 5, 0, R),
    ("blocked with time in hand is Red", ("blocked", "in progress"), 30, 0, R),
    ("three working days overdue is Red", ("overdue", "in progress"), -3, 3, R),
    ("up to two working days overdue is Amber", ("overdue", "in progress"), -2, 2, A),
    ("a forecast slip over ten working days is Red", ("at risk", "in progress"), 20, 11, R),
    ("a forecast slip of one to ten working days is Amber", ("at risk", "in progress"), 20, 1, A),
    ("a forecast slip of ten working days is Amber", ("slipped by dependency", "not started"),
     20, 10, A),
    ("due soon and not started is Amber", ("due soon", "not started"), 3, 0, A),
    ("due soon and in progress is Green", ("due soon", "in progress"), 3, 0, G),
    ("on track is Green", ("not started",), 30, 0, G),
])
def test_three_point_milestone_rating(rule, states, days_to_due, slip, expected):
    assert on_scale(milestone_rating(states, days_to_due, slip), THREE_POINT) == expected, rule


@pytest.mark.parametrize(("rule", "ratings", "end_slip", "critical", "expected"), [
    ("all Green is Green", [G] * 10, 0, [G], G),
    ("no milestones is Green", [], 0, [], G),
    ("an end more than 10 working days late is Red", [G] * 10, 11, [G], R),
    ("a Red milestone on the critical path is Red", [R] + [G] * 9, 0, [R], R),
    ("a quarter of milestones Red is Red", [R] * 3 + [G] * 9, 0, [], R),
    ("an end 10 working days late is Amber", [G] * 10, 10, [], A),
    ("an end one working day late is Amber", [G] * 10, 1, [], A),
    ("one Red milestone off the critical path is Amber", [R] + [G] * 9, 0, [G], A),
    ("a quarter Amber or worse is Amber", [A] * 3 + [G] * 9, 0, [], A),
    ("a few Amber milestones that move nothing is still Green", [A] * 2 + [G] * 9, 0, [A], G),
])
def test_three_point_phase_and_plan_rating(rule, ratings, end_slip, critical, expected):
    assert group_rating_three_point(ratings, end_slip, critical).rating == expected, rule


def test_a_three_point_rating_says_why_in_three_point_words():
    result = group_rating_three_point([R] * 3 + [G] * 9, 12, [R])
    assert result.rating == R
    assert result.reasons == ("the plan's end is forecast 12 working days late",
                              "a milestone on the critical path is Red",
                              "3 of 12 milestones are Red")


@pytest.mark.parametrize(("five", "three"), [(G, G), (AG, A), (A, A), (AR, R), (R, R)])
def test_a_five_point_value_reads_on_the_three_point_scale_never_better(five, three):
    assert on_scale(five, THREE_POINT) == three
    assert on_scale(five, FIVE_POINT) == five


def test_every_value_of_each_scale_has_its_published_definition():
    assert set(DEFINITIONS[THREE_POINT]) == {G, A, R}
    assert set(DEFINITIONS[FIVE_POINT]) == set(Rating)
    assert definition(R, THREE_POINT).startswith("Successful delivery of the project appears to be "
                                                 "unachievable.")
    assert "re-scoping" in definition(AR, THREE_POINT)  # Amber/Red folds to Red
    assert definition(AG, FIVE_POINT).startswith("Successful delivery appears probable")


def test_a_lead_rates_on_the_plans_scale_only():
    assert parse_on("amber", THREE_POINT) == A
    assert parse_on("A/G", FIVE_POINT) == AG
    with pytest.raises(ValueError, match="not on this plan's three-point scale"):
        parse_on("Amber/Green", THREE_POINT)


def _late_plan(scale: str):
    p = plan(milestone("a", date(2026, 11, 2)), milestone("b", date(2026, 11, 3)),
             milestone("c", date(2026, 12, 20)), phases=())
    return replace(p, rating_scale=scale)


def test_plans_are_rated_on_the_three_point_scale_by_default():
    p = plan(milestone("a", date(2026, 11, 2)), phases=())
    assert p.rating_scale == THREE_POINT
    a = assess(_late_plan(THREE_POINT), {"b": CurrentStatus(Status.IN_PROGRESS)},
               at(date(2026, 11, 5)))
    assert {v.rating for v in a.views()} <= {G, A, R}
    assert a.rating in (G, A, R)


def test_a_five_point_plan_keeps_the_legacy_values():
    a = assess(_late_plan(FIVE_POINT), {}, at(date(2026, 11, 5)))
    assert a.milestones["a"].rating == AR  # three working days overdue
    three = assess(_late_plan(THREE_POINT), {}, at(date(2026, 11, 5)))
    assert three.milestones["a"].rating == R


runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture
def plans(tmp_path, monkeypatch):
    folder = tmp_path / "plans"
    folder.mkdir()
    write(folder, "good-plan.yaml", GOOD_YAML)
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    monkeypatch.setenv("PROGRAMME_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    return folder


def test_rate_refuses_a_value_off_the_plans_scale_in_one_line(plans):
    code, output = cli("rate", "good-plan", "amber/green", "-c", "Supplier confirmed")
    assert code == 1
    assert "Amber/Green is not on this plan's three-point scale (Green, Amber, Red)" in output
    assert "Traceback" not in output


def test_a_plan_that_moves_to_three_points_reads_its_five_point_history(plans, monkeypatch):
    path = plans / "good-plan.yaml"
    path.write_text(path.read_text().replace("kind: programme", "kind: programme\n"
                                             "rating_scale: five-point"))
    monkeypatch.setenv("PROGRAMME_NOW", "2026-09-10T10:00+00:00")
    code, output = cli("rate", "good-plan", "amber/red", "-c", "DPIA late")
    assert code == 0, output
    assert "Amber/Red" in output
    path.write_text(path.read_text().replace("rating_scale: five-point", "rating_scale: three-point"))
    monkeypatch.setenv("PROGRAMME_NOW", "2026-09-11T10:00+00:00")
    import json

    code, output = cli("status", "good-plan", "--json")
    assert code == 0, output
    doc = json.loads(output)
    assert doc["lead_rating"]["rating"] == "Red"  # the stored Amber/Red, on the new scale
    assert doc["rating"] in ("Green", "Amber", "Red")
    assert doc["rating_scale"] == "three-point"
    assert doc["rating_definition"] == definition(Rating.parse(doc["rating"]), THREE_POINT)


def test_an_unknown_rating_scale_is_one_line_with_a_suggestion(plans):
    path = plans / "good-plan.yaml"
    path.write_text(path.read_text().replace("kind: programme", "kind: programme\n"
                                             "rating_scale: three-pont"))
    code, output = cli("validate", str(plans))
    assert code == 1
    assert "good-plan.yaml:4: unknown rating_scale 'three-pont' (did you mean 'three-point'?)" \
        in output


