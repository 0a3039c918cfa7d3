"""Portfolio digest (#4): 50 plans x 200 milestones, and how the time grows with plans.

Plans come from bench/generate.py (one seed per plan), with the statuses of a busy programme
recorded as status history in a real SQLite store (not timed). Timed, best of --runs, for the
first 10, 25 and 50 plans:
  store      per plan: collect() = the plan now and a week ago from the store + its history,
             then render_portfolio() = report context for each plan + text, HTML and chat forms
  memory     the same from statuses already in memory: assess() + render_portfolio() only
Linear in plans means the time per plan stays flat from 10 to 50 plans.

    python bench/portfolio_digest.py
    python bench/portfolio_digest.py --plans 10 25 50 --milestones 200 --runs 3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checkouts import machine
from generate import generate_plan, generate_statuses
from sqlalchemy import event

from programme.reports import Snapshot, render_portfolio
from programme.rules.assess import PlanState, assess
from programme.store import Store
from programme.usecases.digest import collect
from programme.usecases.workspace import Workspace


def build(count: int, milestones: int, store: Store, now: datetime):
    plans, statuses = [], []
    for seed in range(count):
        plan = generate_plan(milestones, seed + 1)
        st = generate_statuses(plan, seed + 1, today=now.date())
        store.sync(plan, datetime.combine(plan.start, dtime(9), tzinfo=UTC))
        store.baseline(plan, datetime.combine(plan.start, dtime(10), tzinfo=UTC), "bench")
        for mid, s in st.items():
            when = (datetime.combine(s.done_on, dtime(12), tzinfo=UTC) if s.done_on
                    else now - timedelta(days=2))
            store.record(plan.id, mid, s.status, when, by=s.by, reason=s.reason, forecast=s.forecast)
        plans.append(plan)
        statuses.append(st)
    return plans, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plans", type=int, nargs="+", default=[10, 25, 50])
    parser.add_argument("--milestones", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    now = datetime(2027, 1, 18, 8, 0, tzinfo=UTC)  # a Monday, about a third into the plans
    folder = Path(tempfile.mkdtemp(prefix="portfolio-digest-"))
    store = Store(f"sqlite:///{folder / 'programme.db'}")

    @event.listens_for(store.engine, "connect")
    def _fast_setup(dbapi_connection, _record) -> None:  # set-up speed only: no fsync per record
        dbapi_connection.execute("PRAGMA synchronous=OFF")

    start = time.perf_counter()
    plans, statuses = build(max(args.plans), args.milestones, store, now)
    print(f"machine: {machine()}")
    print(f"set-up (not timed): {len(plans)} plans x {args.milestones} milestones recorded in "
          f"{time.perf_counter() - start:.1f} s")
    ws = Workspace(store)
    results = []
    for count in sorted(args.plans):
        best_store = best_memory = float("inf")
        for _ in range(args.runs):
            t0 = time.perf_counter()
            digest = render_portfolio([collect(ws, p, now, sync=False) for p in plans[:count]])
            best_store = min(best_store, time.perf_counter() - t0)
            t0 = time.perf_counter()
            render_portfolio([Snapshot(PlanState(p, assess(p, s, now), None, None))
                              for p, s in zip(plans[:count], statuses[:count], strict=True)])
            best_memory = min(best_memory, time.perf_counter() - t0)
        assert digest.text.count("\n  Rating: ") == count
        results.append((count, best_store, best_memory))
        print(f"{count:>4} plans: store {best_store:6.3f} s ({1000 * best_store / count:5.1f} ms/plan)   "
              f"memory {best_memory:6.3f} s ({1000 * best_memory / count:5.1f} ms/plan)   "
              f"html {len(digest.html) // 1024} KB, text {len(digest.text) // 1024} KB", flush=True)
    (first, s0, m0), (last, s1, m1) = results[0], results[-1]
    print(f"{last} plans / {first} plans = {last / first:.1f}x the plans: store {s1 / s0:.2f}x the time, "
          f"memory {m1 / m0:.2f}x the time (linear: about {last / first:.1f}x)")
    store.close()


if __name__ == "__main__":
    main()
