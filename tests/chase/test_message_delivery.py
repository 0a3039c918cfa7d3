"""What people receive, through the real channels (Apprise to a real aiosmtpd, and the local
sink): a manager who is also the sponsor gets one item per milestone, nothing lost and nothing
twice; the lead's rating notice carries only the day's net change and names the plan; the chat
form stays short. Time is injected throughout."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pendulum
import pytest
from factory import PEOPLE, make_plan, ms

from notifications.apprise_dispatch import AppriseDispatcher
from notifications.render import CHAT_LIMIT, render
from notifications.sink import read_sink, text_of
from programme.compose import follow_ups
from programme.config import data_dir
from programme.rules.model import Status
from programme.store import Store
from programme.store.outbox import SENT, Outbox
from programme.usecases.chase import dispatch_pending, queue_due, run_chase
from programme.usecases.checkin import CheckIn, record_checkin
from programme.usecases.workspace import Workspace

REF = re.compile(r"^\s*Ref:\s+(\S+)\s*$", re.MULTILINE)


def at(day: date, hour: int = 10):
    return pendulum.datetime(day.year, day.month, day.day, hour, tz="Europe/London")


@pytest.fixture
def ws(store_url, tmp_path) -> Workspace:
    workspace = Workspace(Store(store_url), tmp_path)
    yield workspace
    workspace.store.close()


def manager_is_sponsor():
    """Ana's manager is Sue, who is also the plan's sponsor."""
    people = {**PEOPLE, "ana": replace(PEOPLE["ana"], manager="sue")}
    return make_plan(ms("report", date(2026, 8, 14), title="Needs report"), people=people)


def test_manager_who_is_also_sponsor_gets_one_item_through_apprise_and_smtp(ws, smtp):
    """Ten working days late, Sue is due the manager's and the sponsor's escalation of the same
    milestone: her email carries one item, the sponsor's."""
    result = run_chase(ws, manager_is_sponsor(), at(date(2026, 8, 28)),
                       AppriseDispatcher(smtp_url=smtp.url))
    assert result.failed == 0
    [sue] = [r for r in smtp.take() if r.rcpt == ("sue@example.gov.uk",)]
    assert sue.subject.startswith("Escalated to you as sponsor: Needs report")
    text = sue.body("plain")
    assert REF.findall(text) == ["report/escalate-sponsor@2026-08-14"]
    assert text.count("Needs report") == 1
    assert "Talk to Ana Lee" in text and "answer for Ana Lee" in text


def test_a_lower_step_still_pending_is_folded_into_the_higher_one_nothing_lost_nothing_twice(
        ws, smtp):
    """The manager's escalation was queued on the 19th but not sent (no dispatch that day);
    on the 28th the sponsor's falls due for the same person. One message, one item; both rows
    recorded as sent; the days after send Sue nothing more about it."""
    plan = manager_is_sponsor()
    dispatcher = AppriseDispatcher(smtp_url=smtp.url)
    queue_due(ws, plan, at(date(2026, 8, 19)))
    queue_due(ws, plan, at(date(2026, 8, 28)))
    pending = [r.step for r in Outbox(ws.store).rows() if r.recipient == "sue"]
    assert sorted(pending) == ["escalate-manager", "escalate-sponsor"]
    dispatch_pending(ws, dispatcher, at(date(2026, 8, 28)))
    [sue] = [r for r in smtp.take() if r.rcpt == ("sue@example.gov.uk",)]
    assert REF.findall(sue.body("plain")) == ["report/escalate-sponsor@2026-08-14"]
    assert {r.state for r in Outbox(ws.store).rows() if r.recipient == "sue"} == {SENT}
    for day in (date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 8)):
        run_chase(ws, plan, at(day), dispatcher)
    assert [r for r in smtp.take() if r.rcpt == ("sue@example.gov.uk",)] == []


# -- the lead's rating notice ------------------------------------------------------------------
PLAN = """
id: compose-plan
title: Compose plan
lead: cara
start: 2026-01-05
people:
  ana: {name: Ana Lee, contacts: [ana@example.gov.uk]}
  bob: {name: Bob Khan, contacts: [bob@example.gov.uk]}
  cara: {name: Cara Jones, contacts: [cara@example.gov.uk]}
milestones:
  - {id: needs, title: Needs assessment, owner: ana, due: 2027-12-01}
  - {id: personas, title: Four personas, owner: bob, due: 2027-12-10, depends_on: [needs]}
"""


