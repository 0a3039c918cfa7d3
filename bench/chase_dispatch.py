"""Chase dispatch, end to end, against bare Apprise and plain smtplib on the same messages.

1,000 due items across 100 owners (10 milestones each, all due today) go policy -> outbox ->
Apprise -> a local aiosmtpd SMTP server running in its own process. In the same run:

  ours, sequential     dispatch_pending(concurrency=1)
  ours, concurrent     dispatch_pending(concurrency=8)
  bare Apprise         the same 100 rendered HTML messages, one Apprise object per message,
                       throttle off, sequential
  bare Apprise x8      the same, on 8 threads
  smtplib              the same 100 messages (MIME built by us), a connection per message,
                       then all on one connection

all under Apprise's default TLS set-up (OpenSSL parses the CA bundle for every TLS context,
which Apprise builds for every email, even on a plain connection; bare Apprise and smtplib run
in the same process and environment). SSL_CERT_FILE and SSL_CERT_DIR are removed from the
environment first, as on a host that does not set them. Printed with the figures: (a) the
outbox layer's time over bare Apprise, both sequential; (b) ours with concurrency 8 against
bare sequential Apprise.
Run: python bench/chase_dispatch.py [--rounds N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import smtplib
import socket
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pendulum

from programme.rules.model import DueRule, Milestone, Person, Plan

OWNERS, PER_OWNER = 100, 10
DUE = date(2026, 8, 14)
NOW = pendulum.datetime(2026, 8, 14, 10, tz="Europe/London")
TLS_ENV = ("SSL_CERT_FILE", "SSL_CERT_DIR")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_server(port: int, counts, ready, delay: float = 0.0) -> None:
    """A counting SMTP sink in its own process, so it does not share our GIL. With `delay`, it
    takes that long to accept each message, as a relay across a network does."""
    import asyncio

    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, _server, _session, envelope):
            if delay:
                await asyncio.sleep(delay)
            for rcpt in envelope.rcpt_tos:
                counts.put(rcpt)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    asyncio.run(asyncio.sleep(10 ** 6))


def plan() -> Plan:
    people = {f"o{i}": Person(f"o{i}", f"Owner {i}", (f"owner{i}@example.gov.uk",))
              for i in range(OWNERS)}
    people["lead"] = Person("lead", "Lead", ("lead@example.gov.uk",))
    milestones = tuple(
        Milestone(id=f"m{i}-{k}", title=f"Milestone {k} of owner {i}", owner=f"o{i}", due=DUE,
                  due_rule=DueRule(text=DUE.isoformat(), absolute=DUE))
        for i in range(OWNERS) for k in range(PER_OWNER))
    return Plan(id="bench", title="Dispatch benchmark", kind="programme", lead="lead",
                start=date(2026, 8, 3), people=people, milestones=milestones)


def drain(counts) -> list[str]:
    got = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            got.append(counts.get(timeout=0.2))
        except Exception:
            if got:
                break
    return got


def timed(fn) -> tuple[float, float]:
    """(wall, CPU) seconds; CPU counts every thread of this process, not the SMTP server's."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def run_round(smtp_url: str, port: int, counts) -> dict[str, tuple[float, float]]:
    import apprise

    from notifications.apprise_dispatch import AppriseDispatcher
    from programme.store import Store
    from programme.store.outbox import Outbox
    from programme.usecases.chase import dispatch_pending, due_items
    from programme.usecases.workspace import Workspace

    out: dict[str, tuple[float, float]] = {}
    the_plan = plan()
    messages = []
    for label, concurrency in (("ours, sequential", 1), ("ours, concurrency 8", 8)):
        folder = Path(tempfile.mkdtemp())
        ws = Workspace(Store(f"sqlite:///{folder / 'bench.db'}"), folder)
        ws.ensure_synced(the_plan, NOW)
        box = Outbox(ws.store)
        t_policy = time.perf_counter()
        items = due_items(ws, the_plan, NOW, sync=False)
        t_queue = time.perf_counter()
        box.enqueue(items, NOW)
        t_done = time.perf_counter()
        assert len(items) == OWNERS * PER_OWNER, len(items)
        result = None

        def go(concurrency=concurrency, ws=ws):
            nonlocal result
            dispatcher = AppriseDispatcher(smtp_url=smtp_url)
            result = dispatch_pending(ws.store, dispatcher, NOW, concurrency=concurrency)

        out[label] = timed(go)
        got = drain(counts)
        assert result.sent == OWNERS * PER_OWNER and result.messages == OWNERS, result
        assert len(got) == OWNERS and len(set(got)) == OWNERS, "one message per owner"
        out["policy+assess (1,000 items)"] = (t_queue - t_policy, float("nan"))
        out["outbox insert (1,000 rows)"] = (t_done - t_queue, float("nan"))
        if not messages:  # the very messages ours sent, for the bare variants
            from notifications.render import render
            from programme.usecases.chase import group_messages

            rows = box.rows()
            for group in group_messages(rows):
                r = render(group[0].recipient_name, [x.payload for x in group], NOW)
                messages.append((group[0].contacts[0], r.subject, r.html))
        ws.store.close()

    def bare_one(msg) -> None:
        to, subject, html = msg
        ap = apprise.Apprise()
        ap.add(f"{smtp_url}&to={to}")
        for service in ap:
            service.request_rate_per_sec = 0
        assert ap.notify(body=html, title=subject, body_format=apprise.NotifyFormat.HTML)

    out["bare Apprise, sequential"] = timed(lambda: [bare_one(m) for m in messages])
    assert len(drain(counts)) == OWNERS
    with ThreadPoolExecutor(8) as pool:
        out["bare Apprise, 8 threads"] = timed(lambda: list(pool.map(bare_one, messages)))
    assert len(drain(counts)) == OWNERS

    def mime(msg) -> str:
        to, subject, html = msg
        m = MIMEMultipart("alternative")
        m["Subject"], m["From"], m["To"] = subject, "chaser@example.gov.uk", to
        m.attach(MIMEText("see the HTML part", "plain", "utf-8"))
        m.attach(MIMEText(html, "html", "utf-8"))
        return m.as_string()

    def smtplib_each() -> None:
        for msg in messages:
            with smtplib.SMTP("127.0.0.1", port) as s:
                s.sendmail("chaser@example.gov.uk", [msg[0]], mime(msg))

    def smtplib_one() -> None:
        with smtplib.SMTP("127.0.0.1", port) as s:
            for msg in messages:
                s.sendmail("chaser@example.gov.uk", [msg[0]], mime(msg))

    out["smtplib, a connection each"] = timed(smtplib_each)
    assert len(drain(counts)) == OWNERS
    out["smtplib, one connection"] = timed(smtplib_one)
    assert len(drain(counts)) == OWNERS
    return out


