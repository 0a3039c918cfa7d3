"""Ten `programme update` processes started at once on a database nobody has used yet:
each migrates (once, under a lock), syncs the plan (insert or skip) and records its check-in.
Every one is recorded, none fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from programme.store import Store

SHIPPED = Path(__file__).resolve().parents[2] / "plans"
PLAN = "commissioning-academy-100-day"
MILESTONES = ("scope-agreed", "understand-the-system", "stakeholder-map")
PROCESSES = 10


@pytest.mark.slow
def test_ten_simultaneous_first_check_ins_are_all_recorded(store_url, tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PROGRAMME_")}
    environ.update(PROGRAMME_HOME=str(tmp_path / "home"), PROGRAMME_PLANS=str(SHIPPED),
                   PROGRAMME_DATABASE_URL=store_url, PROGRAMME_DELIVERY="sink",
                   PROGRAMME_NOW="2026-11-02T10:00+00:00")
    from programme.planfiles.loading import load_file

    ids = [m.id for m in load_file(SHIPPED / f"{PLAN}.yaml").plan.milestones]
    targets = [ids[i % 3] for i in range(PROCESSES)]
    processes = [subprocess.Popen(
        [sys.executable, "-m", "programme", "update", PLAN, mid, "--note", f"check-in {i}"],
        env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i, mid in enumerate(targets)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in processes]
    failed = [(code, err) for code, _, err in results if code != 0]
    assert not failed, failed[:3]
    history = Store(store_url).history(PLAN)
    assert sorted(e.note for e in history) == sorted(f"check-in {i}" for i in range(PROCESSES))
    assert all("Traceback" not in err for _, _, err in results)
