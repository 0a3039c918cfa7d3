"""Forecasts, slip and the critical path."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from factory import at, milestone, plan
from hypothesis import given, settings
from hypothesis import strategies as st

from programme.rules.assess import assess
from programme.rules.forecast import OWNER_FORECAST, TODAY, forecast_all, lagged
from programme.rules.model import Calendar, CurrentStatus, Status
from programme.rules.workdays import working_calendar

CAL = working_calendar(Calendar())
MON = date(2026, 11, 2)


def test_an_open_milestone_on_time_is_forecast_on_its_due_date():
    p = plan(milestone("a", date(2026, 11, 20)))
    f = forecast_all(p, {}, MON, CAL)["a"]
    assert (f.forecast, f.slip, f.driver) == (date(2026, 11, 20), 0, None)


def test_the_owners_later_forecast_moves_the_milestone_and_counts_as_slip():
    p = plan(milestone("a", date(2026, 11, 20)))
    f = forecast_all(p, {"a": CurrentStatus(Status.IN_PROGRESS, forecast=date(2026, 11, 27))},
                     MON, CAL)["a"]
    assert (f.forecast, f.slip, f.driver) == (date(2026, 11, 27), 5, OWNER_FORECAST)


def test_an_overdue_open_milestone_cannot_land_before_today():
    p = plan(milestone("a", date(2026, 11, 20)))
    f = forecast_all(p, {}, date(2026, 11, 25), CAL)["a"]
    assert (f.forecast, f.slip, f.driver) == (date(2026, 11, 25), 3, TODAY)


def test_a_slipping_dependency_pushes_its_dependents_by_their_written_lag():
    p = plan(milestone("a", date(2026, 11, 20)),
             milestone("b", date(2026, 11, 27), after="a", lag=5))
    statuses = {"a": CurrentStatus(Status.IN_PROGRESS, forecast=date(2026, 12, 4))}
    f = forecast_all(p, statuses, MON, CAL)
    assert f["b"].forecast == date(2026, 12, 11)  # 5 working days after a's forecast
    assert (f["b"].slip, f["b"].driver) == (10, "a")


def test_a_plain_dependency_only_pushes_once_its_slack_is_used_up():
    p = plan(milestone("a", date(2026, 11, 20)), milestone("b", date(2026, 12, 4), "a"))
    small = forecast_all(p, {"a": CurrentStatus(forecast=date(2026, 11, 27))}, MON, CAL)
    assert small["b"].forecast == date(2026, 12, 4)
    big = forecast_all(p, {"a": CurrentStatus(forecast=date(2026, 12, 9))}, MON, CAL)
    assert (big["b"].forecast, big["b"].driver) == (date(2026, 12, 9), "a")


def test_a_done_milestone_is_fixed_on_the_day_it_was_done():
    p = plan(milestone("a", date(2026, 11, 20)), milestone("b", date(2026, 11, 27), "a"))
    f = forecast_all(p, {"a": CurrentStatus(Status.DONE, done_on=date(2026, 11, 24))},
                     date(2026, 11, 25), CAL)
    assert (f["a"].forecast, f["a"].slip) == (date(2026, 11, 24), 2)
    assert f["b"].forecast == date(2026, 11, 27)


def test_a_dropped_milestone_constrains_nothing():
    p = plan(milestone("a", date(2026, 11, 20)), milestone("b", date(2026, 11, 27), "a"))
    f = forecast_all(p, {"a": CurrentStatus(Status.DROPPED)}, date(2026, 12, 1), CAL)
    assert f["a"].forecast is None
    assert f["b"].driver == TODAY


def test_the_critical_path_follows_the_dependency_that_lands_latest():
    p = plan(milestone("a", date(2026, 11, 10)), milestone("b", date(2026, 11, 20)),
             milestone("c", date(2026, 12, 1), "a", "b"), milestone("side", date(2026, 11, 5)))
    assert assess(p, {}, at(MON)).critical_path == ("b", "c")
    slipped = assess(p, {"a": CurrentStatus(forecast=date(2026, 11, 25))}, at(MON))
    assert slipped.critical_path == ("a", "c")


# -- properties ------------------------------------------------------------------------------

@st.composite
def plans_with_statuses(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    start = date(2026, 9, 1)
    ms, statuses = [], {}
    for i in range(n):
        deps = draw(st.lists(st.integers(min_value=0, max_value=i - 1), max_size=3, unique=True)) \
            if i else []
        dep_ids = [f"m{d}" for d in deps]
        floor = max([ms[d].due for d in deps], default=start)
        due = floor + timedelta(days=draw(st.integers(min_value=0, max_value=40)))
        after = dep_ids[0] if dep_ids and draw(st.booleans()) else None
        lag = draw(st.integers(min_value=0, max_value=10)) if after else 0
        if after:
            due = max(due, CAL.add(ms[deps[0]].due, lag))
        ms.append(milestone(f"m{i}", due, *dep_ids, after=after, lag=lag))
        status = draw(st.sampled_from(list(Status)))
        forecast = due + timedelta(days=draw(st.integers(-10, 30))) if draw(st.booleans()) else None
        done_on = due + timedelta(days=draw(st.integers(-10, 10))) if status == Status.DONE else None
        statuses[f"m{i}"] = CurrentStatus(status, forecast=forecast, done_on=done_on)
    today = start + timedelta(days=draw(st.integers(min_value=0, max_value=200)))
    return plan(*ms), statuses, today


@settings(max_examples=150, deadline=None)
@given(plans_with_statuses())
def test_a_forecast_is_never_before_its_due_nor_before_any_predecessors_forecast(case):
    p, statuses, today = case
    forecasts = forecast_all(p, statuses, today, CAL)
    for m in p.milestones:
        f = forecasts[m.id].forecast
        status = statuses[m.id].status
        if status == Status.DROPPED:
            assert f is None
            continue
        if status == Status.DONE:
            assert f == statuses[m.id].done_on
            continue
        assert f >= m.due
        assert f >= today
        for dep in m.depends_on:
            dep_f = forecasts[dep].forecast
            if dep_f is not None:
                assert f >= lagged(CAL, m, dep, dep_f)
        assert forecasts[m.id].slip == max(0, CAL.between(m.due, f))


def test_the_forecast_refuses_a_plan_with_a_dependency_cycle():
    p = plan(milestone("a", date(2026, 11, 20), "b"), milestone("b", date(2026, 11, 27), "a"))
    with pytest.raises(ValueError, match="dependency cycle; validate it first"):
        forecast_all(p, {}, MON, CAL)
