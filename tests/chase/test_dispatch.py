"""End to end through real channels: policy -> outbox -> Apprise -> a real SMTP server or a real
HTTP server on 127.0.0.1. The store runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pendulum
import pytest
from factory import PEOPLE, make_plan, ms

from notifications.apprise_dispatch import AppriseDispatcher
from notifications.sink import read_sink, text_of
from programme.config import data_dir
from programme.rules.model import Person
from programme.store import Store
from programme.store.outbox import PENDING, SENT, Outbox
from programme.usecases.chase import dispatch_pending, queue_due, run_chase
from programme.usecases.workspace import Workspace

NOW = pendulum.datetime(2026, 8, 19, 10, tz="Europe/London")  # Wed: m is 3 working days overdue


@pytest.fixture
def ws(store_url, tmp_path) -> Workspace:
    workspace = Workspace(Store(store_url), tmp_path)
    yield workspace
    workspace.store.close()


def plan_with(**contacts) -> object:
    people = {pid: replace(p, contacts=contacts.get(pid, p.contacts)) for pid, p in PEOPLE.items()}
    return make_plan(ms("report", date(2026, 8, 14), title="Needs report"),
                     ms("survey", date(2026, 8, 20), title="Provider survey"),
                     ms("options", date(2026, 9, 1), owner="bo", depends_on=("report",),
                        title="Options appraisal"),
                     people=people)


def test_email_reaches_a_real_smtp_server_through_apprise_mailto(ws, smtp):
    result = run_chase(ws, plan_with(), NOW, AppriseDispatcher(smtp_url=smtp.url))
    assert (result.queued, result.sent, result.failed) == (3, 3, 0)
    got = {r.rcpt: r for r in smtp.take()}
    assert set(got) == {("ana@example.gov.uk",), ("bo@example.gov.uk",)}
    ana = got[("ana@example.gov.uk",)]
    assert ana.subject == "2 milestones need you (Chase test plan)"
    assert ana.message["From"].addresses[0].addr_spec == "chaser@example.gov.uk"
    text, html = ana.body("plain"), ana.body("html")
    for body in (text, re.sub(r"<[^>]+>", "", html)):  # the HTML as it reads
        assert "Overdue: Needs report" in body
        assert "due Friday 14 August, 3 working days overdue" in body
        assert "Reminder: Provider survey" in body and "due Thursday 20 August, in 1 working day" in body
        assert "Options appraisal (Bo Khan" in body  # who else is waiting
        assert "Check in" in body
    assert "http://127.0.0.1:8765/c/p/report/" in text  # her own check-in link
    assert html.lstrip().startswith("<!doctype html>")
    bo = got[("bo@example.gov.uk",)]
    assert bo.subject.startswith("Escalated to you: Needs report")
    assert "you are told as their manager" in bo.body("plain")
    assert "Answer for Ana Lee (recorded as you): http://127.0.0.1:8765/c/p/report/" in " ".join(
        bo.body("plain").split())


def test_webhook_receives_the_short_chat_form_through_json(ws, webhook):
    hook = f"json://127.0.0.1:{webhook.port}/chase"
    result = run_chase(ws, plan_with(ana=(hook,), bo=(f"{hook}-bo",)), NOW, AppriseDispatcher(smtp_url=""))
    assert result.failed == 0
    by_path = {p["path"]: p["json"] for p in webhook.posts}
    assert set(by_path) == {"/chase", "/chase-bo"}
    ana = by_path["/chase"]
    assert ana["title"] == "2 milestones need you (Chase test plan)"
    lines = ana["message"].splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Overdue: Needs report, due Friday 14 August, 3 working days overdue.")
    assert "Check in: http://127.0.0.1:8765/c/p/report/" in lines[0]


def test_smtp_down_keeps_notifications_pending_with_an_error_then_each_is_delivered_once(ws, smtp):
    plan = plan_with()
    smtp.stop()
    down = run_chase(ws, plan, NOW, AppriseDispatcher(smtp_url=smtp.url))
    assert (down.queued, down.sent, down.failed) == (3, 0, 3)
    rows = Outbox(ws.store).rows()
    assert {r.state for r in rows} == {PENDING}
    assert all("127.0.0.1" in r.last_error and r.attempts == 1 for r in rows)
    smtp.start()
    assert dispatch_pending(ws, AppriseDispatcher(smtp_url=smtp.url), NOW).sent == 0  # backing off
    later = NOW + timedelta(minutes=1)
    back = run_chase(ws, plan, later, AppriseDispatcher(smtp_url=smtp.url))
    assert (back.queued, back.skipped, back.sent) == (0, 3, 3)
    again = run_chase(ws, plan, later + timedelta(hours=1), AppriseDispatcher(smtp_url=smtp.url))
    assert (again.queued, again.sent) == (0, 0)
    assert sorted(r.rcpt[0] for r in smtp.take()) == ["ana@example.gov.uk", "bo@example.gov.uk"]
    assert {r.state for r in Outbox(ws.store).rows()} == {SENT}


def test_bare_emails_go_to_the_local_sink_when_no_smtp_url_is_set(ws):
    dispatcher = AppriseDispatcher()
    assert dispatcher.sink_dir == data_dir() / "sink"
    result = run_chase(ws, plan_with(), NOW, dispatcher)
    assert result.sent == 3
    filed = read_sink(dispatcher.sink_dir)
    assert sorted(str(m["To"]) for m in filed) == ["ana@example.gov.uk", "bo@example.gov.uk"]
    ana = next(m for m in filed if str(m["To"]) == "ana@example.gov.uk")
    assert ana["Subject"] == "2 milestones need you (Chase test plan)"
    assert "Overdue: Needs report" in text_of(ana)


def test_an_apprise_config_file_with_tags_reaches_the_tagged_team_only(ws, webhook, tmp_path: Path):
    config = tmp_path / "teams.yml"
    config.write_text(f"""
