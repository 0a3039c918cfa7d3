"""Links are issued with the message that carries them, and only their hash is stored: the raw
token is made from the server secret when the message is rendered, so a resend carries the same
link and nothing in the database lets anyone rebuild one."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from programme.signing import link_token, secret_key, token_hash
from programme.store import tables as t
from programme.store.outbox import Outbox
from tests.web.conftest import PLAN_YAML, make_site, stop_server


def _every_value_in_the_database(site) -> str:
    from sqlalchemy import inspect

    names = inspect(site.store.engine).get_table_names()
    with site.store.engine.connect() as conn:
        return repr([list(conn.exec_driver_sql(f'SELECT * FROM "{n}"')) for n in names])


def test_a_link_is_issued_hashed_with_its_message_and_its_token_is_stored_nowhere(site):
    site.queue()
    links = site.links()
    assert len(links) == 3
    dump = _every_value_in_the_database(site)
    with site.store.engine.connect() as conn:
        issued = {r.token_hash: r for r in conn.execute(select(t.links)) if r.purpose != "report"}
    for (milestone, person, _), url in links.items():
        token = url.rsplit("/", 1)[1]
        assert len(token) == 43  # 256 bits, URL-safe
        assert token not in dump
        row = issued[token_hash(token)]
        assert (row.person, row.milestone_id, row.plan_id) == (person, milestone, "carers-support")
        assert row.expires_at - row.issued_at == timedelta(days=30)
        assert row.message_key.endswith(f"/{person}")
    purposes = {r.person: r.purpose for r in issued.values()}
    assert purposes == {"ana": "checkin", "bo": "act-for"}


def test_a_resend_carries_the_same_link(site):
    site.queue()
    first = site.links()
    site.queue()  # queued again (the next chase run): nothing new, same links
    Outbox(site.store).retry(site.clock.now)
    assert site.links() == first
    with site.store.engine.connect() as conn:  # 3 item links, and each reader's report link of the day
        assert len(list(conn.execute(select(t.links)))) == 3 + 2


def test_a_plan_sets_how_long_its_links_last(tmp_path, monkeypatch):
    yaml = PLAN_YAML.replace("start: 2026-11-02", "start: 2026-11-02\ncheckin_link_days: 7")
    site = make_site(tmp_path, monkeypatch, plan_yaml=yaml)
    try:
        site.queue()
        with site.store.engine.connect() as conn:
            rows = list(conn.execute(select(t.links)))
        assert rows and all(r.expires_at - r.issued_at == timedelta(days=7) for r in rows)
        url = site.link("needs-assessment", "ana")
        site.clock.now += timedelta(days=8)
        assert site.client.get(url).status_code == 410
    finally:
        site.client.close()
        stop_server(site.server, site.thread)


@pytest.mark.parametrize("value", ["0", "400", "soon", "true"])
def test_checkin_link_days_must_be_a_sensible_number_of_days(tmp_path, value):
    from programme.planfiles.loading import load_file

    path = tmp_path / "p.yaml"
    path.write_text(PLAN_YAML.replace("start: 2026-11-02", f"start: 2026-11-02\ncheckin_link_days: {value}"))
    result = load_file(path)
    assert not result.ok
    assert any("checkin_link_days should be a whole number of days" in str(p) and p.location.line == 6
               for p in result.problems), result.problems


def test_the_secret_is_generated_once_into_the_data_folder_readable_by_the_owner_only(monkeypatch, tmp_path):
    monkeypatch.delenv("PROGRAMME_SECRET_KEY", raising=False)
    first = secret_key()
    path = tmp_path / "home" / "secret.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert secret_key() == first and len(first) >= 48
    monkeypatch.setenv("PROGRAMME_SECRET_KEY", "from-the-environment")
    assert secret_key() == b"from-the-environment"
    assert link_token("checkin", "k", "ana") != link_token("checkin", "k", "ana", first)


def test_the_calendar_feed_carries_each_open_milestones_check_in_link(site):
    import re

    from icalendar import Calendar

    from programme.reports import write_ical
    from programme.reports.ical import description
    from programme.usecases.digest import collect
    from programme.usecases.links import calendar_links

    ws, plan = site.ws(), site.plan()
    links = calendar_links(ws, plan, site.clock.now)
    assert calendar_links(ws, plan, site.clock.now) == links  # the same links within the week
    feed = Calendar.from_ical(write_ical(collect(ws, plan, site.clock.now),
                                         describe=lambda p, r: description(p, r, links.get(r.id))))
    described = {str(e["UID"]).split(".")[1].split("@")[0]: str(e["DESCRIPTION"])
                 for e in feed.walk("VEVENT")}
    for mid, text in described.items():
        url = re.search(r"Check-in link: (\S+)", text).group(1)
        assert url == links[mid] and site.client.get(url).status_code == 200


@pytest.mark.parametrize("step, recipient, role, purpose, label", [
    ("reminder-5", "ana", "owner", "checkin", "Check in"),
    ("chase-1", "ana", "owner", "checkin", "Check in"),
    ("escalate-manager", "bo", "manager", "act-for", "Answer for Ana Lee (recorded as you)"),
    ("escalate-sponsor", "sue", "sponsor", "act-for", "Answer for Ana Lee (recorded as you)"),
    ("blocked-1", "lee", "lead", "act-for", "Answer for Ana Lee (recorded as you)"),
    ("can-start", "ana", "owner", "checkin", "Check in"),
    ("rating-changed-amber-to-red", "lee", "lead", "rating",
     "See the report and record your own rating"),
])
def test_each_kind_of_message_item_carries_the_right_link(step, recipient, role, purpose, label):
    from datetime import date

    from programme.rules.assess import assess
    from programme.rules.chase import Notification
    from programme.rules.messages import item_context
    from tests.factory import make_plan, ms

    plan = make_plan(ms("report", date(2026, 8, 14), title="Needs report"))
    a = assess(plan, {}, datetime(2026, 8, 11, 10, tzinfo=UTC))
    n = Notification(plan.id, "report", step, date(2026, 8, 14), recipient, role, date(2026, 8, 11))
    item = item_context(a, n)
    assert item["link"] == {"purpose": purpose, "person": recipient}
    assert item["answer_label"] == label
