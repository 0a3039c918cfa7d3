"""`programme report`, `programme digest` and `programme ical` as a user runs them: output on
stdout or in a file, the local sink for --send, one-line errors with exit code 1."""

from __future__ import annotations

import sys

import icalendar
import pytest
import report_scenario as scenario

from programme.cli import main
from programme.store import Store

PLAN = "commissioning-academy-100-day"


@pytest.fixture
def bare_home(tmp_path, monkeypatch):
    monkeypatch.setenv("PROGRAMME_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PROGRAMME_PLANS", str(scenario.DATA))
    monkeypatch.delenv("PROGRAMME_DATABASE_URL", raising=False)
    return tmp_path / "home"


@pytest.fixture
def home(bare_home):
    store = Store()
    scenario.record(store, scenario.load_plan())
    store.close()
    return bare_home


def run(capsys, monkeypatch, *args) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["programme", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out, err = capsys.readouterr()
    return code, out, err


def test_report_prints_markdown_as_of_a_date(home, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "report", PLAN, "--as-of", "2026-11-23")
    assert code == 0
    assert out.startswith("# Commissioning Academy 100-day plan")
    assert "Status report as of Mon 23 Nov 2026" in out


def test_report_writes_html_to_a_file(home, tmp_path, capsys, monkeypatch):
    target = tmp_path / "out" / "report.html"
    code, out, err = run(capsys, monkeypatch, "report", PLAN, "--format", "html", "--as-of",
                         "2026-11-23", "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert "wrote" in err


def test_digest_send_goes_through_the_outbox_once_per_reader_per_day(home, capsys, monkeypatch):
    from notifications.sink import read_sink, text_of

    code, out, _ = run(capsys, monkeypatch, "digest", PLAN, "--as-of", "2026-11-23", "--send")
    assert code == 0, out
    received = read_sink(home / "sink")
    assert received, "the digest reached the local sink"
    assert all(str(m["Subject"]).startswith("Commissioning Academy 100-day plan") for m in received)
    assert all("DONE THIS WEEK" in text_of(m) for m in received)
    code, out, _ = run(capsys, monkeypatch, "digest", PLAN, "--as-of", "2026-11-23", "--send")
    assert code == 0 and "already had today's" in out
    assert len(read_sink(home / "sink")) == len(received)


def test_portfolio_digest_covers_every_plan(home, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "digest", "--portfolio", "--as-of", "2026-11-23")
    assert code == 0
    assert out.startswith("Portfolio digest, Mon 23 Nov 2026")
    assert f"[{PLAN}]" in out


def test_ical_writes_a_calendar_file(home, tmp_path, capsys, monkeypatch):
    target = tmp_path / "plan.ics"
    code, _, _ = run(capsys, monkeypatch, "ical", PLAN, "-o", str(target))
    assert code == 0
    events = icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert len(events) == len(scenario.load_plan().milestones)


@pytest.mark.parametrize("args, message", [
    (("report", "comissioning-academy-100-day"), "unknown plan 'comissioning-academy-100-day'"),
    (("report", PLAN, "--format", "pdf"), "--format 'pdf': use md or html"),
    (("report", PLAN, "--as-of", "next tuesday"), "cannot read the date 'next tuesday'"),
    (("digest",), "give either a PLAN or --portfolio"),
    (("digest", PLAN, "--portfolio"), "give either a PLAN or --portfolio"),
    (("digest", PLAN, "--format", "pdf"), "--format 'pdf': use text, html or chat"),
    (("ical", "nope"), "unknown plan 'nope'"),
])
def test_mistakes_are_one_line_errors(bare_home, capsys, monkeypatch, args, message):
    code, out, err = run(capsys, monkeypatch, *args)
    assert code == 1
    assert message in " ".join(err.split())
    assert "Traceback" not in err + out


def test_broken_override_template_is_a_one_line_error(bare_home, tmp_path, capsys, monkeypatch):
    (tmp_path / "report.md.j2").write_text("{% if %}\n")
    monkeypatch.setenv("PROGRAMME_TEMPLATES", str(tmp_path))
    code, _, err = run(capsys, monkeypatch, "report", PLAN)
    assert code == 1
    assert "report.md.j2:1" in err and "Traceback" not in err


def test_digest_outbox_rows_are_one_per_subscriber_per_day(snap):
    from programme.reports import render_digest
    from programme.usecases.digest import digest_items

    digest = render_digest(snap)
    items = digest_items(snap.plan, digest, snap.state.assessment.today)
    assert [i.recipient for i in items] == list(snap.plan.subscribers)
    assert len({i.key for i in items}) == len(items)
    assert all(i.key.endswith(f"digest@2026-11-23/{i.recipient}") for i in items)
    board = items[-1]
    assert board.contacts == ("change.board@example.gov.uk",)
    assert board.payload["subject"] == digest.subject and board.payload["html"] == digest.html
