"""`programme status` and `programme report` on a plan with a year of daily check-ins on every
milestone, against the same plan with no history, in the same run.

    python bench/history_scale.py [--milestones 300] [--runs 5] [--keep DIR]

The plan is generated (bench/generate.py, seed 1). One data folder holds it with no status
history (synced only); the other with a check-in on every working day of the year before
`--as-of` on every milestone (300 milestones: about 74,000 history rows), written in bulk and
then folded once by the store, as a store migrated from before 0004 is on its first read
(untimed). Each command runs in a fresh process (imports, plan file, store, all), best of
`--runs`, the two stores taking turns. Target: with history at most 1.2x without.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_yaml
from report_vs_tj3 import machine

from programme.planfiles.loading import load_file
from programme.rules.model import Status
from programme.rules.workdays import working_calendar

TARGET = 1.2


def build(home: Path, plan, now: datetime, history: bool, seed: int) -> int:
    """A store holding the plan, and a year of daily check-ins on every milestone if asked."""
    from sqlalchemy import insert, update

    from programme.store import Store
    from programme.store import tables as t

    store = Store(f"sqlite:///{home / 'programme.db'}")
    first = now - timedelta(days=366)
    store.sync(plan, first)
    if not history:
        store.close()
        return 0
    rng = random.Random(seed)
    cal = working_calendar(plan.calendar)
    days = [first.date() + timedelta(days=i) for i in range(366)]
    days = [d for d in days if cal.is_working_day(d)]
    rows = []
    for m in plan.milestones:
        previous = Status.NOT_STARTED
        for d in days:
            status = rng.choice([Status.IN_PROGRESS] * 8 + [Status.BLOCKED, Status.NOT_STARTED])
            at = datetime.combine(d, dtime(9 + rng.randrange(8), rng.randrange(60)), tzinfo=UTC)
            rows.append(dict(plan_id=plan.id, milestone_id=m.id, at=at, by=m.owner,
                             old_status=previous.value, new_status=status.value,
                             forecast=m.due + timedelta(days=rng.randrange(0, 30))
                             if rng.random() < 0.2 else None,
                             reason="waiting for sign-off" if status == Status.BLOCKED else None,
                             note=f"check-in {d.isoformat()}", source="cli", happened_on=None))
            previous = status
    with store.engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(t.status_history), rows[start:start + 5000])
        conn.execute(update(t.milestones).where(t.milestones.c.plan_id == plan.id).values(
            status_known=False))
    store.statuses(plan.id, plan.timezone)  # folded once, checkpoints written (untimed)
    store.close()
    return len(rows)


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[3:])} failed:\n{done.stderr[-1500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--milestones", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    print(machine(), flush=True)
    work = args.keep or Path(tempfile.mkdtemp(prefix="history-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    plans = work / "plans"
    shutil.rmtree(plans, ignore_errors=True)
    plans.mkdir()
    text = generate_yaml(args.milestones, args.seed)
    probe = work / f"generated-{args.milestones}-{args.seed}.yaml"  # named for its plan id
    probe.write_text(text, encoding="utf-8")
    plan = load_file(probe).plan
    (plans / f"{plan.id}.yaml").write_text(text, encoding="utf-8")
    now = datetime.combine(plan.start + timedelta(days=400), dtime(17), tzinfo=UTC)
    homes = {}
    for label, history in (("no history", False), ("a year of daily check-ins", True)):
        home = work / ("home-history" if history else "home-empty")
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir()
        started = time.perf_counter()
        count = build(home, plan, now, history, args.seed)
        print(f"store with {label}: {count:,} history rows (set-up {time.perf_counter() - started:.1f} s)",
              flush=True)
        homes[label] = home
    as_of = now.date().isoformat()
    commands = {
        "status": ["status", plan.id, "--as-of", as_of],
        "report": ["report", plan.id, "--format", "html", "--as-of", as_of, "-o",
                   str(work / "report.html")],
    }
    best: dict[tuple[str, str], tuple[float, float]] = {}
    for name, command in commands.items():
        for home in homes.values():  # the first run of each syncs nothing new: warm-up
            env = {**os.environ, "PROGRAMME_HOME": str(home), "PROGRAMME_PLANS": str(plans),
                   "PROGRAMME_DELIVERY": "sink"}
            env.pop("PROGRAMME_DATABASE_URL", None)
            timed([sys.executable, "-m", "programme", *command], env)
        for _ in range(args.runs):
            for label, home in homes.items():
                env = {**os.environ, "PROGRAMME_HOME": str(home), "PROGRAMME_PLANS": str(plans),
                       "PROGRAMME_DELIVERY": "sink"}
                env.pop("PROGRAMME_DATABASE_URL", None)
                got = timed([sys.executable, "-m", "programme", *command], env)
                key = (name, label)
                best[key] = min(best.get(key, got), got, key=lambda x: x[0])
    missed = False
    for name in commands:
        empty, full = best[(name, "no history")], best[(name, "a year of daily check-ins")]
        wall, cpu = full[0] / empty[0], full[1] / empty[1]
        ok = min(wall, cpu) <= TARGET
        missed |= not ok
        print(f"`programme {name}` ({args.milestones} milestones, best of {args.runs}): "
              f"no history {empty[0]:.3f} s wall / {empty[1]:.3f} s CPU; a year of history "
              f"{full[0]:.3f} s wall / {full[1]:.3f} s CPU: {wall:.2f}x wall, {cpu:.2f}x CPU -> "
              f"{'OK' if ok else 'MISSED'} (target <= {TARGET}x)", flush=True)
    print(f"files in {work}")
    if missed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
