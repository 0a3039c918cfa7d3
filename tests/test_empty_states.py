"""Empty and wrong states as an operator meets them: run from a folder with no plans (or an
empty one), `outbox --plan` for one plan or a plan that does not exist, --as-of written out,
a forecast taken back, a forecast outside the plan."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from factory import GOOD_YAML, write
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from programme.cli import app
from programme.usecases.workspace import parse_moment

runner = CliRunner()
SHIPPED = Path(__file__).parent.parent / "plans"

# Every command that reads plans, as an operator would first type it.
READS_PLANS = [
    ["info"], ["validate"], ["sync"], ["status"], ["status", "good-plan"],
    ["update", "good-plan", "needs-assessment", "--done"], ["baseline", "good-plan"],
    ["rate", "good-plan", "Green", "-c", "on track"], ["chase", "--all", "--dry-run"],
    ["chase", "good-plan", "--dry-run"], ["run", "--all", "--no-send"], ["run", "good-plan"],
    ["report", "good-plan"], ["digest", "good-plan"], ["digest", "--portfolio"],
    ["ical", "good-plan"], ["preview", "--all"], ["preview", "good-plan"],
    ["export", "--all"], ["export", "good-plan"], ["diff", "good-plan"],
    ["raid", "list", "good-plan"], ["token", "create", "--person", "ana"], ["web"], ["serve"],
    ["worker"],
]


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner(env={"COLUMNS": "250"}).invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture
def elsewhere(tmp_path, monkeypatch) -> Path:
    """A working folder with no plans/ in it, and no PROGRAMME_PLANS."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("PROGRAMME_PLANS", raising=False)
    return folder


@pytest.fixture
def plans(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "plans"
    folder.mkdir()
    write(folder, "good-plan.yaml", GOOD_YAML)
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    return folder


@pytest.mark.parametrize("args", READS_PLANS, ids=" ".join)
def test_no_plans_folder_exits_2_for_every_command(elsewhere, args):
    code, output = cli(*args)
    assert code == 2, output
    assert f"no plans folder at {elsewhere / 'plans'} (set PROGRAMME_PLANS or pass --plans)" \
        in output
    assert "Traceback" not in output


@pytest.mark.parametrize("args", [a for a in READS_PLANS if a[0] not in ("web", "serve", "worker")],
                         ids=" ".join)
def test_an_empty_plans_folder_exits_2_saying_there_are_no_plan_files(tmp_path, monkeypatch,
                                                                       args):
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "README.md").write_text("plans go here\n")
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    code, output = cli(*args)
    assert code == 2, output
    assert f"no plan files in {folder}" in output


def test_info_still_says_where_the_data_lives_without_a_plans_folder(elsewhere):
    code, output = cli("info")
    assert code == 2
    assert "data folder:" in output and "plan files:    none" in output


