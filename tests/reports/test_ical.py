"""The iCal feed parsed back with `icalendar`: one event per milestone on its forecast date,
stable UIDs across runs, SEQUENCE going up when a milestone changes."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import report_scenario as scenario

from programme.reports import write_ical
from programme.rules.model import Status


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
