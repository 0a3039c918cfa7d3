"""A fresh install sends nothing anywhere: with no SMTP server configured every message,
even one for a Teams or Slack URL, is filed in the local sink; live delivery is opt-in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pendulum
import pytest
from factory import PEOPLE, make_plan, ms

from notifications.apprise_dispatch import AppriseDispatcher
from notifications.sink import read_sink, text_of
from programme.config import data_dir
from programme.store import Store
from programme.usecases.chase import run_chase
from programme.usecases.workspace import Workspace

NOW = pendulum.datetime(2026, 8, 19, 10, tz="Europe/London")


def plan_for(hook: str):
    people = {pid: replace(p, contacts=(hook,) if pid == "ana" else p.contacts)
              for pid, p in PEOPLE.items()}
    return make_plan(ms("report", date(2026, 8, 14), title="Needs report"), people=people)


def test_without_a_configured_channel_a_webhook_contact_lands_in_the_sink(tmp_path, webhook,
                                                                          monkeypatch):
    monkeypatch.delenv("PROGRAMME_DELIVERY")
    hook = f"json://127.0.0.1:{webhook.port}/chase?token=SECRET123"
    ws = Workspace(Store(f"sqlite:///{tmp_path / 's.db'}"), tmp_path)
    result = run_chase(ws, plan_for(hook), NOW, AppriseDispatcher())
    assert result.sent > 0 and result.failed == 0
    assert webhook.posts == []  # nothing left the machine
    filed = read_sink(data_dir() / "sink")
    assert filed and all("SECRET123" not in str(m["To"]) for m in filed)
    assert any("Needs report" in text_of(m) for m in filed)


def test_live_delivery_is_opt_in(tmp_path, webhook, monkeypatch):
    monkeypatch.setenv("PROGRAMME_DELIVERY", "live")
    hook = f"json://127.0.0.1:{webhook.port}/chase"
    ws = Workspace(Store(f"sqlite:///{tmp_path / 's.db'}"), tmp_path)
    run_chase(ws, plan_for(hook), NOW, AppriseDispatcher())
    assert [p["path"] for p in webhook.posts] == ["/chase"]


def test_a_configured_smtp_server_turns_live_delivery_on(monkeypatch):
    monkeypatch.delenv("PROGRAMME_DELIVERY")
    assert AppriseDispatcher(smtp_url="mailto://127.0.0.1:2525?from=a@example.gov.uk").delivery == "live"
    assert AppriseDispatcher(smtp_url="").delivery == "sink"


def test_an_unknown_delivery_mode_is_refused_with_the_choices(monkeypatch):
    monkeypatch.setenv("PROGRAMME_DELIVERY", "email")
    with pytest.raises(ValueError, match="use live or sink"):
        AppriseDispatcher()


def test_apprise_never_logs_a_contacts_tokens(tmp_path, caplog, monkeypatch):
    monkeypatch.setenv("PROGRAMME_DELIVERY", "live")
    ws = Workspace(Store(f"sqlite:///{tmp_path / 's.db'}"), tmp_path)
    with caplog.at_level("DEBUG"):
        result = run_chase(ws, plan_for("msteams://TokenA/SECRET456/TokenC/"), NOW,
                           AppriseDispatcher())
    assert result.failed > 0
    assert caplog.records, "Apprise said something about the bad URL"
    assert "SECRET456" not in caplog.text
    assert all("SECRET456" not in e for e in result.errors)


def test_the_sink_files_an_email_as_html_with_its_text_alternative_and_a_chat_message_as_its_chat_body(
        tmp_path, monkeypatch):
    monkeypatch.setenv("PROGRAMME_DELIVERY", "sink")
    hook = "slack://T000/B000/XXXXSECRET/#commissioning"
    ws = Workspace(Store(f"sqlite:///{tmp_path / 's.db'}"), tmp_path)
    run_chase(ws, plan_for(hook), NOW, AppriseDispatcher())
    filed = read_sink(data_dir() / "sink")
    emails = [m for m in filed if m["X-Programme-Form"] == "email"]
    chats = [m for m in filed if m["X-Programme-Form"] == "chat"]
    assert emails and chats
    for m in emails:  # what a mail client receives: HTML with a plain-text alternative
        assert m.get_content_type() == "multipart/alternative"
        assert m.get_body(("html",)).get_content().lstrip().startswith("<")
        assert "Needs report" in text_of(m)
    [chat] = chats  # Ana's Slack message: the short chat body, filed under the masked channel
    assert chat.get_content_type() == "text/plain"
    assert chat["X-Programme-Target"] == "slack://***"
    assert "XXXXSECRET" not in chat.as_string()
    assert "Needs report" in text_of(chat) and "<p" not in text_of(chat)  # no HTML in a chat
