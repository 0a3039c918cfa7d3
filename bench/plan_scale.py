"""Plans at scale (#2): load + validate + forecast + rating for 1,000 / 10,000 / 50,000 milestones.

Each size is written once as a real YAML plan file (bench/generate.py), then, best of --runs:
  parse     read the file and parse the YAML (programme.planfiles.yamlfile.load_yaml)
  validate  raw plan -> Plan, every check (programme.planfiles.validation.validate)
  forecast  topological order + forecast of every milestone + critical path (programme.rules.forecast)
  rating    the rest of programme.rules.assess.assess: derived states, ratings per milestone/phase/plan
  total     programme.planfiles.loading.load_file(path) then assess(plan, statuses, now), timed end to end
            (the stages are timed separately too, so total ~ parse + validate + forecast + rating)

Statuses are those of a busy programme (bench.generate.generate_statuses): 30% done, ~1% blocked,
~5% with an owner's forecast, ~10% in progress, assessed on the day the 30% point falls due.

Printed with the figures: how the total grows from 10,000 to 50,000 milestones (5x the plan).
Peak memory, and the same against an earlier checkout, is bench/plan_memory.py.

    python bench/plan_scale.py                      # all sizes, best of 3
    python bench/plan_scale.py --sizes 10000 --profile   # and a cProfile of one total run
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generate import generate_statuses, generate_yaml

from programme.planfiles.loading import load_file
from programme.planfiles.validation import validate
from programme.planfiles.yamlfile import load_yaml
from programme.rules.assess import assess
from programme.rules.forecast import critical_path, forecast_all, topological_order
from programme.rules.workdays import plan_today, working_calendar


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _statuses_and_now(plan, seed: int):
    statuses = generate_statuses(plan, seed)
    today = max((s.done_on for s in statuses.values() if s.done_on), default=plan.start)
    return statuses, datetime.combine(today, dtime(12), tzinfo=UTC)


def measure(path: Path, runs: int, seed: int) -> dict[str, float]:
    best: dict[str, float] = {}

    def keep(stage: str, seconds: float) -> None:
        best[stage] = min(best.get(stage, float("inf")), seconds)

    first = load_file(path)
    if not first.ok:
        raise SystemExit(f"generated plan does not validate: {first.problems[:3]}")
    statuses, now = _statuses_and_now(first.plan, seed)

    def forecast(plan):
        cal = working_calendar(plan.calendar)
        order = topological_order(plan)
        f = forecast_all(plan, statuses, plan_today(now, plan.timezone), cal, order)
        return critical_path(plan, f, cal)

    for _ in range(runs):
        gc.collect()
        t_parse, raw = _timed(lambda: load_yaml(path.read_text(encoding="utf-8")))
        t_validate, (plan, _problems) = _timed(lambda: validate(raw, path.name))  # noqa: B023
        t_forecast, _ = _timed(lambda: forecast(plan))  # noqa: B023
        t_assess, _ = _timed(lambda: assess(plan, statuses, now))  # noqa: B023
        keep("parse", t_parse)
        keep("validate", t_validate)
        keep("forecast", t_forecast)
        keep("rating", max(0.0, t_assess - t_forecast))
        gc.collect()
        t_total, _ = _timed(lambda: _end_to_end(path, statuses, now))
        keep("total", t_total)
    return best


def _end_to_end(path: Path, statuses, now):
    result = load_file(path)
    if not result.ok:
        raise SystemExit(f"load_file failed: {result.problems[:3]}")
    return assess(result.plan, statuses, now)


def profile(path: Path, seed: int, top: int = 25) -> str:
    statuses, now = _statuses_and_now(load_file(path).plan, seed)
    prof = cProfile.Profile()
    prof.enable()
    _end_to_end(path, statuses, now)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile one end-to-end run per size")
    args = parser.parse_args()

    rows = {}
    with tempfile.TemporaryDirectory(prefix="plan-scale-") as tmp:
        os.environ["PROGRAMME_HOME"] = str(Path(tmp) / "home")
        for n in args.sizes:
            path = Path(tmp) / f"generated-{n}-{args.seed}.yaml"  # named for its plan id
            path.write_text(generate_yaml(n, args.seed), encoding="utf-8")
            size_kb = path.stat().st_size / 1024
            rows[n] = measure(path, args.runs, args.seed)
            r = rows[n]
            print(f"{n:>7,} milestones ({size_kb:,.0f} KiB YAML): parse {r['parse']:.3f}s  "
                  f"validate {r['validate']:.3f}s  forecast {r['forecast']:.3f}s  "
                  f"rating {r['rating']:.3f}s  | total {r['total']:.3f}s  "
                  f"(without YAML parse {r['total'] - r['parse']:.3f}s)", flush=True)
            if args.profile:
                print(profile(path, args.seed), flush=True)

    if 10000 in rows and 50000 in rows:
        ratio = rows[50000]["total"] / rows[10000]["total"]
        print(f"\n50,000 / 10,000 milestones: {ratio:.2f}x the time for 5x the plan")

if __name__ == "__main__":
    main()
