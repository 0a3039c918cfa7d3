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
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.chase.conftest import SmtpServer, free_port
from tests.web.conftest import NOW, PLAN_ID, PLAN_YAML

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
if (CHROMIUM is None or not Path(DRIVER).exists()) and os.environ.get("CI") != "true":
    pytest.skip("chromium/chromedriver not installed (run .ci/install-browser)", allow_module_level=True)

pytestmark = pytest.mark.slow


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM, "chromium is required when CI=true: run .ci/install-browser"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", f"--user-data-dir={tmp_path / 'chrome'}",
                "--window-size=420,1400"):  # a phone-sized window
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "programme", *args], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_owner_answers_done_from_the_emailed_link_and_the_next_owner_is_told_to_start(
        tmp_path, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

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
    web = None
    try:
        _run(env, "chase", PLAN_ID)
        mail = {r.rcpt: r for r in smtp.take()}
        ana = mail[("ana@example.gov.uk",)]
        link = re.search(rf"http://127\.0\.0\.1:{port}/c/{PLAN_ID}/needs-assessment/[A-Za-z0-9_-]+",
                         ana.body("plain")).group(0)
        web = subprocess.Popen([sys.executable, "-m", "programme", "web", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

        def up() -> bool:
            assert web.poll() is None, web.stdout.read()
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        _wait_for(up, 60, "programme web to answer")

        browser.get(link)
        assert "Needs assessment" in browser.title
        page = browser.find_element(By.TAG_NAME, "main").text
        assert "You are answering as Ana Lee" in page
        assert "Market engagement event (Tom Reid" in page
        browser.save_screenshot(str(tmp_path / "checkin.png"))
        # keyboard only: Space picks the radio, Enter on the button sends the form
        browser.find_element(By.ID, "choice-done").send_keys(Keys.SPACE)
        assert browser.find_element(By.ID, "choice-done").is_selected()
        browser.find_element(By.ID, "submit").send_keys(Keys.ENTER)
        confirmation = WebDriverWait(browser, 30).until(
            ec.presence_of_element_located((By.ID, "confirmation")))
        assert "Needs assessment is recorded as done" in confirmation.text
        assert ("Tom Reid has been told they can start Market engagement event."
                in browser.find_element(By.ID, "next").text)
        browser.save_screenshot(str(tmp_path / "confirmed.png"))

        tom = _wait_for(lambda: [r for r in smtp.take() if r.rcpt == ("tom@example.gov.uk",)], 30,
                        "Tom's 'you can start' e-mail")[0]
        assert tom.subject.startswith("You can start: Market engagement event")
        assert f"/c/{PLAN_ID}/market-engagement/" in tom.body("plain")  # his own check-in link
        status = _run(env, "status", PLAN_ID, "--json").stdout
        assert '"id": "needs-assessment"' in status and '"status": "done"' in status
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=20)
        smtp.stop()


def test_api_docs_render_in_the_browser_from_this_service_alone(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{site.url}/docs")
    WebDriverWait(browser, 30).until(
        lambda d: "/api/v1/plans/{plan_id}/milestones/{milestone_id}/checkins" in d.find_element(
            By.TAG_NAME, "body").text)
    assert "Record a check-in" in browser.find_element(By.TAG_NAME, "body").text
