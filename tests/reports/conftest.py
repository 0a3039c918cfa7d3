"""Fixtures for the report tests: a real SQLite store in a temporary folder, the example plan
with a recorded history, and the same plan full of hostile text."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import report_scenario as scenario

from programme.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'programme.db'}")
    yield s
    s.close()


@pytest.fixture
def plan():
    return scenario.load_plan()


@pytest.fixture(scope="session")
def snap(tmp_path_factory):
    """The example plan's Snapshot (immutable data, so one per session)."""
    s = Store(f"sqlite:///{tmp_path_factory.mktemp('example') / 'programme.db'}")
    plan = scenario.load_plan()
    scenario.record(s, plan)
    yield scenario.snapshot(s, plan)
    s.close()


@pytest.fixture(scope="session")
def hostile(tmp_path_factory):
    s = Store(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'programme.db'}")
    plan = scenario.hostile_plan()
    scenario.record(s, plan, scenario.HOSTILE_HISTORY)
    yield scenario.snapshot(s, plan)
    s.close()


@pytest.fixture(autouse=True)
def _no_template_override(monkeypatch):
    monkeypatch.delenv("PROGRAMME_TEMPLATES", raising=False)
