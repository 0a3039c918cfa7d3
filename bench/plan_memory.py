"""Plans at scale, whole process: time and peak memory of load + validate + assess, before/after.

Per size (default 1,000 / 10,000 / 50,000 milestones) one plan file is generated
(bench/generate.py, seed 1) with the statuses of a busy programme (generate_statuses). Each
measurement is a fresh Python process running one checkout's code (PYTHONPATH, see
bench/checkouts.py) with a new, empty PROGRAMME_HOME (a plan file read for the first time):

  import    the plan-file reader and the assessment
  read      the statuses (JSON, written by this script)
  timed     load_file(path) (read, parse, validate) + assess(plan, statuses, now)

and reports the seconds of the timed part, the process's peak resident memory (VmHWM in
/proc/self/status, which `/usr/bin/time -v` calls "Maximum resident set size"; read inside the
child, because Linux carries the parent's RSS at exec into the child's ru_maxrss) and the
growth of the peak over the process after its imports (that growth holds the statuses too).
With --before DIR the earlier checkout runs in turn with this one, --runs times each
(A B A B ...). Linear growth: the growth per milestone stays about flat as the plan grows.

    python bench/plan_memory.py [--sizes 1000 10000 50000] [--runs 3] [--before /tmp/before]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkouts import HERE, ISOLATE, child_env, machine, run
from generate import generate_plan, generate_statuses, generate_yaml

# Runs in the child, on either layout: it must not import anything from this checkout's bench/.
CHILD = r'''
import gc, json, sys, time
from datetime import date, datetime
try:
    from programme.planfiles.loading import load_file
    from programme.rules.assess import assess
    from programme.rules.model import CurrentStatus, Status
except ImportError:  # the layout before rules/, planfiles/ and usecases/
    from programme.loading import load_file
    from programme.assess import assess
    from programme.model import CurrentStatus, Status

def peak_kib():  # this process's own peak RSS (VmHWM); ru_maxrss would also count the parent's
    with open("/proc/self/status") as f:  # RSS at exec, which Linux carries over into the child
        return int(next(line.split()[1] for line in f if line.startswith("VmHWM:")))

after_imports = peak_kib()
with open(sys.argv[2], encoding="utf-8") as f:
    data = json.load(f)
day = lambda text: date.fromisoformat(text) if text else None
statuses = {mid: CurrentStatus(Status(s["status"]), forecast=day(s["forecast"]),
                               done_on=day(s["done_on"]), reason=s["reason"], by=s["by"])
            for mid, s in data["statuses"].items()}
now = datetime.fromisoformat(data["now"])
del data
gc.collect()
start = time.perf_counter()
result = load_file(__import__("pathlib").Path(sys.argv[1]))
assert result.ok, result.problems[:3]
assessment = assess(result.plan, statuses, now)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "after_imports_kib": after_imports,
                  "peak_kib": peak_kib(),
                  "milestones": len(result.plan.milestones)}))
'''


def write_inputs(folder: Path, n: int, seed: int) -> tuple[Path, Path]:
    plan = generate_plan(n, seed)
    statuses = generate_statuses(plan, seed)
    today = max((s.done_on for s in statuses.values() if s.done_on), default=plan.start)
    path = folder / f"generated-{n}-{seed}.yaml"
    path.write_text(generate_yaml(n, seed), encoding="utf-8")
    data = {"now": datetime.combine(today, dtime(12), tzinfo=UTC).isoformat(), "statuses": {
        mid: {"status": s.status.value, "forecast": s.forecast and s.forecast.isoformat(),
              "done_on": s.done_on and s.done_on.isoformat(), "reason": s.reason, "by": s.by}
        for mid, s in statuses.items()}}
    status_file = folder / f"statuses-{n}-{seed}.json"
    status_file.write_text(json.dumps(data), encoding="utf-8")
    return path, status_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--before", type=Path, help="a checkout of the earlier code to compare")
    args = parser.parse_args()
    sides = {"after": HERE}
    if args.before:
        sides["before"] = args.before.resolve()
    print(machine())
    rows: dict[tuple[str, int], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="plan-memory-") as tmp:
        work = Path(tmp)
        for n in args.sizes:
            path, status_file = write_inputs(work, n, args.seed)
            got: dict[str, list[dict]] = {side: [] for side in sides}
            for r in range(args.runs + 1):  # the first round writes byte code: not counted
                for side, tree in sides.items():
                    home = work / f"home-{side}-{n}-{r}"
                    t = run([sys.executable, "-c", ISOLATE + CHILD, str(path), str(status_file)],
                            child_env(tree, PROGRAMME_HOME=str(home)), tree)
                    figures = json.loads(t.done.stdout.strip().splitlines()[-1])
                    assert figures["milestones"] == n, figures
                    if r:
                        got[side].append({**figures, "wall": t.wall})
            for side, results in got.items():
                row = {key: statistics.median(x[key] for x in results)
                       for key in ("seconds", "wall", "after_imports_kib", "peak_kib")}
                row["growth_kib"] = statistics.median(x["peak_kib"] - x["after_imports_kib"]
                                                      for x in results)
                rows[side, n] = row
                print(f"{n:>7,} milestones, {side:>6}: load+validate+assess "
                      f"{row['seconds']:.3f} s (process {row['wall']:.2f} s); peak RSS "
                      f"{row['peak_kib'] / 1024:7.1f} MiB, after imports "
                      f"{row['after_imports_kib'] / 1024:5.1f} MiB, growth "
                      f"{row['growth_kib'] / 1024:7.1f} MiB = {row['growth_kib'] / n:5.2f} KiB "
                      f"per milestone (median of {args.runs})", flush=True)
            if "before" in sides:
                a, b = rows["after", n], rows["before", n]
                print(f"{'':>7}  after / before: time {a['seconds'] / b['seconds']:.2f}x, "
                      f"peak RSS {a['peak_kib'] / b['peak_kib']:.2f}x, "
                      f"growth {a['growth_kib'] / b['growth_kib']:.2f}x", flush=True)
    sizes = sorted(args.sizes)
    for side in sides:
        for small, big in itertools.pairwise(sizes):
            s, b = rows[side, small], rows[side, big]
            print(f"{side}: {big:,} / {small:,} milestones ({big / small:g}x the plan): time "
                  f"{b['seconds'] / s['seconds']:.2f}x, memory growth "
                  f"{b['growth_kib'] / s['growth_kib']:.2f}x")


if __name__ == "__main__":
    main()
