"""No secret at rest, and duplicates made harmless: the outbox keeps the person and masked
contacts and reads the real contact from the live plan when it sends; `config:PATH#TAG`
contacts send to the tagged services of a real Apprise config file; each email has one stable
Message-ID per message and each webhook an Idempotency-Key, the same on a resend."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pendulum
import pytest
from factory import PEOPLE, make_plan, ms
from sqlalchemy import text
from typer.testing import CliRunner

from notifications.apprise_dispatch import IDEMPOTENCY_HEADER, AppriseDispatcher
from programme.cli import app
from programme.store import Store
from programme.store.outbox import FAILED, SENT, Outbox
from programme.usecases.chase import dispatch_pending, queue_due, run_chase
from programme.usecases.dispatch import Message
from programme.usecases.workspace import Workspace

NOW = pendulum.datetime(2026, 8, 19, 10, tz="Europe/London")
SECRET = "XyZ-s3cret-T0KEN"


def plan_with(**contacts):
    people = {pid: replace(p, contacts=contacts.get(pid, p.contacts)) for pid, p in PEOPLE.items()}
    return make_plan(ms("report", date(2026, 8, 14), title="Needs report"), people=people)


@pytest.fixture
def ws(store_url, tmp_path) -> Workspace:
    workspace = Workspace(Store(store_url), tmp_path)
    yield workspace
    workspace.store.close()


def outbox_text(store: Store) -> str:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT key, recipient, contacts, delivered, payload, last_error "
                                 "FROM outbox")).all()
    return repr(rows)


def test_the_outbox_keeps_the_person_and_masked_contacts_never_a_token(ws, webhook):
    hook = f"json://127.0.0.1:{webhook.port}/hook/{SECRET}"
    plan = plan_with(ana=("ana@example.gov.uk", hook, f"slack://T0AAA/B0BBB/{SECRET}"))
    queue_due(ws, plan, NOW)
    stored = outbox_text(ws.store)
    assert "'ana'" in stored and "ana@example.gov.uk" in stored
    assert "slack://***" in stored and f"json://127.0.0.1:{webhook.port}/***" in stored
    assert SECRET not in stored


def test_the_real_contact_is_read_from_the_live_plan_when_it_is_sent(ws, smtp, webhook, store_url,
                                                                    tmp_path):
    queue_due(ws, plan_with(ana=("ana@example.gov.uk",)), NOW)
    later = Workspace(Store(store_url), tmp_path)  # another process, the plan edited meanwhile
    later.ensure_synced(plan_with(ana=(f"json://127.0.0.1:{webhook.port}/ana-now",)), NOW)
    result = dispatch_pending(later, AppriseDispatcher(smtp_url=smtp.url), NOW)
    assert result.sent == 2 and result.failed == 0  # ana's chase, bo's escalation
    assert [p["path"] for p in webhook.posts] == ["/ana-now"]
    assert [r.rcpt for r in smtp.take()] == [("bo@example.gov.uk",)]
    assert SECRET not in outbox_text(ws.store)


def test_a_pending_item_whose_contact_has_gone_fails_with_a_clear_error(ws, smtp, store_url,
                                                                       tmp_path):
    queue_due(ws, plan_with(), NOW)
    later = Workspace(Store(store_url), tmp_path)
    people = {pid: p for pid, p in PEOPLE.items() if pid != "ana"}
    later.ensure_synced(make_plan(ms("report", date(2026, 8, 14), owner="bo"), people=people), NOW)
    result = dispatch_pending(later, AppriseDispatcher(smtp_url=smtp.url), NOW)
    rows = {r.recipient: r for r in Outbox(ws.store).rows()}
    assert rows["ana"].state == FAILED
    assert rows["ana"].last_error == ("ana is no longer in plan 'p': the contact this was "
                                      "queued for (ana@example.gov.uk) has gone")
    assert any("ana is no longer in plan 'p'" in e for e in result.errors)
    assert rows["bo"].state == SENT


APPRISE_CONFIG = """
urls:
  - json://127.0.0.1:{port}/team-hook:
      tag: commissioning
  - {smtp}&to=team@example.gov.uk:
      tag: commissioning
  - json://127.0.0.1:{port}/finance-hook:
      tag: finance
"""


def test_config_contacts_send_to_the_services_with_their_tags(ws, smtp, webhook, tmp_path):
    config = tmp_path / "teams.yml"
    config.write_text(APPRISE_CONFIG.format(port=webhook.port, smtp=smtp.url), encoding="utf-8")
    plan = plan_with(ana=(f"config:{config}#commissioning",))
    result = run_chase(ws, plan, NOW, AppriseDispatcher(smtp_url=smtp.url))
    assert result.failed == 0 and result.sent == 2
    assert [p["path"] for p in webhook.posts] == ["/team-hook"]
    rcpts = sorted(r.rcpt for r in smtp.take())
    assert rcpts == [("bo@example.gov.uk",), ("team@example.gov.uk",)]


def test_validate_accepts_config_contacts_and_masks_a_mistyped_url(tmp_path):
    plan = tmp_path / "p.yaml"
    plan.write_text(f"""
id: p
title: P
lead: ana
start: 2026-09-01
people:
  ana: {{name: Ana, contacts: ["config:/etc/programme/teams.yml#commissioning"]}}
  bo: {{name: Bo, contacts: ["slack:/T0AAAAAA/B0BBBBBB/{SECRET}"]}}
milestones:
  - {{id: m, title: M, owner: ana, due: +5 working days}}
""", encoding="utf-8")
    result = CliRunner(env={"COLUMNS": "300"}).invoke(app, ["validate", str(plan)])
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("✗")]
    assert len(problems) == 1, result.output  # the config contact is fine
    assert "malformed contact 'slack:/***/***/***' for person 'bo'" in problems[0]
    assert SECRET not in result.output


class _Forms:
    subject = "A reminder"

    def form(self, name: str) -> str:
        return "<p>Due soon</p>" if name == "html" else "Due soon"


def message(keys: tuple[str, ...], *targets: str) -> Message:
    return Message("ana", "Ana Lee", targets, _Forms(), keys)


def test_each_email_has_one_message_id_the_same_on_a_resend(smtp):
    dispatcher = AppriseDispatcher(smtp_url=smtp.url)
    keys = ("p/m/chase-1@2026-08-14/ana", "p/n/due-day@2026-08-19/ana")
    for _ in range(2):  # the first copy, and the resend after a crash inside the window
        assert dispatcher.send(message(keys, "ana@example.gov.uk")).ok
    assert dispatcher.send(message(("p/m/chase-2@2026-08-18/ana",), "ana@example.gov.uk")).ok
    first, again, other = smtp.take()
    ids = [m.message.get_all("Message-ID") for m in (first, again, other)]
    assert all(len(i) == 1 for i in ids), ids
    assert ids[0] == ids[1] != ids[2]
    assert ids[0][0] == f"<{message(keys).reference}@127.0.0.1>"


def test_each_webhook_call_has_an_idempotency_key_the_same_on_a_resend(webhook):
    dispatcher = AppriseDispatcher()
    hook = f"json://127.0.0.1:{webhook.port}/hook"
    keys = ("p/m/chase-1@2026-08-14/ana",)
    for _ in range(2):
        assert dispatcher.send(message(keys, hook)).ok
    assert dispatcher.send(message(("p/m/chase-2@2026-08-18/ana",), hook)).ok
    sent = [p["headers"].get(IDEMPOTENCY_HEADER) for p in webhook.posts]
    assert sent[0] == sent[1] == message(keys).reference != sent[2]