urls:
  - json://127.0.0.1:{webhook.port}/commissioning:
      tag: commissioning
  - json://127.0.0.1:{webhook.port}/finance:
      tag: finance
""")
    result = run_chase(ws, plan_with(ana=(f"config:{config}#commissioning",)), NOW,
                       AppriseDispatcher(smtp_url=""))
    assert result.failed == 0
    assert [p["path"] for p in webhook.posts] == ["/commissioning"]


def test_one_message_per_recipient_per_run_however_many_items(ws, smtp):
    plan = make_plan(*(ms(f"m{i}", date(2026, 8, 14)) for i in range(6)))
    result = run_chase(ws, plan, NOW, AppriseDispatcher(smtp_url=smtp.url))
    assert (result.sent, result.messages) == (12, 2)  # 6 chases to Ana, 6 escalations to Bo
    got = smtp.take()
    assert sorted(r.rcpt[0] for r in got) == ["ana@example.gov.uk", "bo@example.gov.uk"]
    assert all(r.body("plain").count("Ref:") == 6 for r in got)


def test_a_contact_that_is_not_an_apprise_url_fails_at_once_with_its_secret_masked(ws):
    people = {**PEOPLE, "ana": Person("ana", "Ana", ("msteams://not/a/valid/webhook/SECRET",), "bo")}
    plan = make_plan(ms("report", date(2026, 8, 20)), people=people)
    result = run_chase(ws, plan, NOW, AppriseDispatcher(smtp_url=""))
    assert result.failed == 1
    [row] = Outbox(ws.store).rows()
    assert row.state == "failed"
    assert row.last_error == "not a valid Apprise URL: msteams://***"
    assert "SECRET" not in " ".join(result.errors)


def test_queue_then_dispatch_are_separate_steps(ws, smtp):
    plan = plan_with()
    queued = queue_due(ws, plan, NOW)
    assert (queued.queued, queued.sent) == (3, 0)
    assert smtp.take() == []
    sent = dispatch_pending(ws, AppriseDispatcher(smtp_url=smtp.url), NOW, concurrency=1)
    assert (sent.sent, sent.messages) == (3, 2)


def test_a_retry_after_an_outage_still_waits_for_the_sending_window(ws, smtp):
    plan = plan_with()
    smtp.stop()
    assert run_chase(ws, plan, NOW, AppriseDispatcher(smtp_url=smtp.url)).failed == 3
    smtp.start()
    evening = pendulum.datetime(2026, 8, 19, 17, 30, tz="Europe/London")
    quiet = dispatch_pending(ws, AppriseDispatcher(smtp_url=smtp.url), evening)
    assert (quiet.sent, quiet.messages) == (0, 0) and smtp.take() == []
    rows = Outbox(ws.store).rows()
    assert {(r.state, r.attempts) for r in rows} == {(PENDING, 1)}
    assert {r.next_attempt_at for r in rows} == {pendulum.datetime(2026, 8, 20, 9, tz="Europe/London")}
    morning = pendulum.datetime(2026, 8, 20, 9, 0, tz="Europe/London")
    assert dispatch_pending(ws, AppriseDispatcher(smtp_url=smtp.url), morning).sent == 3
    assert len(smtp.take()) == 2


def test_a_broken_chat_template_holds_back_only_the_messages_that_need_it(ws, smtp, webhook,
                                                                           tmp_path, monkeypatch):
    """Each message renders only the bodies its targets need, all before anything is sent: a
    broken chat template stops Ana's message (email and webhook) before either is sent, and
    Bo's email-only message goes out."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "chat.txt").write_text("{{ no_such_fact }}\n")
    monkeypatch.setenv("PROGRAMME_TEMPLATES", str(templates))
    hook = f"json://127.0.0.1:{webhook.port}/ana"
    plan = plan_with(ana=("ana@example.gov.uk", hook))
    result = run_chase(ws, plan, NOW, AppriseDispatcher(smtp_url=smtp.url))
    received = {r for got in smtp.take() for r in got.rcpt}
    assert "bo@example.gov.uk" in received and "ana@example.gov.uk" not in received
    assert webhook.posts == []
    ana_rows = [r for r in Outbox(ws.store).rows() if r.recipient == "ana"]
    assert ana_rows and all(r.state == PENDING and r.delivered == () for r in ana_rows)
    assert all("no_such_fact" in (r.last_error or "") for r in ana_rows)
    assert result.failed == len(ana_rows) and result.sent > 0


def test_a_team_config_shared_by_several_recipients_gets_each_message_once(ws, webhook,
                                                                          tmp_path: Path):
    """One dispatcher, 8 threads, every recipient sending through the same parsed config."""
    config = tmp_path / "team.yml"
    config.write_text(f"urls:\n  - json://127.0.0.1:{webhook.port}/team:\n      tag: team\n")
    team = (f"config:{config}#team",)
    people = {pid: replace(p, contacts=team) for pid, p in PEOPLE.items()}
    plan = make_plan(*(ms(f"{pid}-report", date(2026, 8, 14), owner=pid) for pid in people),
                     people=people)
    dispatcher = AppriseDispatcher(smtp_url="")
    first = run_chase(ws, plan, NOW, dispatcher, concurrency=8)
    assert first.failed == 0 and first.messages == len(people)
    assert len(webhook.posts) == first.messages
    later = run_chase(ws, plan, NOW.add(days=2), dispatcher, concurrency=8)  # parsed config reused
    assert later.failed == 0 and later.messages >= 1
    assert len(webhook.posts) == first.messages + later.messages
