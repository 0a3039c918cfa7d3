"""One broken plan file never stops the others: every command about the portfolio serves the
plans that load, lists each broken file with its error (file:line) and exits 3 ("partial");
a command about one good plan does not even read the broken file. See the README's exit codes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from programme.cli import app

SHIPPED = Path(__file__).resolve().parents[1] / "plans"
GOOD = ("commissioning-academy-100-day", "council-website-redesign",
        "design-in-the-public-sector", "healthy-lifestyles-commissioning")
OK, ERROR, USAGE, PARTIAL = 0, 1, 2, 3


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner(env={"COLUMNS": "300"}).invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    plans = tmp_path / "plans"
    plans.mkdir()
    for name in GOOD:
        for source in SHIPPED.glob(f"{name}.*"):
            (plans / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (plans / "broken.yaml").write_text("id: broken\nid: twice\n", encoding="utf-8")
    (plans / "crashes.py").write_text("x = 1\nraise RuntimeError('boom')\n", encoding="utf-8")
    monkeypatch.setenv("PROGRAMME_PLANS", str(plans))
    monkeypatch.setenv("PROGRAMME_DELIVERY", "sink")  # the shipped plans' Teams URLs are examples
    return plans


def assert_broken_listed(err: str) -> None:
    assert "broken.yaml:2:" in err and "crashes.py:2: the plan file failed to run: RuntimeError: " \
        "boom" in err
    assert "partial: 2 plan files not loaded" in err


def test_portfolio_status_shows_the_good_plans_lists_the_broken_and_exits_partial(folder):
    code, out, err = cli("status")
    assert code == PARTIAL
    for plan_id in GOOD:
        assert plan_id in out
    assert_broken_listed(err)


def test_portfolio_status_as_json_names_the_files_not_loaded(folder):
    code, out, _ = cli("status", "--json")
    assert code == PARTIAL
    doc = json.loads(out)
    assert sorted(p["plan"] for p in doc["plans"]) == sorted(GOOD)
    assert {(Path(p["file"]).name, p["line"]) for p in doc["not_loaded"]} == {
        ("broken.yaml", 2), ("crashes.py", 2)}


@pytest.mark.parametrize("args", [["status", "design-in-the-public-sector"],
                                  ["status", "commissioning-academy-100-day"],
                                  ["report", "council-website-redesign"],
                                  ["ical", "healthy-lifestyles-commissioning"],
                                  ["digest", "commissioning-academy-100-day"],
                                  ["chase", "council-website-redesign", "--as-of", "2026-11-23"]])
def test_a_command_about_a_good_plan_is_untouched_by_a_broken_file(folder, args):
    code, _, err = cli(*args)
    assert code == OK, err
    assert "broken" not in err and "crashes" not in err


@pytest.mark.parametrize("args", [["chase", "--all", "--as-of", "2026-11-23"],
                                  ["digest", "--portfolio"], ["sync"]])
def test_every_portfolio_command_serves_the_good_plans_and_exits_partial(folder, args):
    code, out, err = cli(*args)
    assert code == PARTIAL, err
    assert_broken_listed(err)
    assert out.strip()


def test_the_broken_plan_asked_for_by_name_is_one_line_and_exit_1(folder):
    code, _, err = cli("status", "crashes")
    assert code == ERROR
    assert err.startswith("error: plan 'crashes' does not validate: plans/crashes.py:2:") or \
        "crashes.py:2: the plan file failed to run" in err
    assert len(err.strip().splitlines()) == 1


def test_no_plan_files_at_all_is_exit_2(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PROGRAMME_PLANS", str(tmp_path / "empty"))
    code, _, err = cli("status")
    assert code == USAGE and "no plan files in" in err
    monkeypatch.setenv("PROGRAMME_PLANS", str(tmp_path / "nowhere"))
    code, _, err = cli("status")
    assert code == USAGE and "no plans folder at" in err


def test_only_broken_plan_files_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    monkeypatch.setenv("PROGRAMME_PLANS", str(tmp_path))
    code, _, err = cli("status")
    assert code == ERROR and "none of the 1 plan files" in err and "broken.yaml:" in err
