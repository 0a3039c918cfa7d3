"""What a chase message says once rendered, and that secrets never show. The facts in it (when, why
this person) are rules: tests/rules/test_messages.py."""

from __future__ import annotations

from datetime import date

import pendulum
import pytest
from factory import chase_items, make_plan, ms

from notifications.render import render
from programme.contacts import mask_text, mask_url

NOW = pendulum.datetime(2026, 8, 11, 10, tz="Europe/London")


def test_one_message_lists_every_item_for_its_recipient():
    plan = make_plan(ms("report", date(2026, 8, 14)), ms("survey", date(2026, 8, 18)))
    items = chase_items(plan, NOW)
    msg = render("Ana Lee", items, NOW)
    assert msg.subject == "2 milestones need you (Chase test plan)"
    for text in (msg.text, msg.html, msg.chat):
        assert "Report" in text and "Survey" in text


def test_message_says_what_when_why_who_waits_and_how_to_answer():
    plan = make_plan(ms("report", date(2026, 8, 14), title="Needs report"),
                     ms("survey", date(2026, 8, 28), owner="bo", depends_on=("report",),
                        title="Provider survey"))
    [item] = [i for i in chase_items(plan, NOW) if i["milestone_id"] == "report"]
    msg = render("Ana Lee", [item], NOW)
    assert msg.subject == "Reminder: Needs report (due Friday 14 August, in 3 working days)"
    for text in (msg.text, msg.html, msg.chat):
        assert "due Friday 14 August, in 3 working days" in text
        assert "http://127.0.0.1:8765/c/p/report/" in text  # the owner's own check-in link
    for text in (msg.text, msg.html):  # the chat form is short: what, when and the link
        assert "You own this milestone." in text
        assert "Provider survey (Bo Khan" in text
    assert "Europe/London" in msg.text


def test_html_is_autoescaped_and_text_is_not():
    plan = make_plan(ms("report", date(2026, 8, 14), title="Costs <b>& benefits</b>"))
    msg = render("Ana <script>", chase_items(plan, NOW), NOW)
    assert "Costs &lt;b&gt;&amp; benefits&lt;/b&gt;" in msg.html
    assert "Ana &lt;script&gt;" in msg.html and "<script>" not in msg.html
    assert "Costs <b>& benefits</b>" in msg.text


def test_a_late_send_says_as_of_when_the_facts_were_true():
    plan = make_plan(ms("report", date(2026, 8, 14)))
    later = pendulum.datetime(2026, 8, 13, 10, tz="Europe/London")
    msg = render("Ana", chase_items(plan, NOW), later)
    assert "as of Tuesday 11 August" in msg.text


def test_a_template_dropped_in_programme_templates_replaces_the_shipped_one(tmp_path, monkeypatch):
    (tmp_path / "chat.txt").write_text("{% for i in items %}CUSTOM {{ i.title }}{% endfor %}")
    monkeypatch.setenv("PROGRAMME_TEMPLATES", str(tmp_path))
    plan = make_plan(ms("report", date(2026, 8, 14), title="Needs report"))
    msg = render("Ana", chase_items(plan, NOW), NOW)
    assert msg.chat == "CUSTOM Needs report"
    assert "Needs report" in msg.text and "CUSTOM" not in msg.text  # others stay shipped


@pytest.mark.parametrize("url, shown", [
    ("ana@example.gov.uk", "ana@example.gov.uk"),
    ("slack://T000/B000/XXXX/#comms", "slack://***"),
    ("msteams://TokenA/TokenB/TokenC/", "msteams://***"),
    ("mailtos://bot:s3cret@smtp.example.gov.uk:587?from=bot@example.gov.uk",
     "mailtos://bot:***@smtp.example.gov.uk:587?from=bot@example.gov.uk"),
    ("json://hooks.example.org/t/abc123?token=zzz", "json://hooks.example.org/***"),
    ("ntfy://ntfy.sh/secret-topic", "ntfy://***"),
    ("config:/etc/programme/teams.yml#commissioning", "config:/etc/programme/teams.yml#commissioning"),
])
def test_apprise_urls_are_masked_before_they_are_shown(url, shown):
    assert mask_url(url) == shown


def test_errors_are_masked_even_when_a_channel_repeats_its_url():
    text = "failed posting to slack://T000/B000/XXXX/ and https://hooks.slack.com/services/T/B/X"
    masked = mask_text(text, ["slack://T000/B000/XXXX/"])
    assert "T000" not in masked and "services/T" not in masked
    assert "slack://***" in masked and "https://hooks.slack.com/***" in masked


def test_a_row_queued_by_an_older_version_still_renders():
    plan = make_plan(ms("report", date(2026, 8, 14), title="Needs report"))
    [item] = chase_items(plan, NOW)
    old = {k: v for k, v in item.items() if k not in ("answer_label", "checkin_link", "link")}
    msg = render("Ana", [old], NOW)
    assert "To answer: programme update p report --done" in msg.chat
