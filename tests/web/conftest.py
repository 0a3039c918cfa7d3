"""The check-in service under a real uvicorn on a free loopback port, on a plan in a temporary
folder, with the clock injected (`site.clock.now`), and the links its messages carry taken from
the outbox the way the sender makes them."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from programme.store import Store
from programme.usecases.workspace import Workspace
from tests.chase.conftest import free_port

PLAN_ID = "carers-support"
PLAN_YAML = """\
id: carers-support
title: Carers support recommissioning
lead: lee
sponsor: sue
start: 2026-11-02
people:
  ana: {name: Ana Lee, contacts: [ana@example.gov.uk], manager: bo}
  bo: {name: Bo Khan, contacts: [bo@example.gov.uk]}
  tom: {name: Tom Reid, contacts: [tom@example.gov.uk]}
  lee: {name: Lee Lead, contacts: [lee@example.gov.uk]}
  sue: {name: Sue Sponsor, contacts: [sue@example.gov.uk]}
subscribers: [lee, sue]
milestones:
  - id: needs-assessment
    title: Needs assessment
    owner: ana
    due: 2026-12-07
    evidence: Signed-off needs assessment on the shared drive
  - id: market-engagement
    title: Market engagement event
    owner: tom
    due: 2026-12-18
    depends_on: [needs-assessment]
  - id: options-appraisal
    title: Options appraisal
    owner: ana
    due: 2026-11-20
"""
# Wednesday 2 December 2026, 10:00 in London: inside the sending window. Needs assessment is due
# in 3 working days (its reminder is due), Options appraisal is 8 working days overdue (a chase,
# and an escalation to Ana's manager Bo).
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Site:
    url: str
    store: Store
    plans: Path
    clock: Clock
    client: httpx.Client
    server: object = None
    thread: threading.Thread | None = None
    extra: dict = field(default_factory=dict)

    def ws(self) -> Workspace:
        return Workspace(self.store, self.plans)

    def plan(self):
        return self.ws().plan(PLAN_ID)

    def history(self, milestone_id: str | None = None):
        return [e for e in self.store.history(PLAN_ID, milestone_id) if e.source != "sync"]

    def queue(self) -> None:
        """Queue what is due now (the reminder, the chase, the escalation): links are issued."""
        from programme.usecases.chase import queue_due

        queue_due(self.ws(), self.plan(), self.clock.now)

    def links(self) -> dict[tuple[str, str, str], str]:
        """(milestone, recipient, step) -> the link its message carries, as the sender makes it."""
        from programme.store.outbox import Outbox
        from programme.usecases.links import item_url

        out = {}
        for row in Outbox(self.store).rows():
            if row.payload.get("kind") == "digest":
                from programme.usecases.links import digest_url

                out[(row.milestone_id, row.recipient, row.step)] = digest_url(row.payload, row.key)
            else:
                out[(row.milestone_id, row.recipient, row.step)] = item_url(row.payload)
        return out

    def link(self, milestone_id: str, recipient: str) -> str:
        found = [u for (m, r, _), u in self.links().items() if m == milestone_id and r == recipient]
        assert found, f"no link for {milestone_id} to {recipient}: {sorted(self.links())}"
        return found[0]


def start_server(app, port: int) -> tuple[object, threading.Thread]:
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        assert thread.is_alive(), "uvicorn stopped at start"
        time.sleep(0.02)
    return server, thread


def stop_server(server, thread) -> None:
    server.should_exit = True
    thread.join(timeout=15)


def make_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str | None = None,
              plan_yaml: str = PLAN_YAML, **app_options) -> Site:
    from programme.web import create_app

    plans = tmp_path / "plans"
    plans.mkdir(exist_ok=True)
    (plans / f"{PLAN_ID}.yaml").write_text(plan_yaml, encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("PROGRAMME_PUBLIC_URL", url)
    store = Store(store_url or f"sqlite:///{tmp_path / 'web.db'}")
    clock = Clock()
    app = create_app(clock=clock, plans_dir=plans, store=store, **app_options)
    server, thread = start_server(app, port)
    client = httpx.Client(base_url=url, timeout=30, follow_redirects=False)
    return Site(url, store, plans, clock, client, server, thread)


@pytest.fixture
def site(tmp_path, monkeypatch) -> Site:
    s = make_site(tmp_path, monkeypatch)
    yield s
    s.client.close()
    stop_server(s.server, s.thread)
    s.store.close()


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields of the page's form (its CSRF token and idempotency key)."""
    import re

    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))


def answer(site: Site, url: str, **fields: str) -> httpx.Response:
    """Open the link (GET) and post its form with `fields`, as a person would."""
    page = site.client.get(url)
    assert page.status_code == 200, page.text
    return site.client.post(url, data={**form_fields(page.text), **fields})


def send_everything(site: Site) -> list:
    """Queue what is due, a digest (with each reader's report link) and a check-in's follow-ups,
    send it all to the local sink, and return every message that arrived there."""
    import os

    from notifications.apprise_dispatch import AppriseDispatcher
    from notifications.sink import read_sink
    from programme.reports import render_digest
    from programme.rules.model import Status
    from programme.store.outbox import Outbox
    from programme.usecases.chase import dispatch_pending
    from programme.usecases.checkin import CheckIn, record_checkin
    from programme.usecases.digest import collect, digest_items
    from programme.usecases.links import REPORT_LINK

    ws, now = site.ws(), site.clock.now
    plan = ws.plan(PLAN_ID)
    site.queue()
    digest = render_digest(collect(ws, plan, now), report_link=REPORT_LINK)
    Outbox(site.store).enqueue(digest_items(plan, digest, now.date()), now)
    dispatcher = AppriseDispatcher(smtp_url="")
    dispatch_pending(ws, dispatcher, now)  # contacts are read from the live plans
    from programme.compose import follow_up_in_process

    record_checkin(ws, plan, CheckIn("needs-assessment", Status.DONE, by="ana"), now,
                   follow_up_in_process(ws))  # "you can start" to Tom, with his link
    dispatch_pending(ws, dispatcher, now)  # contacts are read from the live plans
    return read_sink(Path(os.environ["PROGRAMME_HOME"]) / "sink")


def message_links(message) -> list[str]:
    """Every http(s) link in every part of a message."""
    import re

    urls: set[str] = set()
    for part in message.walk():
        if part.get_content_maintype() == "text":
            urls.update(re.findall(r"https?://[^\s\"'<>]+", part.get_content()))
    return sorted(urls)
