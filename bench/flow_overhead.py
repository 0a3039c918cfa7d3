"""Tracking flow of a generated 300-milestone plan vs a bare Prefect flow of 300 no-op tasks.

Both run in this process on the embedded temporary server with the settings `programme run`
uses (flows/settings.py), alternating, after one warm-up run each; the figure is the median of
the timed runs. Target: the tracking flow at most 1.3x the bare flow.

    python bench/flow_overhead.py [--milestones 300] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--milestones", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-flow-"))
    os.environ["PROGRAMME_HOME"] = str(work / "home")
    os.environ.setdefault("PREFECT_HOME", str(work / "prefect"))
    plans = work / "plans"
    plans.mkdir()
    from generate import generate_yaml

    text = generate_yaml(args.milestones, seed=7)
    plan_id = next(line.split(":", 1)[1].strip() for line in text.splitlines()
                   if line.startswith("id:"))
    (plans / f"{plan_id}.yaml").write_text(text, encoding="utf-8")  # named for its plan id

    from flows.settings import embedded

    embedded()
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from flows.tracking import track_plan

    @task(cache_policy=NO_CACHE)
    def noop(i: int) -> None:
        return None

    @flow(name="bare-300")
    def bare(n: int) -> int:
        for i in range(n):
            noop(i)
        return n

    def timed(fn) -> float:
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started

    as_of = "2026-11-27T10:00"
    track = lambda: track_plan(plan_id, as_of=as_of, plans_dir=str(plans), send=False)  # noqa: E731
    base = lambda: bare(args.milestones)  # noqa: E731
    print(f"warm-up: bare {timed(base):.2f} s, tracking {timed(track):.2f} s", flush=True)
    bare_times, track_times = [], []
    for i in range(args.repeats):
        bare_times.append(timed(base))
        track_times.append(timed(track))
        print(f"run {i + 1}: bare {bare_times[-1]:.2f} s, tracking {track_times[-1]:.2f} s",
              flush=True)
    b, t = statistics.median(bare_times), statistics.median(track_times)
    print(f"median: bare {b:.2f} s ({b / args.milestones * 1000:.1f} ms/task), "
          f"tracking {t:.2f} s; ratio {t / b:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