@pytest.fixture
def plan_ws(tmp_path: Path) -> Workspace:
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "compose-plan.yaml").write_text(PLAN, encoding="utf-8")
    workspace = Workspace(Store(), folder)
    yield workspace
    workspace.store.close()


def to_cara() -> list:
    return [m for m in read_sink(data_dir() / "sink") if "cara@example.gov.uk" in str(m["To"])]


def blocked_then_moving(ws: Workspace, first: datetime) -> None:
    """Two check-ins a minute apart: blocked (Green → Red), then in progress (Red → Green)."""
    plan = ws.plan("compose-plan")
    record_checkin(ws, plan, CheckIn("needs", Status.BLOCKED, reason="no data", by="ana"),
                   first, follow_ups(ws))
    record_checkin(ws, plan, CheckIn("needs", Status.IN_PROGRESS, by="ana"),
                   first + timedelta(minutes=1), follow_ups(ws))


@pytest.mark.parametrize("first, notices", [
    # in the window: the first change is told at once, the change back adds nothing
    (datetime(2026, 12, 3, 10, 0, tzinfo=UTC), 1),
    # in the evening: by the next window the rating is back where the day began: nothing
    (datetime(2026, 12, 3, 18, 30, tzinfo=UTC), 0),
])
def test_rating_notice_carries_the_net_change_of_the_day(plan_ws, first, notices):
    blocked_then_moving(plan_ws, first)
    next_morning = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    dispatch_pending(plan_ws, AppriseDispatcher(smtp_url=""), next_morning)
    got = to_cara()
    assert len(got) == notices
    rows = [r for r in Outbox(plan_ws.store).rows() if r.step == "rating-changed"]
    assert [(r.key, r.state) for r in rows] == [
        ("compose-plan/plan/rating-changed@2026-12-03/cara", SENT)]
    if notices:
        assert str(got[0]["Subject"]) == "Plan rating changed: Compose plan (Green → Red)"
        assert "Needs assessment" not in text_of(got[0])  # it names the plan, not a milestone


def test_chat_form_stays_under_1000_characters_most_urgent_first():
    """Eleven items for Ana: reminders listed first in the plan, the overdue ones later."""
    soon = [ms(f"soon{i}", date(2026, 9, 7), title=f"An upcoming milestone with a long title {i}")
            for i in range(3)]
    late = [ms(f"late{i}", date(2026, 8, 14), title=f"An overdue milestone with a long title {i}")
            for i in range(8)]
    plan = make_plan(*soon, *late)
    from factory import chase_items

    items = chase_items(plan, at(date(2026, 9, 2)))
    ana = [i for i in items if i["key"].endswith("/ana")]
    assert len(ana) > 5
    chat = render("Ana Lee", ana, at(date(2026, 9, 2))).chat
    assert len(chat) <= CHAT_LIMIT
    lines = chat.splitlines()
    assert all(line.startswith("Overdue:") for line in lines[:-1])  # before the reminders
    assert lines[-1].startswith("And ") and "more in Chase test plan: http://127.0.0.1:8765/r/p/" \
        in lines[-1]
    shown = len(lines) - 1
    assert shown < len(ana) and lines[-1].startswith(f"And {len(ana) - shown} more")


@pytest.mark.parametrize("moment, said", [
    (datetime(2026, 12, 3, 10, 0, tzinfo=UTC),
     "Told Cara Jones, the plan's lead, that the rating moved."),
    (datetime(2026, 12, 3, 18, 30, tzinfo=UTC),
     "Will tell Cara Jones, the plan's lead, that the rating moved when the sending window "
     "opens (Friday 4 December, 09:00)."),
])
def test_a_check_in_says_in_plain_words_who_its_follow_ups_told(plan_ws, moment, said):
    plan = plan_ws.plan("compose-plan")
    _, words = record_checkin(plan_ws, plan, CheckIn("needs", Status.BLOCKED, reason="no data",
                                                     by="ana"), moment, follow_ups(plan_ws))
    assert words == said
    _, words = record_checkin(plan_ws, plan, CheckIn("needs", Status.DONE, by="ana"),
                              moment + timedelta(minutes=1), follow_ups(plan_ws))
    assert words.endswith("Bob Khan they can start.") if moment.hour == 10 else \
        words.startswith("Will tell Bob Khan they can start and Cara Jones")
