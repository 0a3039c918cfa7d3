"""End to end on the embedded default (SQLite, no Prefect server), as a milestone owner lives
it: `programme chase` e-mails a reminder to a real SMTP server (aiosmtpd); `programme web` serves
the check-in page under a real uvicorn on a free loopback port; headless Chromium opens the
link taken from the e-mail, answers Done with the keyboard alone and sees the confirmation; the
dependent milestone's owner then receives "you can start" at the SMTP server.

Every process runs at the same chosen instant (PROGRAMME_NOW), inside the plan's sending window.
Skipped only when Chromium is missing on a developer machine; under CI=true it must run.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.browsing import (
    answer_done_by_keyboard,
    chromium,
    programme_web,
    run_programme,
    skip_without_chromium,
    wait_until,
)
from tests.chase.conftest import SmtpServer, free_port
from tests.web.conftest import NOW, PLAN_ID, PLAN_YAML

skip_without_chromium()

pytestmark = pytest.mark.slow


@pytest.fixture
def browser(tmp_path):
    with chromium(tmp_path / "chrome") as driver:
        yield driver


def test_owner_answers_done_from_the_emailed_link_and_the_next_owner_is_told_to_start(
        tmp_path, browser):
    from selenium.webdriver.common.by import By

    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / f"{PLAN_ID}.yaml").write_text(PLAN_YAML)
    smtp = SmtpServer()
    smtp.start()
    port = free_port()
    env = {**os.environ, "PROGRAMME_HOME": str(tmp_path / "home"), "PROGRAMME_NOW": NOW.isoformat(),
           "PROGRAMME_PUBLIC_URL": f"http://127.0.0.1:{port}", "PROGRAMME_SMTP_URL": smtp.url,
           "PROGRAMME_DELIVERY": "live", "PROGRAMME_PLANS": str(plans)}
    env.pop("PROGRAMME_DATABASE_URL", None)
    env.pop("PREFECT_API_URL", None)
    try:
        run_programme(env, "chase", PLAN_ID)
        mail = {r.rcpt: r for r in smtp.take()}
        ana = mail[("ana@example.gov.uk",)]
        link = re.search(rf"http://127\.0\.0\.1:{port}/c/{PLAN_ID}/needs-assessment/[A-Za-z0-9_-]+",
                         ana.body("plain")).group(0)
        with programme_web(env, port):
            browser.get(link)
            assert "Needs assessment" in browser.title
            page = browser.find_element(By.TAG_NAME, "main").text
            assert "You are answering as Ana Lee" in page
            assert "Market engagement event (Tom Reid" in page
            browser.save_screenshot(str(tmp_path / "checkin.png"))
            confirmation, next_steps = answer_done_by_keyboard(browser)
            assert "Needs assessment is recorded as done" in confirmation
            assert "Tom Reid has been told they can start Market engagement event." in next_steps
            browser.save_screenshot(str(tmp_path / "confirmed.png"))

            tom = wait_until(lambda: [r for r in smtp.take() if r.rcpt == ("tom@example.gov.uk",)],
                             30, "Tom's 'you can start' e-mail")[0]
        assert tom.subject.startswith("You can start: Market engagement event")
        assert f"/c/{PLAN_ID}/market-engagement/" in tom.body("plain")  # his own check-in link
        status = run_programme(env, "status", PLAN_ID, "--json").stdout
        assert '"id": "needs-assessment"' in status and '"status": "done"' in status
    finally:
        smtp.stop()


def test_api_docs_render_in_the_browser_from_this_service_alone(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{site.url}/docs")
    WebDriverWait(browser, 30).until(
        lambda d: "/api/v1/plans/{plan_id}/milestones/{milestone_id}/checkins" in d.find_element(
            By.TAG_NAME, "body").text)
    assert "Record a check-in" in browser.find_element(By.TAG_NAME, "body").text
