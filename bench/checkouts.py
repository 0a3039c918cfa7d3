"""Run the programme of a given checkout in a child process: before/after comparisons in one run.

A benchmark that compares this code with an earlier version (`--before DIR`, a checkout of that
commit, e.g. made with `git worktree add /tmp/before <commit>`) runs each side as a fresh Python
process with `PYTHONPATH` set to its checkout, taking turns (A B A B ...) so that a machine whose
speed drifts slows both sides alike, and quotes the ratio pair by pair.

Byte code: both sides write and read compiled modules under one temporary `PYTHONPYCACHEPREFIX`
(nothing is written into either checkout), and `PYTHONDONTWRITEBYTECODE` is removed, so after a
warm-up run neither side pays for compiling its sources, as an installed package does not.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
PYCACHE = Path(tempfile.gettempdir()) / "programme-bench-pycache"


@dataclass(frozen=True)
class Timed:
    wall: float
    cpu: float  # user + system seconds of the child
    max_rss_kib: int  # ru_maxrss (KiB): on Linux at least the parent's RSS when it started
    done: subprocess.CompletedProcess


def child_env(tree: Path, **extra: str) -> dict[str, str]:
    """The environment for a child running `tree`'s code: no PROGRAMME_* setting of ours leaks in."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PROGRAMME_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(tree), PYTHONPYCACHEPREFIX=str(PYCACHE), COLUMNS="120")
    env.update(extra)
    return env


# Prefix for a child's `python -c` code: drop the import hook of an editable install, which would
# otherwise fill in any module the checkout lacks from the installed copy (mixing two versions).
ISOLATE = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path "
           "if 'editable' not in getattr(f, '__module__', '')]; ")
# The CLI of a checkout (`python -m programme`, isolated): run it with cwd=that checkout and
# child_env(that checkout).
PROGRAMME = [sys.executable, "-c",
             ISOLATE + "import runpy; runpy.run_module('programme', run_name='__main__', alter_sys=True)"]


def run(cmd: list[str], env: dict[str, str], cwd: Path, check: bool = True) -> Timed:
    """Run one child to the end: wall time, CPU time and peak memory from the kernel's accounting
    of that one child (os.wait4), not of every child so far."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(cmd, proc.returncode, out.read(), err.read())
    if check and done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}) in {cwd}:\n"
                         f"{done.stderr[-1500:]}")
    return Timed(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, done)


def machine() -> str:
    """nproc, CPU model and load average, for the figures' heading."""
    model = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration):
        model = next(line.split(":", 1)[1].strip() for line in
                     Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} CPUs ({model}), Python {sys.version.split()[0]}, "
            f"load average {load}")


def summary(label: str, values: list[float], unit: str = "s") -> str:
    return (f"{label}: median {statistics.median(values):.3f} {unit} "
            f"(min {min(values):.3f}, max {max(values):.3f}, {len(values)} runs)")
