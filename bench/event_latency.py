"""Check-in event → "you can start" email latency on the served stack: a Prefect server on
PostgreSQL, `programme serve`, a real SMTP server. 20 check-ins, one at a time; each is timed
from the moment its event has been sent to the moment the email is received.

    python bench/event_latency.py [--events 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def plan_yaml(n: int) -> str:
    lines = ["id: latency-plan", "title: Latency plan", "lead: lead", "start: 2026-01-05", "people:",
             "  lead: {name: Lead, contacts: [lead@example.gov.uk]}"]
    for i in range(n):
        lines.append(f"  owner-{i}: {{name: Owner {i}, contacts: [owner{i}@example.gov.uk]}}")
    lines.append("milestones:")
    for i in range(n):
        lines.append(f"  - {{id: first-{i}, title: First {i}, owner: lead, due: 2027-12-01}}")
        lines.append(f"  - {{id: next-{i}, title: Next {i}, owner: owner-{i}, due: 2027-12-10, "
                     f"depends_on: [first-{i}]}}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20)
    args = parser.parse_args()
    from chase.conftest import SmtpServer
    from served import served_stack, wait_for

    work = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    plans = work / "plans"
    plans.mkdir()
    (plans / "latency-plan.yaml").write_text(plan_yaml(args.events), encoding="utf-8")
    smtp = SmtpServer()
    smtp.start()
    latencies = []
    try:
        with served_stack(work, plans, smtp.url) as stack:
            os.environ.update(stack.client_env)
            from programme.cli import main as cli_main  # in-process: time the event, not Python start

            for i in range(args.events):
                sys.argv = ["programme", "update", "latency-plan", f"first-{i}", "--done"]
                try:
                    cli_main()
                except SystemExit as exit_:
                    assert not exit_.code, exit_.code
                sent = time.monotonic()
                wait_for(lambda i=i: any(f"owner{i}@example.gov.uk" in r.rcpt for r in smtp.received),
                         120, f"the email to owner {i}", interval=0.05)
                latencies.append(time.monotonic() - sent)
                print(f"event {i + 1}: {latencies[-1]:.2f} s", flush=True)
    finally:
        smtp.stop()
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(f"median {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, max {max(latencies):.2f} s "
          f"over {len(latencies)} events (goal: p95 under 5 s)")


if __name__ == "__main__":
    main()
