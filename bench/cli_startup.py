"""CLI cold start (#2): `programme status <plan>` beside `prefect version`, in the same run.

Each command runs as a fresh process (subprocess), interleaved, --runs times; the median wall
time of each is reported. PROGRAMME_HOME points at a temporary folder that is synced once first,
so `status` measures reading the plan and the store, not the first migration.
Target: programme status <= 0.3x prefect version.

    python bench/cli_startup.py [--plan commissioning-academy-100-day] [--runs 7]
    python bench/cli_startup.py --importtime     # and the slowest imports of `programme status`
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.3


def _run(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed


def _exe(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).parent / name)


def import_times(cmd: list[str], env: dict[str, str], top: int = 15) -> str:
    """The slowest imports (cumulative, microseconds) of one run, from python -X importtime."""
    done = subprocess.run([sys.executable, "-X", "importtime", *cmd], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m[2]), len(m[3]) // 2, m[4]))
    total = sum(c for c, depth, _ in rows if depth == 0)
    lines = [f"total imported: {total / 1e6:.3f} s"]
    for cumulative, depth, name in sorted(rows, reverse=True)[:top]:
        lines.append(f"  {cumulative / 1e6:7.3f} s  {'  ' * depth}{name}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default="commissioning-academy-100-day")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cli-startup-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROGRAMME_")}
        env.update(PROGRAMME_HOME=home, PROGRAMME_PLANS=str(ROOT / "plans"),
                   PREFECT_HOME=str(Path(home) / "prefect"), PYTHONDONTWRITEBYTECODE="0",
                   COLUMNS="120")
        programme, prefect = _exe("programme"), _exe("prefect")
        status = [programme, "status", args.plan]
        version = [prefect, "version"]
        _run([programme, "sync", args.plan], env)
        _run(status, env)  # warm the byte-code caches once for both: "cold" = a new process
        _run(version, env)
        times: dict[str, list[float]] = {"programme status": [], "prefect version": []}
        for _ in range(args.runs):
            times["programme status"].append(_run(status, env))
            times["prefect version"].append(_run(version, env))
        med = {k: statistics.median(v) for k, v in times.items()}
        for name, values in times.items():
            print(f"{name:<17} median {med[name]:.3f} s  (min {min(values):.3f}, "
                  f"max {max(values):.3f}, {len(values)} runs)")
        ratio = med["programme status"] / med["prefect version"]
        print(f"ratio {ratio:.2f} (target <= {TARGET}): {'met' if ratio <= TARGET else 'MISSED'}")
        if args.importtime:
            print("\nprogramme status, slowest imports (cumulative):")
            code = (f"import sys; sys.argv = ['programme', 'status', {args.plan!r}]; "
                    "from programme.cli import main; main()")
            print(import_times(["-c", code], env))


if __name__ == "__main__":
    main()
