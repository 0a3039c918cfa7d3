"""Whatever a browser (or anyone) posts in the check-in form's fields, reading it gives either a
check-in to record or problems to show, never an exception."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from programme.rules.model import Status
from programme.store.links import LinkRow
from programme.usecases.links import LinkUse
from programme.web.answers import CHOICES, read_form
from tests.factory import PEOPLE, make_plan, ms

PLAN = make_plan(ms("report", date(2026, 8, 14), title="Needs report"))
NOW = datetime(2026, 8, 11, 10, tzinfo=UTC)
USE = LinkUse(LinkRow("h", "checkin", "ana", "p", "report", "k", NOW, NOW, None, None), PLAN,
              PLAN.by_id["report"], PEOPLE["ana"], PEOPLE["ana"])
TODAY = date(2026, 8, 11)

field = st.one_of(st.text(max_size=60), st.dates().map(date.isoformat), st.just(""))


@given(choice=st.one_of(st.sampled_from(CHOICES), st.text(max_size=10)), done_on=field,
       forecast=field, reason=field, note=field, evidence=field)
def test_any_posted_form_reads_as_a_check_in_or_as_problems(choice, done_on, forecast, reason,
                                                            note, evidence):
    form = dict(choice=choice, done_on=done_on, forecast=forecast, reason=reason, note=note,
                evidence=evidence)
    checkin, problems, values = read_form(form, USE, TODAY)
    assert (checkin is None) == bool(problems)
    assert all("\x00" not in v for v in values.values())
    if checkin is not None:
        assert checkin.by == "ana" and checkin.source == "link" and checkin.milestone_id == "report"
        if checkin.on is not None:
            assert PLAN.start <= checkin.on < TODAY
        if checkin.status == Status.BLOCKED:
            assert checkin.reason.strip()
        if checkin.forecast is not None:
            assert checkin.forecast >= TODAY
