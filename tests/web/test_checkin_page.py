"""The check-in page: opening a link shows what the milestone is and who will be recorded as
answering; pressing the button records it once, through the same use case as the CLI."""

from __future__ import annotations

import re
from datetime import date, timedelta

from programme.rules.model import Status
from tests.web.conftest import answer, form_fields


def test_opening_a_link_shows_the_milestone_and_who_answers_and_records_nothing(site):
    site.queue()
    page = site.client.get(site.link("needs-assessment", "ana"))
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "<h1 class=\"heading-l\">Needs assessment</h1>" in text
    assert "Carers support recommissioning" in text
    assert "Monday 7 December, in 3 working days" in text
    assert "You are answering as <strong>Ana Lee</strong>" in text
    assert "Signed-off needs assessment on the shared drive" in text  # what done means
    assert "Market engagement event (Tom Reid" in text  # what is waiting on it
    assert site.history() == []


def test_pressing_done_records_it_as_the_owner_via_link_and_says_who_can_start(site):
    site.queue()
    done = answer(site, site.link("needs-assessment", "ana"), choice="done")
    assert done.status_code == 200
    assert "Needs assessment is recorded as done" in done.text
    assert "Tom Reid has been told they can start Market engagement event." in done.text
    [entry] = site.history("needs-assessment")
    assert (entry.status, entry.by, entry.source) == (Status.DONE, "ana", "link")


def test_done_on_an_earlier_day_keeps_both_days(site):
    site.queue()
    answer(site, site.link("needs-assessment", "ana"), choice="done", done_on="2026-11-27",
           evidence="https://drive.example/na.pdf")
    [entry] = site.history("needs-assessment")
    assert entry.happened_on == date(2026, 11, 27) and entry.at == site.clock.now
    assert "Evidence: https://drive.example/na.pdf" in entry.note


def test_an_escalation_link_acts_for_the_owner_and_records_the_person_who_acted(site):
    site.queue()
    url = site.link("options-appraisal", "bo")
    page = site.client.get(url)
    assert "You are answering as <strong>Bo Khan</strong>, for Ana Lee" in " ".join(page.text.split())
    done = site.client.post(url, data={**form_fields(page.text), "choice": "blocked",
                                       "reason": "waiting for finance"})
    assert "recorded as blocked, as Bo Khan&#39;s answer for Ana Lee" in done.text
    [entry] = site.history("options-appraisal")
    assert (entry.status, entry.by, entry.reason) == (Status.BLOCKED, "bo", "waiting for finance")


def test_a_link_answers_more_than_once_while_valid(site):
    site.queue()
    url = site.link("needs-assessment", "ana")
    new_date = (site.clock.now.date() + timedelta(days=14)).isoformat()
    assert "New date recorded" in answer(site, url, choice="at-risk", forecast=new_date).text
    site.clock.now += timedelta(days=5)
    assert "recorded as done" in answer(site, url, choice="done").text
    assert [e.status for e in site.history("needs-assessment")] == [Status.NOT_STARTED, Status.DONE]
    assert site.history("needs-assessment")[0].forecast == date.fromisoformat(new_date)


def test_the_same_form_posted_twice_records_once_and_shows_the_first_answer_again(site):
    site.queue()
    url = site.link("needs-assessment", "ana")
    fields = {**form_fields(site.client.get(url).text), "choice": "note", "note": "Draft is out"}
    first = site.client.post(url, data=fields)
    second = site.client.post(url, data=fields)  # a double click, or back and resubmit
    assert first.status_code == second.status_code == 200
    assert "Your note on Needs assessment is recorded" in second.text
    assert len(site.history("needs-assessment")) == 1


def test_a_done_milestone_after_a_resubmit_still_shows_the_confirmation(site):
    site.queue()
    url = site.link("needs-assessment", "ana")
    fields = {**form_fields(site.client.get(url).text), "choice": "done"}
    site.client.post(url, data=fields)
    again = site.client.post(url, data=fields)
    assert again.status_code == 200 and "recorded as done" in again.text
    assert site.client.get(url).status_code == 410  # a new answer: it is already done
    assert len(site.history("needs-assessment")) == 1


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused_with_403(site):
    site.queue()
    url = site.link("needs-assessment", "ana")
    fields = form_fields(site.client.get(url).text)
    other = form_fields(site.client.get(site.link("options-appraisal", "ana")).text)
    for data in ({"choice": "done"},
                 {"form_key": fields["form_key"], "choice": "done"},
                 {"csrf": fields["csrf"][:-2] + "xx", "form_key": fields["form_key"], "choice": "done"},
                 {"csrf": fields["csrf"], "form_key": "another-key", "choice": "done"},
                 {**other, "choice": "done"}):  # a form rendered for another link
        refused = site.client.post(url, data=data)
        assert refused.status_code == 403, data
        assert "Nothing has been recorded" in refused.text
    assert site.history() == []


def test_form_mistakes_are_listed_in_an_error_summary_and_nothing_is_recorded(site):
    site.queue()
    url = site.link("needs-assessment", "ana")
    cases = [({}, "Choose what your answer is"),
             ({"choice": "blocked"}, "Say what is stopping it"),
             ({"choice": "at-risk"}, "Enter the new date"),
             ({"choice": "at-risk", "forecast": "2026-13-40"}, "as a real date"),
             ({"choice": "at-risk", "forecast": "2026-11-01"}, "must be today or later"),
             ({"choice": "done", "done_on": "2026-12-25"}, "must be today or earlier"),
             ({"choice": "done", "done_on": "2026-10-01"}, "on or after the plan started"),
             ({"choice": "note"}, "Write the note")]
    for fields, message in cases:
        page = answer(site, url, **fields)
        assert page.status_code == 400, fields
        assert "There is a problem" in page.text and message in page.text, fields
        assert re.search(r"<title>Error: ", page.text)
    assert site.history() == []


def test_an_owner_can_take_their_new_date_back_from_the_page(site):
    site.queue()
    url = site.link("needs-assessment", "ana")
    assert "choice-due-date" not in site.client.get(url).text  # no new date to take back yet
    new_date = (site.clock.now.date() + timedelta(days=14)).isoformat()
    answer(site, url, choice="at-risk", forecast=new_date)
    page = " ".join(site.client.get(url).text.split())
    assert "Back on track for the due date (Monday 7 December 2026): take my new date back" in page
    done = answer(site, url, choice="due-date")
    assert "it is due Monday 7 December 2026 again" in " ".join(done.text.split())
    latest = site.history("needs-assessment")[-1]
    assert latest.forecast is None and latest.forecast_cleared and latest.source == "link"
    assert "choice-due-date" not in site.client.get(url).text


def test_a_new_date_after_the_plan_ends_is_recorded_and_the_page_says_to_check_it(tmp_path,
                                                                                  monkeypatch):
    from tests.web.conftest import PLAN_YAML, make_site, stop_server

    site = make_site(tmp_path, monkeypatch,
                     plan_yaml=PLAN_YAML.replace("start: 2026-11-02\n",
                                                 "start: 2026-11-02\nend: 2027-06-30\n"))
    try:
        site.queue()
        url = site.link("needs-assessment", "ana")
        done = " ".join(answer(site, url, choice="at-risk", forecast="2027-09-01").text.split())
        assert "New date recorded" in done and "Please check it:" in done
        assert "after the plan ends (30 June 2027)" in done
        assert site.history("needs-assessment")[-1].forecast == date(2027, 9, 1)
    finally:
        site.client.close()
        stop_server(site.server, site.thread)
        site.store.close()
