"""The CLI as a lead uses it: status, check-ins, baselines, the lead's rating, info."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from factory import GOOD_YAML, write
from typer.testing import CliRunner

from programme.cli import app

runner = CliRunner()


@pytest.fixture
def plans(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "plans"
    folder.mkdir()
    write(folder, "good-plan.yaml", GOOD_YAML)
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: whole ids on one line
    return folder


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def status_json(*extra: str) -> dict:
    code, output = cli("status", "good-plan", "--json", *extra)
    assert code == 0, output
    return json.loads(output)


def test_status_shows_each_milestone_with_its_rating(plans):
    code, output = cli("status", "good-plan", "--as-of", "2026-09-18")
    assert code == 0, output
    assert "needs-assessment" in output and "overdue" in output
    assert "good-plan:" in output and "0/3 done" in output


def test_status_as_json_carries_the_derived_state(plans):
    doc = status_json("--as-of", "2026-09-18")
    ms = {m["id"]: m for m in doc["milestones"]}
    assert ms["needs-assessment"]["states"][0] == "overdue"
    assert ms["needs-assessment"]["working_days_to_due"] == -3
    assert ms["discovery-day"]["state"] == "slipped by dependency"
    assert doc["critical_path"][-1] == "market-engagement"


def test_a_check_in_changes_the_status_and_is_kept_in_history(plans):
    code, output = cli("update", "good-plan", "needs-assessment", "--done", "--by", "ana",
                       "--note", "signed off")
    assert code == 0, output
    assert "not started → done" in output
    ms = {m["id"]: m for m in status_json()["milestones"]}
    assert ms["needs-assessment"]["status"] == "done"
    code, output = cli("update", "good-plan", "discovery-day", "--blocked", "venue cancelled")
    assert code == 0
    ms = {m["id"]: m for m in status_json()["milestones"]}
    assert ms["discovery-day"]["blocked_reason"] == "venue cancelled"


def test_an_owners_forecast_date_is_recorded(plans):
    code, _ = cli("update", "good-plan", "market-engagement", "--forecast", "2027-01-15")
    assert code == 0
    ms = {m["id"]: m for m in status_json("--as-of", "2026-09-02")["milestones"]}
    assert ms["market-engagement"]["owner_forecast"] is None  # not known yet on 2 September
    ms = {m["id"]: m for m in status_json()["milestones"]}
    assert ms["market-engagement"]["owner_forecast"] == "2027-01-15"


@pytest.mark.parametrize(("args", "message"), [
    (("status", "good-plna"), "unknown plan 'good-plna' (did you mean 'good-plan'?)"),
    (("update", "good-plan", "discovery-dya", "--done"),
     "unknown milestone 'discovery-dya' in plan 'good-plan' (did you mean 'discovery-day'?)"),
    (("update", "good-plan", "discovery-day"), "say what changed"),
    (("update", "good-plan", "discovery-day", "--done", "--in-progress"), "choose one of"),
    (("update", "good-plan", "discovery-day", "--forecast", "soon"), "--forecast: 'soon' is not a date"),
    (("update", "good-plan", "discovery-day", "--done", "--by", "anna"),
     "--by 'anna' is not a person in plan 'good-plan' (did you mean 'ana'?)"),
    (("rate", "good-plan", "purple", "-c", "x"), "unknown rating 'purple'"),
    (("status", "good-plan", "--as-of", "next week"), "cannot read the date 'next week'"),
])
def test_mistakes_on_the_command_line_are_one_clear_line(plans, args, message):
    code, output = cli(*args)
    assert code == 1
    assert message in output
    assert "Traceback" not in output


def test_the_leads_rating_is_shown_beside_the_computed_one(plans):
    code, output = cli("rate", "good-plan", "amber", "-c", "Supplier confirmed", "--by", "cara")
    assert code == 0, output
    assert status_json("--as-of", "2026-09-18")["lead_rating"] is None  # not given back then
    doc = status_json()
    assert doc["lead_rating"]["rating"] == "Amber"
    assert doc["lead_rating"]["commentary"] == "Supplier confirmed"
    assert doc["rating"] != doc["lead_rating"]["rating"]  # the computed one is not overridden


def test_a_new_baseline_is_taken_on_request(plans):
    assert cli("sync")[0] == 0
    code, output = cli("baseline", "good-plan", "--note", "re-plan after discovery")
    assert code == 0 and "baseline 2 taken" in output


def test_a_plan_edited_after_check_ins_keeps_them(plans):
    cli("update", "good-plan", "needs-assessment", "--done")
    write(plans, "good-plan.yaml", GOOD_YAML.replace("title: Market engagement", "title: Market day"))
    code, output = cli("sync")
    assert code == 0 and "1 changed" in output
    ms = {m["id"]: m for m in status_json()["milestones"]}
    assert ms["needs-assessment"]["status"] == "done"
    assert ms["market-engagement"]["title"] == "Market day"


def test_info_says_where_the_data_lives(plans, tmp_path):
    code, output = cli("info")
    assert code == 0
    assert str(tmp_path / "home") in output
    assert "plan files:    1 (1 valid)" in output


def test_info_never_shows_a_database_password(plans, monkeypatch):
    monkeypatch.setenv("PROGRAMME_DATABASE_URL", "postgresql+psycopg://app:s3cret@127.0.0.1:1/none")
    _, output = cli("info")
    assert "s3cret" not in output
    assert "app:***@" in output or "cannot open the database" in output


def test_status_does_not_import_prefect(plans):
    code = ("import sys, runpy; sys.argv=['programme','status','good-plan'];\n"
            "from programme.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "assert 'prefect' not in sys.modules, 'prefect imported'\nprint('clean')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**os.environ})
    assert result.returncode == 0, result.stderr
    assert "clean" in result.stdout


def test_without_a_prefect_server_a_check_in_follows_up_in_process_once(plans):
    code, output = cli("update", "good-plan", "needs-assessment", "--done", "--by", "ana")
    assert code == 0, output
    assert "Bob Khan can now start Discovery day." in output
    code, output = cli("outbox", "--json")
    rows = json.loads(output)
    can_start = [r for r in rows if r["step"] == "can-start"]
    assert [(r["recipient"], r["milestone"]) for r in can_start] == [("bob", "discovery-day")]
    code, output = cli("update", "good-plan", "needs-assessment", "--done", "--by", "ana")
    rows_again = json.loads(cli("outbox", "--json")[1])
    assert len([r for r in rows_again if r["step"] == "can-start"]) == 1  # told once


def test_info_says_messages_go_to_the_sink_and_why_and_where_the_sink_is(plans, tmp_path, monkeypatch):
    monkeypatch.delenv("PROGRAMME_DELIVERY")  # a fresh install: no choice made, no mail server
    code, output = cli("info")
    assert code == 0, output
    assert "delivery:      sink (PROGRAMME_SMTP_URL not set)" in output
    assert "smtp server:   none (PROGRAMME_SMTP_URL not set)" in output
    assert f"sink folder:   {tmp_path / 'home' / 'sink'}" in output
    assert "prefect api:   none set: `programme run` starts a temporary server per run" in output


def test_info_says_live_and_why_with_the_smtp_server_masked_and_the_prefect_api(plans, monkeypatch):
    monkeypatch.delenv("PROGRAMME_DELIVERY")
    monkeypatch.setenv("PROGRAMME_SMTP_URL", "mailtos://relay:s3cret@smtp.example.gov.uk:587"
                       "?from=programme@example.gov.uk&user=relay&pass=s3cret")
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect.example.gov.uk:4300/api")
    code, output = cli("info")
    assert code == 0, output
    assert "delivery:      live (PROGRAMME_SMTP_URL is set)" in output
    assert "smtp.example.gov.uk:587" in output and "s3cret" not in output
    assert "prefect api:   http://prefect.example.gov.uk:4300/api (PREFECT_API_URL)" in output
    monkeypatch.setenv("PROGRAMME_DELIVERY", "sink")
    assert "delivery:      sink (PROGRAMME_DELIVERY=sink)" in cli("info")[1]


@pytest.mark.parametrize(("setting", "value", "says"), [
    ("PROGRAMME_HEARTBEAT_SECONDS", "20", "PROGRAMME_HEARTBEAT_SECONDS is 20"),
    ("PROGRAMME_SILENCE_SECONDS", "5", "PROGRAMME_SILENCE_SECONDS is 5: it must be 10 or more"),
    ("PROGRAMME_START_TIMEOUT_SECONDS", "3", "PROGRAMME_START_TIMEOUT_SECONDS is 3"),
    ("PROGRAMME_SILENCE_SECONDS", "60", "PROGRAMME_SILENCE_SECONDS is 60: it must be more than "
     "PROGRAMME_HEARTBEAT_SECONDS (60)"),
])
def test_deploy_refuses_recovery_thresholds_prefect_would_reject(plans, monkeypatch, setting,
                                                                 value, says):
    # Refused before any call to the server: nothing is half-deployed.
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv(setting, value)
    code, output = cli("deploy")
    assert code == 1, output
    assert says in output
    assert "Traceback" not in output
