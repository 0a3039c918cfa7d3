"""What running Python plans in a child process costs, against running them in this process.

    python bench/python_plans.py [--runs 10]

For the two shipped Python plans: the plan data read through the child process
(programme.planfiles.pythonplans: start Python, run the file, send JSON back, decode), one
plan and both in one child, against `runpy.run_path` in this process (how plans were run
before). Also `programme status PLAN` in a fresh process for a YAML plan and a Python plan of
about the same size. Best of `--runs`, wall and CPU (this process and its children).
"""

from __future__ import annotations

import argparse
import os
import resource
import runpy
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report_vs_tj3 import machine  # noqa: E402

from programme.planfiles.pythonplans import run_python_plans  # noqa: E402

PYTHON_PLANS = [ROOT / "plans" / "design-in-the-public-sector.py",
                ROOT / "plans" / "healthy-lifestyles-commissioning.py"]


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best(fn, runs: int) -> tuple[float, float]:
    out = []
    for _ in range(runs):
        wall, used = time.perf_counter(), cpu()
        fn()
        out.append((time.perf_counter() - wall, cpu() - used))
    return min(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(machine())
    rows = [
        ("in this process (runpy), 1 plan", lambda: runpy.run_path(str(PYTHON_PLANS[0]))),
        ("child process, 1 plan", lambda: run_python_plans(PYTHON_PLANS[:1])),
        ("child process, 2 plans", lambda: run_python_plans(PYTHON_PLANS)),
    ]
    for label, fn in rows:
        wall, used = best(fn, args.runs)
        print(f"{label:<36} {wall * 1000:7.1f} ms wall {used * 1000:7.1f} ms CPU")
    home = Path(tempfile.mkdtemp(prefix="python-plans-"))
    env = {**os.environ, "PROGRAMME_HOME": str(home), "PROGRAMME_PLANS": str(ROOT / "plans")}
    env.pop("PROGRAMME_DATABASE_URL", None)
    for plan in ("council-website-redesign", "healthy-lifestyles-commissioning"):
        command = [sys.executable, "-m", "programme", "status", plan, "--as-of", "2026-11-23"]
        subprocess.run(command, env=env, capture_output=True, check=True)  # first: store made
        wall, used = best(lambda c=command: subprocess.run(c, env=env, capture_output=True,
                                                             check=True), args.runs)
        kind = "Python" if plan.startswith("healthy") else "YAML"
        print(f"`programme status {plan}` ({kind}) {wall:6.3f} s wall {used:6.3f} s CPU")


if __name__ == "__main__":
    main()
