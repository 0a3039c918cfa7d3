"""End to end on the served stack, as a milestone owner lives it: a real Prefect server (on this
machine's PostgreSQL) and `programme serve` with its task worker; `programme chase` e-mails the
reminder to a real SMTP server (aiosmtpd); `programme web` serves the check-in page with the
same environment as the rest of the stack; headless Chromium opens the link taken from the
e-mail and answers Done; the dependent milestone's owner then receives "you can start" at the
SMTP server, sent by the task worker as a Prefect task run.

Every programme process runs at the same chosen instant (PROGRAMME_NOW), inside the plan's
sending window. Under CI=true it must run: PostgreSQL and Chromium are required there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chase.conftest import SmtpServer, free_port
from conftest import IN_CI, _postgres_reachable
from served import follow_up_runs, served_stack

from tests.browsing import (
    answer_done_by_keyboard,
    chromium,
    programme_web,
    run_programme,
    skip_without_chromium,
    wait_until,
)
from tests.web.conftest import NOW, PLAN_ID, PLAN_YAML

skip_without_chromium()

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    problem = _postgres_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {problem}")
        pytest.skip(problem)
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / f"{PLAN_ID}.yaml").write_text(PLAN_YAML, encoding="utf-8")
    return folder


@pytest.fixture
def browser(tmp_path):
    with chromium(tmp_path / "chrome") as driver:
        yield driver


def emails_to_tom(smtp) -> list:
    return [r for r in smtp.received if r.rcpt == ("tom@example.gov.uk",)]


def test_owner_answers_done_in_a_browser_and_the_task_worker_tells_the_next_owner(
        tmp_path: Path, plans: Path, smtp, browser):
    from selenium.webdriver.common.by import By

    port = free_port()
    public = f"http://127.0.0.1:{port}"
    with served_stack(tmp_path, plans, smtp.url, now=NOW.isoformat(),
                      env={"PROGRAMME_PUBLIC_URL": public}) as stack:
        try:
            chased = run_programme(stack.client_env, "chase", PLAN_ID)
            mail = {r.rcpt: r for r in smtp.take()}
            assert ("ana@example.gov.uk",) in mail, (chased.stdout, chased.stderr,
                                                     [(r, m.subject) for r, m in mail.items()])
            ana = mail[("ana@example.gov.uk",)]
            link = re.search(rf"{re.escape(public)}/c/{PLAN_ID}/needs-assessment/[A-Za-z0-9_-]+",
                             ana.body("plain")).group(0)
            with programme_web(stack.client_env, port):
                browser.get(link)
                assert "Needs assessment" in browser.title
                assert "You are answering as Ana Lee" in browser.find_element(By.TAG_NAME,
                                                                              "main").text
                confirmation, next_steps = answer_done_by_keyboard(browser)
                browser.save_screenshot(str(tmp_path / "confirmed.png"))
            assert "Needs assessment is recorded as done" in confirmation
            # handed to the task worker, not sent by the web service while the owner waited
            assert "Tom Reid is being told they can start Market engagement event." in next_steps

            [tom] = wait_until(lambda: emails_to_tom(smtp), 60, "Tom's 'you can start' e-mail")
            wait_until(lambda: [r["state"]["type"] for r in follow_up_runs(stack.api)]
                       == ["COMPLETED"], 60, "the follow-up task run to complete", interval=0.25)
        except AssertionError:
            print(stack.tail())
            raise
        assert tom.subject.startswith("You can start: Market engagement event")
        assert f"{public}/c/{PLAN_ID}/market-engagement/" in tom.body("plain")  # his own link
        assert len(emails_to_tom(smtp)) == 1
        status = run_programme(stack.client_env, "status", PLAN_ID, "--json").stdout
        assert '"id": "needs-assessment"' in status and '"status": "done"' in status
