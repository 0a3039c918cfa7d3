"""Fifty people answer at once, each on their own milestone, on PostgreSQL (the store several
web processes share): fifty history rows, no errors, no answer lost or doubled."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from programme.rules.model import Status
from tests.web.conftest import PLAN_ID, form_fields, make_site, stop_server

N = 50

PEOPLE = "\n".join(f"  p{i:02d}: {{name: Person {i:02d}, contacts: [p{i:02d}@example.gov.uk]}}"
                   for i in range(N))
MILESTONES = "\n".join(f"  - {{id: m{i:02d}, title: Milestone {i:02d}, owner: p{i:02d}, due: 2026-12-07}}"
                       for i in range(N))
PLAN = f"""\
id: {PLAN_ID}
title: Fifty at once
lead: lee
start: 2026-11-02
people:
  lee: {{name: Lee Lead, contacts: [lee@example.gov.uk]}}
{PEOPLE}
milestones:
{MILESTONES}
"""


@pytest.mark.postgres
def test_fifty_concurrent_check_ins_on_distinct_milestones_record_fifty_rows(tmp_path, monkeypatch,
                                                                             pg_url):
    site = make_site(tmp_path, monkeypatch, store_url=pg_url, plan_yaml=PLAN)
    try:
        site.queue()
        pages = [(site.link(f"m{i:02d}", f"p{i:02d}"), None) for i in range(N)]
        forms = [(url, form_fields(site.client.get(url).text)) for url, _ in pages]

        def post(job):
            url, fields = job
            import httpx

            with httpx.Client(timeout=60) as client:  # a client (a connection) per person
                return client.post(url, data={**fields, "choice": "done"})

        with ThreadPoolExecutor(max_workers=N) as pool:
            responses = list(pool.map(post, forms))
        assert [r.status_code for r in responses] == [200] * N
        assert all("recorded as done" in r.text for r in responses)
        rows = site.history()
        assert len(rows) == N
        assert {e.milestone_id for e in rows} == {f"m{i:02d}" for i in range(N)}
        assert all(e.status == Status.DONE and e.source == "link" and e.by == f"p{e.milestone_id[1:]}"
                   for e in rows)
    finally:
        site.client.close()
        stop_server(site.server, site.thread)
        site.store.close()
