"""`programme preview` as a lead uses it, and what `chase` says when nothing is due now, on the
shipped Commissioning Academy plan."""

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
PLAN = "commissioning-academy-100-day"
runner = CliRunner()


@pytest.fixture(autouse=True)
def plans(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(PLANS / f"{PLAN}.yaml", folder)
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("PROGRAMME_DELIVERY", "sink")
    return folder


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def preview_json(*args: str) -> list[dict]:
    code, output = cli("preview", PLAN, "--json", *args)
    assert code == 0, output
    return json.loads(output)


def test_preview_lists_each_notification_by_day_and_person_in_plan_time():
    code, output = cli("preview", PLAN, "--from", "2026-10-05", "--until", "2026-10-09")
    assert code == 0, output
    assert "Monday 5 October 2026" in output and "Friday 9 October 2026" in output
    assert "08:30 BST  Priya Shah" in output
    assert "reminder-5" in output and "due-day" in output and "scope-agreed" in output
    assert "nobody answering" in output


def test_preview_json_has_one_record_per_notification_with_contacts_masked():
    records = preview_json("--from", "2026-10-19", "--until", "2026-10-30")
    assert records and len({r["key"] for r in records}) == len(records)
    priya = next(r for r in records if r["recipient"] == "priya-shah")
    assert priya["recipient_name"] == "Priya Shah" and priya["timezone"] == "Europe/London"
    assert "priya.shah@example.gov.uk" in priya["contacts"]
    assert "workflows://***" in priya["contacts"]
    assert "ExampleSignature123" not in json.dumps(records)  # a Teams webhook's token
    # the clock goes back on Sunday 25 October: 08:30 is 08:30 on both sides, the offset moves
    offsets = {r["day"]: r["at"][-6:] for r in records}
    assert offsets["2026-10-23"] == "+01:00" and offsets["2026-10-26"] == "+00:00"
    assert {r["time"] for r in records} == {"08:30"}


def test_preview_sends_and_records_nothing():
    preview_json("--from", "2026-10-19", "--until", "2026-10-30")
    code, output = cli("outbox", "--json")
    assert code == 0 and json.loads(output) == []
    assert read_sink(data_dir() / "sink") == []


def test_preview_leaves_out_what_the_chase_already_sent():
    before = {r["key"] for r in preview_json("--from", "2026-10-20T08:00", "--until", "2026-10-21")}
    code, output = cli("chase", PLAN, "--as-of", "2026-10-20T10:00")
    assert code == 0, output
    after = {r["key"] for r in preview_json("--from", "2026-10-20T08:00", "--until", "2026-10-21")}
    sent = {r["key"] for r in json.loads(cli("outbox", "--json")[1])}
    assert sent and sent <= before and after == before - sent


def test_assume_on_time_stops_the_chasing_and_tells_the_next_owners_they_can_start():
    nobody = {r["step"] for r in preview_json("--from", "2026-10-19", "--until", "2026-11-20")}
    on_time = preview_json("--from", "2026-10-19", "--until", "2026-11-20", "--assume-on-time")
    assert any(s.startswith("chase-") for s in nobody)
    assert "can-start" in {r["step"] for r in on_time}
    # chased only for what was already late on 19 October: the rest is done on its due day
    assert {r["due"] < "2026-10-19" for r in on_time  # milestones only: RAID items are not assumed
            if r["step"].startswith("chase-") and ":" not in r["milestone"]} == {True}
    assert any(r["follow_up"] for r in on_time)


@pytest.mark.parametrize(("args", "message"), [
    ((), "name one PLAN or give --all"),
    ((PLAN, "--from", "2026-11-02", "--until", "2026-10-30"), "--until 30 Oct 2026 is before"),
    ((PLAN, "--until", "next week"), "--until: 'next week' is not a date"),
    (("no-such-plan",), "unknown plan 'no-such-plan'"),
])
def test_preview_mistakes_are_one_line(args, message):
    code, output = cli("preview", *args)
    assert code == 1 and message in output and "Traceback" not in output


def test_a_dry_run_on_a_saturday_says_so_and_when_the_next_window_is():
    code, output = cli("chase", PLAN, "--as-of", "2026-10-24", "--dry-run")
    assert code == 0, output
    assert "Saturday 24 October is not a working day" in output
    code, listed = cli("preview", PLAN, "--from", "2026-10-24T12:00", "--until", "2026-10-26",
                       "--json")
    monday = [r for r in json.loads(listed) if r["day"] == "2026-10-26" and r["time"] == "08:30"]
    people = len({r["recipient"] for r in monday})
    assert monday and f"Next window Mon 26 Oct 08:30: {len(monday)} notifications to {people} people" \
        in output  # what the dry run promises is what the preview lists
    assert f"`programme preview {PLAN} --from 2026-10-24T12:00 --until 2026-10-26`" in output


def test_a_chase_at_night_says_it_is_outside_the_window_and_what_the_morning_brings():
    code, output = cli("chase", PLAN, "--as-of", "2026-12-03T00:36")
    assert code == 0, output
    assert "Outside the sending window (08:30–17:00 Europe/London)" in output
    assert "Next window Thu 3 Dec 08:30:" in output and "--until 2026-12-03" in output
    # ... and that is what the preview then lists, and what the chase at 08:30 sends
    records = preview_json("--from", "2026-12-03T00:36", "--until", "2026-12-03")
    count = int(output.split("Next window Thu 3 Dec 08:30: ")[1].split(" notification")[0])
    assert len(records) == count
    code, _ = cli("chase", PLAN, "--as-of", "2026-12-03T08:30")
    assert {r["key"] for r in json.loads(cli("outbox", "--json")[1])} == {r["key"] for r in records}


def test_a_chase_on_christmas_day_names_the_bank_holiday_and_waits_for_january():
    code, output = cli("chase", PLAN, "--as-of", "2026-12-25")
    assert code == 0, output
    assert "Friday 25 December is a bank holiday (Christmas Day)" in output
    assert "Next window Mon 4 Jan 08:30" in output


def test_a_second_chase_the_same_morning_says_everything_due_has_been_sent():
    cli("chase", PLAN, "--as-of", "2026-10-20T09:00")
    code, output = cli("chase", PLAN, "--as-of", "2026-10-20T10:00")
    assert code == 0 and "Everything due now has already been sent" in output
    assert "Next window Wed 21 Oct 08:30" in output
