"""`programme chase`, `programme outbox` and `programme outbox retry` as an operator uses them,
on the shipped Commissioning Academy plan, with the local sink standing in for a mail server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from notifications.sink import read_sink
from programme.cli import app
from programme.config import data_dir

PLANS = Path(__file__).parents[2] / "plans"
runner = CliRunner()


@pytest.fixture(autouse=True)
def plans(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(PLANS / "commissioning-academy-100-day.yaml", folder)
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    monkeypatch.setenv("COLUMNS", "200")
    return folder


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_chase_needs_one_plan_or_all():
    code, output = cli("chase")
    assert code == 1 and "name one PLAN or give --all" in output


def test_chase_dry_run_lists_what_is_due_and_sends_nothing():
    code, output = cli("chase", "commissioning-academy-100-day", "--as-of", "2026-10-20", "--dry-run")
    assert code == 0, output
    assert "scope-agreed" in output and "escalate-manager" in output and "Martin Okafor" in output
    code, output = cli("outbox", "--json")
    assert json.loads(output) == []
    assert read_sink(data_dir() / "sink") == []


def test_chase_on_a_weekend_says_nothing_is_due():
    code, output = cli("chase", "--all", "--as-of", "2026-10-24", "--dry-run")
    assert code == 0 and "nothing new due now: Saturday 24 October is not a working day" in output


def test_chase_sends_through_the_local_sink_and_outbox_lists_targets_masked(monkeypatch):
    monkeypatch.setenv("PROGRAMME_DELIVERY", "sink")  # a fresh install: nothing leaves the machine
    code, output = cli("chase", "commissioning-academy-100-day", "--as-of", "2026-10-20")
    assert code == 0, output
    assert "6 due, 6 newly queued" in output
    assert "local sink" in output
    filed = read_sink(data_dir() / "sink")
    assert sorted(str(m["X-Programme-Target"]) for m in filed) == [
        "martin.okafor@example.gov.uk", "priya.shah@example.gov.uk", "tom.reid@example.gov.uk",
        "workflows://***"]
    code, output = cli("outbox", "--json")
    rows = json.loads(output)
    assert len(rows) == 6 and "ExampleSignature123" not in output
    assert all(r["state"] == "sent" for r in rows)
    code, output = cli("chase", "commissioning-academy-100-day", "--as-of", "2026-10-20")
    assert "6 due, 0 newly queued, 6 already queued or sent" in output
    assert len(read_sink(data_dir() / "sink")) == len(filed)


def test_a_bad_contact_fails_with_its_token_masked_and_retry_makes_it_due_again(plans, monkeypatch):
    monkeypatch.setenv("PROGRAMME_DELIVERY", "live")
    path = plans / "commissioning-academy-100-day.yaml"
    text = path.read_text()
    path.write_text(text.replace(text.split("      - workflows://")[1].split("\n")[0],
                                 "").replace("      - workflows://\n", "      - msteams://TokenA/TokenB/TokenC/\n"))
    code, output = cli("chase", "commissioning-academy-100-day", "--as-of", "2026-10-20")
    assert code == 0, output
    rows = json.loads(cli("outbox", "--json")[1])
    priya = [r for r in rows if r["recipient"] == "priya-shah"]
    assert priya and all(r["state"] == "failed" and r["last_error"] == "not a valid Apprise URL: "
                         "msteams://***" and r["delivered"] == ["priya.shah@example.gov.uk"]
                         for r in priya)
    code, output = cli("outbox", "--failed")
    assert code == 0 and "msteams://***" in output and "TokenA" not in output
    code, output = cli("outbox", "retry", "--no-send")
    assert code == 0 and f"{len(priya)} notification(s) due again" in output


def test_unknown_plan_is_one_clear_line():
    code, output = cli("chase", "no-such-plan")
    assert code == 1
    assert "unknown plan 'no-such-plan'" in output and "Traceback" not in output
