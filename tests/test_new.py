"""`programme new ID --kind KIND`: a plan from a template of each kind, valid as written, that
`validate`, `status` and `preview` take as it is; and the mistakes (an unknown kind, a plan
that exists, an id that is not one)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from programme.cli import app
from programme.planfiles.newplan import kinds

runner = CliRunner()
KINDS = ("100-day-plan", "commissioning-cycle", "service-phases", "programme")


@pytest.fixture
def plans(tmp_path, monkeypatch):
    folder = tmp_path / "plans"
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    monkeypatch.setenv("COLUMNS", "200")
    return folder


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_every_kind_has_a_template():
    assert set(kinds()) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("start", ["2026-12-21", "2027-04-01"])  # across Christmas; Easter
def test_a_new_plan_of_each_kind_validates_clean_and_status_shows_it(plans, kind, start):
    code, output = cli("new", "our-plan", "--kind", kind, "--start", start,
                       "--title", "Day opportunities: recommissioning")
    assert code == 0, output
    assert "it validates as written" in output and "Fill in next:" in output
    assert "our-plan.yaml:" in output and "real names and contacts" in output
    code, output = cli("validate", str(plans / "our-plan.yaml"))
    assert code == 0 and "✓" in output and "our-plan" in output, output
    code, output = cli("status", "our-plan", "--json")
    assert code == 0, output
    doc = json.loads(output)
    assert doc["title"] == "Day opportunities: recommissioning" and doc["milestones"]
    code, output = cli("preview", "our-plan", "--from", start, "--until", "2027-06-30", "--json")
    assert code == 0 and json.loads(output), output


def test_a_new_plan_starts_next_monday_by_default(plans, monkeypatch):
    monkeypatch.setenv("PROGRAMME_NOW", "2026-12-02T10:00+00:00")  # a Wednesday
    code, output = cli("new", "our-plan", "--kind", "programme")
    assert code == 0 and "starting Mon 7 Dec 2026" in output, output


@pytest.mark.parametrize(("args", "message"), [
    (("new", "x", "--kind", "100-days"), "unknown kind '100-days' (did you mean '100-day-plan'?)"),
    (("new", "Our Plan", "--kind", "programme"), "'Our Plan' is not an id"),
    (("new", "x", "--kind", "programme", "--start", "soon"), "--start: 'soon' is not a date"),
])
def test_mistakes_are_one_line_and_write_nothing(plans, args, message):
    code, output = cli(*args)
    assert code == 1 and message in output and "Traceback" not in output
    assert not plans.exists() or not any(plans.iterdir())


def test_an_existing_plan_is_never_overwritten(plans):
    assert cli("new", "our-plan", "--kind", "programme")[0] == 0
    before = (plans / "our-plan.yaml").read_text()
    code, output = cli("new", "our-plan", "--kind", "service-phases")
    assert code == 1 and "already exists" in output
    assert (plans / "our-plan.yaml").read_text() == before
