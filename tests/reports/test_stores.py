"""The same report whatever the database: the example scenario recorded in SQLite and in
PostgreSQL gives the same Markdown report, digest and calendar (timestamps are UTC in both)."""

from __future__ import annotations

import pytest
import report_scenario as scenario

from programme.reports import render_digest, render_report, write_ical
from programme.store import Store


@pytest.mark.postgres
def test_postgres_store_gives_the_same_report_as_sqlite(pg_url, snap):
    store = Store(pg_url)
    try:
        plan = scenario.load_plan()
        scenario.record(store, plan)
        on_postgres = scenario.snapshot(store, plan)
    finally:
        store.close()
    assert render_report(on_postgres, "md") == render_report(snap, "md")
    assert render_digest(on_postgres) == render_digest(snap)
    assert write_ical(on_postgres) == write_ical(snap)
