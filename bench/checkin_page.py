"""The check-in page under load: N concurrent clients (default 20) for S seconds (default 60)
against `programme web` on loopback, each opening its own milestone's link (GET: the confirm
page with a fresh CSRF token) and posting an answer (POST: a note, recorded through the same use
case as `programme update`, follow-ups included), in a bounded loop. Prints p50/p95 of GET and
POST, throughput and errors, and checks that every POST answered 200 added exactly one history
row.

The server is a separate process (`python -m programme web`, one uvicorn worker, the embedded
SQLite store by default, or `--store postgresql+psycopg://...`), so the clients do not share its
interpreter. Every process runs at one instant inside the sending window (PROGRAMME_NOW).

    python bench/checkin_page.py [--clients 20] [--seconds 60] [--store URL]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = "2026-12-02T10:00:00+00:00"
PLAN_ID = "load-test"
MAX_ROUNDS = 100_000  # per client: the loop is bounded by count as well as by time


def plan_yaml(n: int) -> str:
    people = "\n".join(f"  p{i:02d}: {{name: Person {i:02d}, contacts: [p{i:02d}@example.gov.uk]}}"
                       for i in range(n))
    milestones = "\n".join(
        f"  - {{id: m{i:02d}, title: Milestone {i:02d}, owner: p{i:02d}, due: 2026-12-07}}"
        for i in range(n))
    return (f"id: {PLAN_ID}\ntitle: Load test\nlead: lee\nstart: 2026-11-02\npeople:\n"
            f"  lee: {{name: Lee Lead, contacts: [lee@example.gov.uk]}}\n{people}\n"
            f"milestones:\n{milestones}\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--store", default=None, help="database URL (default: SQLite in a temp folder)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-checkin-"))
    plans = work / "plans"
    plans.mkdir()
    (plans / f"{PLAN_ID}.yaml").write_text(plan_yaml(args.clients))
    port = free_port()
    env = {**os.environ, "PROGRAMME_HOME": str(work / "home"), "PROGRAMME_NOW": NOW,
           "PROGRAMME_PUBLIC_URL": f"http://127.0.0.1:{port}", "PROGRAMME_PLANS": str(plans),
           "PROGRAMME_DELIVERY": "sink", "PYTHONPATH": str(ROOT)}
    env.pop("PREFECT_API_URL", None)
    if args.store:
        env["PROGRAMME_DATABASE_URL"] = args.store
    else:
        env.pop("PROGRAMME_DATABASE_URL", None)
    os.environ.update({k: env[k] for k in ("PROGRAMME_HOME", "PROGRAMME_PUBLIC_URL")})
    if args.store:
        os.environ["PROGRAMME_DATABASE_URL"] = args.store

    # the reminders, with their links, as `programme chase` sends them
    subprocess.run([sys.executable, "-m", "programme", "chase", PLAN_ID], env=env, check=True,
                   capture_output=True, timeout=300)
    from programme.store import Store
    from programme.store.outbox import Outbox
    from programme.usecases.links import item_url

    store = Store(args.store)
    urls = sorted({item_url(r.payload) for r in Outbox(store).rows() if r.payload.get("link")})
    assert len(urls) == args.clients, (len(urls), args.clients)
    rows_before = len(store.history(PLAN_ID))

    server = subprocess.Popen([sys.executable, "-m", "programme", "web", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"programme web did not start: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)

        gets: list[float] = []
        posts: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        start = threading.Event()
        stop_at = [0.0]

        def client(url: str) -> None:
            own_gets, own_posts, own_errors = [], [], []
            with httpx.Client(timeout=30) as http:
                start.wait()
                for n in range(MAX_ROUNDS):
                    if time.monotonic() >= stop_at[0]:
                        break
                    t0 = time.perf_counter()
                    page = http.get(url)
                    t1 = time.perf_counter()
                    if page.status_code != 200:
                        own_errors.append(f"GET {page.status_code}")
                        continue
                    own_gets.append(t1 - t0)
                    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">',
                                             page.text))
                    t2 = time.perf_counter()
                    answer = http.post(url, data={**fields, "choice": "note", "note": f"round {n}"})
                    t3 = time.perf_counter()
                    if answer.status_code != 200 or "is recorded" not in answer.text:
                        own_errors.append(f"POST {answer.status_code}")
                        continue
                    own_posts.append(t3 - t2)
            with lock:
                gets.extend(own_gets)
                posts.extend(own_posts)
                errors.extend(own_errors)

        threads = [threading.Thread(target=client, args=(u,)) for u in urls]
        for t in threads:
            t.start()
        began = time.monotonic()
        stop_at[0] = began + args.seconds
        start.set()
        for t in threads:
            t.join(args.seconds + 120)
        elapsed = time.monotonic() - began
    finally:
        server.terminate()
        server.wait(timeout=30)

    rows = len(store.history(PLAN_ID)) - rows_before
    ms = 1000
    print(f"check-in page: {args.clients} clients, {elapsed:.1f} s, store "
          f"{'PostgreSQL' if args.store else 'SQLite'}, {os.cpu_count()} cores")
    print(f"  GET : {len(gets):6d} requests, p50 {percentile(gets, 50) * ms:6.1f} ms, "
          f"p95 {percentile(gets, 95) * ms:6.1f} ms, mean {statistics.fmean(gets) * ms:6.1f} ms")
    print(f"  POST: {len(posts):6d} requests, p50 {percentile(posts, 50) * ms:6.1f} ms, "
          f"p95 {percentile(posts, 95) * ms:6.1f} ms, mean {statistics.fmean(posts) * ms:6.1f} ms")
    print(f"  throughput {(len(gets) + len(posts)) / elapsed:.1f} requests/s; errors {len(errors)}"
          f"{' ' + str(sorted(set(errors))) if errors else ''}")
    print(f"  history rows added {rows} for {len(posts)} answers posted "
          f"({'one each' if rows == len(posts) else 'MISMATCH'})")
    if errors or rows != len(posts):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
