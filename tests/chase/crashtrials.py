"""Crash trials: a dispatching process is killed with SIGKILL at a random point while it sends,
then a second dispatcher runs the outbox to completion against a real SMTP server (aiosmtpd).

Each trial queues a fresh round of chases and escalations (two per milestone, six per person,
the lead taking the last person's escalations, so one message per person), forks a dispatcher
(from this process, so it starts in milliseconds with everything imported; it reads the plan
from its YAML file like any dispatcher), kills it, notes which rows the kill left `sending` (in
flight: the documented duplicate window, programme.store.outbox.DUPLICATE_WINDOW), and completes
the round after their lease. What must hold: every notification arrives (nothing lost); one that
arrives twice was in flight at the kill, arrives at most twice, and both copies carry the same
Message-ID.

Used by tests/chase/test_crash.py (a few trials) and bench/crash_trials.py (50 and more).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import signal
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pendulum
from sqlalchemy import delete

from notifications.apprise_dispatch import AppriseDispatcher
from programme.store import Store
from programme.store.outbox import SENDING, SENT, Outbox, outbox
from programme.usecases.chase import dispatch_pending, queue_due
from programme.usecases.workspace import Workspace

PLAN_ID = "crash-trials"
NOW = pendulum.datetime(2026, 8, 19, 10, tz="Europe/London")
REF = re.compile(r"^\s*Ref:\s+(\S+)\s*$", re.MULTILINE)


def write_plan(folder: Path, people: int) -> Path:
    """A plan whose every milestone is overdue on NOW: a chase to its owner and an escalation
    to the owner's manager (the next person; the last one's is the lead, since managers may not
    go round in a loop), six notifications to each person but the first (three) and the lead."""
    lines = [f"id: {PLAN_ID}", "title: Crash trials", "lead: lee", "start: 2026-08-03",
             "people:", "  lee:", "    name: Lee Lead", "    contacts: [lee@example.gov.uk]"]
    for i in range(people):
        lines += [f"  p{i}:", f"    name: Person {i}", f"    contacts: [p{i}@example.gov.uk]",
                  f"    manager: {f'p{i + 1}' if i + 1 < people else 'lee'}"]
    lines.append("milestones:")
    for i in range(people):
        for k in range(3):
            lines += [f"  - id: m{i}-{k}", f"    title: Milestone {k} of person {i}",
                      f"    owner: p{i}", "    due: 2026-08-14"]
    path = folder / f"{PLAN_ID}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Counts:
    backend: str
    trials: int = 0
    kills: int = 0  # trials whose dispatcher was still running when killed
    notifications: int = 0
    received: int = 0
    lost: int = 0
    in_flight: int = 0  # notifications a kill left `sending`
    duplicated: int = 0  # notifications delivered more than once
    outside_window: int = 0  # duplicates that were not in flight (must be 0)
    new_message_id: int = 0  # duplicates whose copies differ in Message-ID (must be 0)
    delays: list[float] = field(default_factory=list)

    def line(self) -> str:
        return (f"crash trials ({self.backend}): {self.trials} trials, {self.kills} SIGKILLs "
                f"while sending; {self.notifications} notifications, {self.received} received, "
                f"{self.lost} lost; {self.in_flight} in flight at a kill, {self.duplicated} "
                f"delivered twice (all inside the documented window: {self.outside_window == 0}; "
                f"each copy with its first copy's Message-ID: {self.new_message_id == 0})")


def _dispatch_until_killed(url: str, folder: str, smtp_url: str, ready) -> None:  # forked child
    try:
        ws = Workspace(Store(url), Path(folder))
        ws.store.migrate()
        ws.plan(PLAN_ID)  # connected and the plan read: from here a kill lands in the dispatch
        ready.set()
        dispatcher = AppriseDispatcher(smtp_url=smtp_url)
        while dispatch_pending(ws, dispatcher, NOW, concurrency=2, limit=6).messages:
            pass
    finally:
        os._exit(0)


def _warm(smtp_url: str) -> None:
    """Load Apprise's plugins and the templates once here, so each forked child starts sending
    at once instead of spending its short life importing."""
    import apprise

    from notifications.render import environment

    apprise.Apprise().add(f"{smtp_url}&to=warm@example.gov.uk")
    for name in ("subject.txt", "email.txt", "email.html", "chat.txt"):
        environment().get_template(name)


def _key(row) -> tuple[str, str]:
    return (f"{row.recipient}@example.gov.uk",
            f"{row.milestone_id}/{row.step}@{row.anchor.isoformat()}")


def run_trials(store_url: str, smtp, folder: Path, trials: int, people: int = 20,
               seed: int = 20261027) -> Counts:
    write_plan(folder, people)
    ws = Workspace(Store(store_url), folder)
    plan = ws.plan(PLAN_ID)
    box = Outbox(ws.store)
    ws.store.migrate()
    counts = Counts(store_url.split(":")[0].split("+")[0])
    _warm(smtp.url)
    rng = random.Random(seed)
    ctx = multiprocessing.get_context("fork")
    later = NOW + box.lease + timedelta(seconds=1)

    def clear() -> None:
        with ws.store.engine.begin() as conn:
            conn.execute(delete(outbox))
        smtp.take()

    # one round with no kill: how long sending takes, so that kills land all through it
    clear()
    queue_due(ws, plan, NOW)
    started = time.perf_counter()
    while dispatch_pending(ws, AppriseDispatcher(smtp_url=smtp.url), NOW, concurrency=2,
                           limit=6).messages:
        pass
    span = max(0.05, (time.perf_counter() - started) * 1.2)

    for _ in range(trials):
        clear()
        queued = queue_due(ws, plan, NOW).queued
        expected = {_key(r) for r in box.rows()}
        assert queued == len(expected) == people * 6
        ws.store.engine.dispose()  # no connection shared with the child
        ready = ctx.Event()
        child = ctx.Process(target=_dispatch_until_killed,
                            args=(store_url, str(folder), smtp.url, ready))
        child.start()
        if not ready.wait(60):
            child.kill()
            raise AssertionError("the dispatcher did not start within 60 s")
        delay = rng.uniform(0.0, span)
        time.sleep(delay)
        if child.is_alive():
            os.kill(child.pid, signal.SIGKILL)
            counts.kills += 1
            counts.delays.append(delay)
        child.join()
        in_flight = {_key(r) for r in box.rows([SENDING])}
        dispatch_pending(ws, AppriseDispatcher(smtp_url=smtp.url), later, concurrency=4)
        assert {r.state for r in box.rows()} == {SENT}, "the round completes"

        received: Counter = Counter()
        ids: dict[tuple[str, str], set[str]] = defaultdict(set)
        for msg in smtp.take():
            for ref in REF.findall(msg.body("plain")):
                key = (msg.rcpt[0], ref)
                received[key] += 1
                ids[key].add(str(msg.message["Message-ID"]))
        counts.trials += 1
        counts.notifications += len(expected)
        counts.received += sum(received.values())
        counts.lost += len(expected - set(received))
        counts.in_flight += len(in_flight)
        for key, n in received.items():
            if n > 1:
                counts.duplicated += 1
                if key not in in_flight or n > 2:
                    counts.outside_window += 1
                if len(ids[key]) != 1:
                    counts.new_message_id += 1
    return counts