@pytest.fixture
def two_plans(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(SHIPPED / "commissioning-academy-100-day.yaml", folder)
    write(folder, "good-plan.yaml", GOOD_YAML)
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    monkeypatch.setenv("PROGRAMME_DELIVERY", "sink")  # nothing leaves the machine
    for plan in ("commissioning-academy-100-day", "good-plan"):
        code, output = cli("chase", plan, "--as-of", "2026-10-20")
        assert code == 0, output
    return folder


def outbox_rows(*args: str) -> list[dict]:
    code, output = cli("outbox", "--json", *args)
    assert code == 0, output
    return json.loads(output)


def test_outbox_plan_filters_totals(two_plans):
    every = outbox_rows()
    mine = [r for r in every if r["plan"] == "good-plan"]
    assert mine and len(mine) < len(every)  # both plans have something in the outbox
    code, output = cli("outbox", "--plan", "good-plan")
    assert code == 0, output
    assert output.splitlines()[0] == f"0 pending, 0 sending, {len(mine)} sent, 0 failed " \
                                     "(plan good-plan)"
    assert "commissioning-academy-100-day/" not in output
    code, output = cli("outbox")
    assert output.splitlines()[0] == f"0 pending, 0 sending, {len(every)} sent, 0 failed"


def test_outbox_refuses_an_unknown_plan_and_names_those_there_are(two_plans):
    code, output = cli("outbox", "--plan", "good-plna")
    assert code == 1
    assert "--plan: unknown plan 'good-plna' (did you mean 'good-plan'?); plans with an outbox: " \
        "commissioning-academy-100-day, good-plan" in output


@pytest.mark.parametrize("written", ["8 Jan 2027", "Friday 8 January 2027", "8th January 2027",
                                     "2027-01-08"])
def test_as_of_reads_written_dates(plans, written):
    code, output = cli("status", "good-plan", "--as-of", written)
    assert code == 0, output
    assert "as of Friday 8 January 2027" in output


def test_as_of_refuses_a_weekday_that_is_not_the_dates(plans):
    code, output = cli("status", "good-plan", "--as-of", "Monday 8 January 2027")
    assert code == 1
    assert "8 January 2027 is a Friday, not a Monday" in output


@settings(max_examples=50)
@given(st.dates(date(1990, 1, 1), date(2150, 12, 31)),
       st.sampled_from(["%-d %b %Y", "%A %-d %B %Y", "%a %-d %b %Y", "%-d %B %Y"]),
       st.sampled_from(["Europe/London", "UTC", "Atlantic/Stanley"]))
def test_as_of_and_forecast_read_a_date_the_same_way(day, form, tz):
    assert parse_moment(day.strftime(form), tz) == parse_moment(day.isoformat(), tz)


def owner_forecast(milestone: str) -> str | None:
    code, output = cli("status", "good-plan", "--json")
    assert code == 0, output
    return {m["id"]: m for m in json.loads(output)["milestones"]}[milestone]["owner_forecast"]


def test_forecast_none_clears_the_forecast(plans, monkeypatch):
    monkeypatch.setenv("PROGRAMME_NOW", "2026-10-01T10:00+00:00")
    code, output = cli("update", "good-plan", "market-engagement", "--forecast", "13 Nov 2026")
    assert code == 0, output
    assert owner_forecast("market-engagement") == "2026-11-13"
    monkeypatch.setenv("PROGRAMME_NOW", "2026-10-02T10:00+00:00")
    code, output = cli("update", "good-plan", "market-engagement", "--forecast", "none")
    assert code == 0, output
    assert "forecast cleared (due date stands)" in output
    assert owner_forecast("market-engagement") is None
    code, output = cli("status", "good-plan", "--json", "--as-of", "2026-10-01T12:00")
    doc = {m["id"]: m for m in json.loads(output)["milestones"]}
    assert doc["market-engagement"]["owner_forecast"] == "2026-11-13"  # history is kept
    monkeypatch.setenv("PROGRAMME_NOW", "2026-10-05T10:00+00:00")
    cli("update", "good-plan", "market-engagement", "--note", "venue booked")
    assert owner_forecast("market-engagement") is None  # a later note does not bring it back


def test_a_forecast_after_the_plan_ends_warns_and_is_recorded(plans, monkeypatch):
    write(plans, "good-plan.yaml", GOOD_YAML.replace("kind: programme",
                                                      "kind: programme\nend: 2026-12-18"))
    monkeypatch.setenv("PROGRAMME_NOW", "2026-10-01T10:00+00:00")
    code, output = cli("update", "good-plan", "market-engagement", "--forecast", "2027-01-15")
    assert code == 0, output
    assert "warning: the forecast 15 January 2027 is after the plan ends (18 December 2026)" \
        in output
    assert owner_forecast("market-engagement") == "2027-01-15"


def test_a_forecast_before_the_plan_starts_warns(plans, monkeypatch):
    monkeypatch.setenv("PROGRAMME_NOW", "2026-09-02T10:00+00:00")
    code, output = cli("update", "good-plan", "market-engagement", "--forecast", "2026-08-28")
    assert code == 0, output
    assert "warning: the forecast 28 August 2026 is before the plan starts (1 September 2026)" \
        in output
