"""The README's main-job command, `programme run --all`, on a fresh PREFECT_HOME and a fresh data
folder, then repeated 10 times: each run's wall time. A run "stalls" if it takes more than twice
the median (target: none).

    python bench/main_job.py [--repeats 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-main-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PROGRAMME_"))}
    env.update(PREFECT_HOME=str(work / "prefect"), PROGRAMME_HOME=str(work / "home"))
    times = []
    for i in range(args.repeats + 1):
        started = time.perf_counter()
        result = subprocess.run(["programme", "run", "--all"], cwd=ROOT, env=env,
                                capture_output=True, text=True)
        took = time.perf_counter() - started
        if result.returncode != 0:
            print(result.stdout[-2000:], result.stderr[-2000:])
            raise SystemExit(f"run {i} failed")
        times.append(took)
        label = "fresh PREFECT_HOME" if i == 0 else f"repeat {i}"
        print(f"{label}: {took:.1f} s", flush=True)
    repeats = times[1:]
    median = statistics.median(repeats)
    stalls = [t for t in repeats if t > 2 * median]
    print(f"first {times[0]:.1f} s; repeats median {median:.1f} s, max {max(repeats):.1f} s "
          f"({max(repeats) / median:.2f}x median); stalls: {len(stalls)}")


if __name__ == "__main__":
    main()
