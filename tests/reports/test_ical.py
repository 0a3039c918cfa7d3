"""The iCal feed parsed back with `icalendar`: one event per milestone on its forecast date,
stable UIDs across runs, SEQUENCE going up when a milestone changes, any text people type
coming back exactly."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import icalendar
import report_scenario as scenario
from hypothesis import example, given, settings
from hypothesis import strategies as st

from programme.reports import write_ical
from programme.reports.ical import description
from programme.rules.assess import PlanState, assess
from programme.rules.model import CurrentStatus, Status


def events(text: str):
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(text).walk("VEVENT")}


def test_one_event_per_milestone_on_its_forecast_day(snap):
    evs = events(write_ical(snap))
    a = snap.state.assessment
    assert len(evs) == len(snap.plan.milestones)
    for mid, view in a.milestones.items():
        ev = evs[f"{snap.plan.id}.{mid}@programme"]
        assert ev.decoded("DTSTART") == view.forecast
        assert ev.decoded("DTEND") == view.forecast + timedelta(days=1)
        assert "DTSTAMP" in ev


def test_event_text_has_owner_status_rating_and_command(snap):
    ev = events(write_ical(snap))[f"{snap.plan.id}.insights-trial-design@programme"]
    text = str(ev["DESCRIPTION"])
    assert "Owner: Sam Whitfield" in text
    assert "Status: blocked" in text and "Rating: Red" in text
    assert "Blocked: waiting for the data-sharing agreement to be signed" in text
    assert f"programme update {snap.plan.id} insights-trial-design --done" in text
    assert "(blocked, Red)" in str(ev["SUMMARY"])


def test_uids_are_stable_across_runs_and_sequence_rises_on_change(store, plan):
    scenario.record(store, plan)
    first = events(write_ical(scenario.snapshot(store, plan)))
    again = events(write_ical(scenario.snapshot(store, plan)))
    assert first.keys() == again.keys()
    assert write_ical(scenario.snapshot(store, plan)) == write_ical(scenario.snapshot(store, plan))
    later = scenario.AS_OF + timedelta(hours=2)
    store.record(plan.id, "joint-commissioning-intent", Status.DONE, later - timedelta(hours=1))
    changed = events(write_ical(scenario.snapshot(store, plan, later)))
    assert changed.keys() == first.keys()
    uid = f"{plan.id}.joint-commissioning-intent@programme"
    assert changed[uid]["SEQUENCE"] > first[uid]["SEQUENCE"]
    assert str(changed[uid]["SUMMARY"]).startswith("✓ ")


def test_hostile_text_round_trips_through_the_feed(hostile):
    evs = events(write_ical(hostile))
    ev = evs[f"{hostile.plan.id}.system-map@programme"]
    assert scenario.HOSTILE_TITLE in str(ev["SUMMARY"])
    assert scenario.HOSTILE_NAME in str(ev["DESCRIPTION"])


def test_lines_are_folded_to_75_octets(hostile):
    for line in write_ical(hostile).split("\r\n"):
        assert len(line.encode("utf-8")) <= 75


# -- the feed through a real parser, whatever people type -------------------------------------

EXAMPLE = scenario.load_plan()
# Anything a person can type, except a lone carriage return: RFC 5545 has no escape for one, so
# it is written (and read back) as a line break. Surrogates are not text.
typed = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
                min_size=1, max_size=400).filter(str.strip)


def x_text(value) -> str:
    """An X- property read as TEXT, its default type in RFC 5545 (3.8.8.2). icalendar from 7.2
    keeps an unknown property's value verbatim, escapes and all: read it as a SUMMARY is read."""
    if isinstance(value, icalendar.vText):
        return str(value)
    return str(icalendar.Event.from_ical(f"BEGIN:VEVENT\r\nSUMMARY:{value}\r\nEND:VEVENT\r\n")
               ["SUMMARY"])


def feed_of(plan_title: str, milestone_title: str, owner_name: str, reason: str, note: str):
    people = dict(EXAMPLE.people)
    people["tom-reid"] = replace(people["tom-reid"], name=owner_name)
    milestones = tuple(replace(m, title=milestone_title) if m.id == "system-map" else m
                       for m in EXAMPLE.milestones)
    plan = replace(EXAMPLE, title=plan_title, people=people, milestones=milestones)
    statuses = {"system-map": CurrentStatus(Status.BLOCKED, since=scenario.AS_OF, reason=reason,
                                            note=note)}
    state = PlanState(plan, assess(plan, statuses, scenario.AS_OF), None, None)
    return icalendar.Calendar.from_ical(write_ical(state))


@settings(max_examples=50)  # ~45 ms each: a feed written and parsed for a 22-milestone plan
@given(plan_title=typed, milestone_title=typed, owner_name=typed, reason=typed, note=typed)
@example(plan_title=scenario.HOSTILE_TITLE, milestone_title=scenario.HOSTILE_TITLE * 8,
         owner_name=scenario.HOSTILE_NAME, reason=scenario.HOSTILE_REASON,
         note=scenario.HOSTILE_NOTE)
# backslashes before n and N: written correctly by every icalendar in our range, but read back
# exactly only by icalendar 7 (older readers turn an escaped backslash and an n into a newline)
@example(plan_title="C:\\new\\Notes \\N \\n \\, \\; \\\\", milestone_title="a\\Nb, c; d\\",
         owner_name="O\\'Brien", reason="\\N", note="\\")
@example(plan_title="Ünïcødé 山田 👩🏽‍💻 مرحبا — “quotes”", milestone_title="é" * 500,
         owner_name="Zoë", reason="x" * 2000, note="line one\nline two\n\nend")
def test_the_feed_parses_and_every_text_comes_back_exactly(plan_title, milestone_title,
                                                           owner_name, reason, note):
    calendar = feed_of(plan_title, milestone_title, owner_name, reason, note)
    assert x_text(calendar["X-WR-CALNAME"]) == plan_title
    assert x_text(calendar["X-WR-CALDESC"]) == f"Milestones of {plan_title} ({EXAMPLE.id})"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == len(EXAMPLE.milestones)
    ev = events[f"{EXAMPLE.id}.system-map@programme"]
    # the title is shown on one line in the calendar, so runs of whitespace become one space
    assert str(ev["SUMMARY"]) == f"{' '.join(milestone_title.split())} (blocked, Red)"
    text = str(ev["DESCRIPTION"])
    assert text.startswith(f"Plan: {plan_title}\nOwner: {owner_name}\nStatus: blocked\n")
    assert f"\nBlocked: {reason}\nNote: {note}\n" in text


def test_a_caller_can_add_a_check_in_link_to_every_event(snap):
    def with_link(plan, row):
        return f"{description(plan, row)}\nCheck in online: https://example.gov.uk/c/{row.id}"

    evs = events(write_ical(snap, describe=with_link))
    for mid in snap.state.assessment.milestones:
        text = str(evs[f"{snap.plan.id}.{mid}@programme"]["DESCRIPTION"])
        assert text.startswith("Plan: ")
        assert text.endswith(f"\nCheck in online: https://example.gov.uk/c/{mid}")
