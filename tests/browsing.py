"""Headless Chromium and `programme web` as a subprocess, for the browser tests (tests/web) and
the served-stack ones (tests/e2e): where Chromium is, how it is started (a phone-sized window,
its own profile), and the check-in service started on a port and waited for."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def skip_without_chromium() -> None:
    """Skip the calling module on a developer machine without Chromium; under CI=true it runs
    (and the `browser` fixture fails, saying what to install)."""
    if (CHROMIUM is None or not Path(DRIVER).exists()) and os.environ.get("CI") != "true":
        pytest.skip("chromium/chromedriver not installed (run .ci/install-browser)",
                    allow_module_level=True)


@contextmanager
def chromium(profile: Path) -> Iterator[object]:
    """A headless Chromium (Selenium WebDriver) with its profile in `profile`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM, "chromium is required when CI=true: run .ci/install-browser"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", f"--user-data-dir={profile}",
                "--window-size=420,1400"):  # a phone-sized window
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    """Poll `predicate` until it returns something truthy; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)


def run_programme(env: dict, *args: str) -> subprocess.CompletedProcess:
    """`programme ARGS` in a subprocess with `env`; it must succeed."""
    done = subprocess.run([sys.executable, "-m", "programme", *args], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@contextmanager
def programme_web(env: dict, port: int, timeout: float = 60) -> Iterator[subprocess.Popen]:
    """`programme web --port PORT` with `env`, yielded once /healthz answers; stopped after."""
    web = subprocess.Popen([sys.executable, "-m", "programme", "web", "--port", str(port)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def up() -> bool:
        assert web.poll() is None, web.stdout.read()
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(up, timeout, "programme web to answer")
        yield web
    finally:
        if web.poll() is None:
            web.terminate()
            try:
                web.wait(timeout=20)
            except subprocess.TimeoutExpired:
                web.kill()
                web.wait()


def answer_done_by_keyboard(browser) -> tuple[str, str]:
    """On an open check-in page, answer Done with the keyboard alone (Space picks the radio,
    Enter on the button sends the form); return the confirmation and its "what next" text."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.find_element(By.ID, "choice-done").send_keys(Keys.SPACE)
    assert browser.find_element(By.ID, "choice-done").is_selected()
    browser.find_element(By.ID, "submit").send_keys(Keys.ENTER)
    confirmation = WebDriverWait(browser, 30).until(
        ec.presence_of_element_located((By.ID, "confirmation")))
    return confirmation.text, browser.find_element(By.ID, "next").text