def machine() -> str:
    with open("/proc/cpuinfo") as cpuinfo:
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo
                      if line.startswith("model name")), platform.processor())
    load = os.getloadavg()[0]
    return (f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
            f"load average {load:.1f} at start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--relay-delay", type=float, default=0.0, metavar="MS",
                        help="the SMTP server takes this long to accept each message (a relay "
                             "across a network; default 0: the local server answers at once)")
    args = parser.parse_args()
    import ssl

    for k in TLS_ENV:  # as on a host that does not set them: OpenSSL's own default bundle
        os.environ.pop(k, None)
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(20):
        ssl.create_default_context()
    print(f"ssl.create_default_context() (what Apprise builds per email): "
          f"{(time.perf_counter() - started) / 20 * 1000:.1f} ms "
          f"({(time.process_time() - cpu) / 20 * 1000:.1f} ms CPU)")

    port = free_port()
    ctx = multiprocessing.get_context("spawn")
    counts, ready = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=smtp_server, args=(port, counts, ready, args.relay_delay / 1000),
                         daemon=True)
    server.start()
    ready.wait(30)
    smtp_url = f"mailto://127.0.0.1:{port}?from=chaser@example.gov.uk"
    print(machine())
    relay = f"; the SMTP server takes {args.relay_delay:g} ms per message" if args.relay_delay else ""
    print(f"{OWNERS * PER_OWNER} due items, {OWNERS} owners; median of {args.rounds} rounds, "
          f"seconds{relay}\n")
    try:
        rounds = [run_round(smtp_url, port, counts) for _ in range(args.rounds)]
        med = {k: statistics.median(r[k][0] for r in rounds) for k in rounds[0]}
        cpu = {k: statistics.median(r[k][1] for r in rounds) for k in rounds[0]}
        print("  variant                              wall s (min-max)       CPU s"
              "   wall ms/message")
        for k, v in med.items():
            walls = [r[k][0] for r in rounds]
            per = "" if "items" in k or "rows" in k else f"  {v / OWNERS * 1000:6.1f}"
            cpu_text = "      " if cpu[k] != cpu[k] else f"{cpu[k]:6.2f}"
            print(f"  {k:34s} {v:7.3f} ({min(walls):.3f}-{max(walls):.3f})  {cpu_text}{per}")
        bare, bare_cpu = med["bare Apprise, sequential"], cpu["bare Apprise, sequential"]
        print(f"  (a) outbox layer over bare Apprise, both sequential: "
              f"{(med['ours, sequential'] - bare) / bare * 100:+.1f}% wall, "
              f"{(cpu['ours, sequential'] - bare_cpu) / bare_cpu * 100:+.1f}% CPU")
        print(f"  (b) ours with concurrency 8 vs bare sequential Apprise: "
              f"{bare / med['ours, concurrency 8']:.2f}x; "
              f"bare Apprise on 8 threads: {bare / med['bare Apprise, 8 threads']:.2f}x")
    finally:
        server.kill()


if __name__ == "__main__":
    main()
