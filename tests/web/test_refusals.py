"""Links that cannot be used: forged, tampered, unknown, expired, revoked, for another
milestone, or for a milestone that changed owner. Each gets a clear page with the right status
saying whom to ask (the plan's lead), and nothing is recorded, whether opened or posted."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from programme.signing import token_hash
from programme.store.links import Links
from tests.web.conftest import PLAN_YAML, form_fields, make_site, stop_server


def _tamper(url: str) -> str:
    head, token = url.rsplit("/", 1)
    i = len(token) // 2
    return f"{head}/{token[:i]}{'A' if token[i] != 'A' else 'B'}{token[i + 1:]}"


def _random(url: str) -> str:
    return f"{url.rsplit('/', 1)[0]}/{secrets.token_urlsafe(32)}"


def _other_milestone(url: str) -> str:  # Ana's needs-assessment token on another milestone's URL
    return url.replace("/needs-assessment/", "/options-appraisal/")


def _expire(site, url):
    site.clock.now += timedelta(days=31)  # links last 30 days by default


def _revoke(site, url):
    Links(site.store).revoke(token_hash(url.rsplit("/", 1)[1]), site.clock.now)


def _change_owner(site, url):
    text = PLAN_YAML.replace("    owner: ana\n    due: 2026-12-07", "    owner: tom\n    due: 2026-12-07")
    (site.plans / "carers-support.yaml").write_text(text)


def _remove_milestone(site, url):
    text = PLAN_YAML.replace("depends_on: [needs-assessment]", "depends_on: []")
    start = text.index("  - id: needs-assessment")
    end = text.index("  - id: market-engagement")
    (site.plans / "carers-support.yaml").write_text(text[:start] + text[end:])


def _mark_done(site, url):
    from programme.rules.model import Status

    site.store.record("carers-support", "needs-assessment", Status.DONE, site.clock.now, by="lee",
                      source="cli")


# what is done to the URL, what happens to the world after the form is rendered, status, words
CASES = [
    ("random token", _random, None, 404, "This link is not one we sent"),
    ("one character tampered", _tamper, None, 404, "This link is not one we sent"),
    ("token of another milestone", _other_milestone, None, 404, "This link is not one we sent"),
    ("unknown plan", lambda u: u.replace("/carers-support/", "/no-such-plan/"), None, 404,
     "This link is not one we sent"),
    ("expired", None, _expire, 410, "This link has expired"),
    ("revoked", None, _revoke, 410, "This link has been withdrawn"),
    ("owner changed", None, _change_owner, 410, "Someone else owns this milestone now"),
    ("milestone removed", None, _remove_milestone, 410, "This milestone is no longer in the plan"),
    ("already done", None, _mark_done, 410, "Needs assessment is already done"),
]


@pytest.mark.parametrize("name, rewrite, change, status, words", CASES, ids=[c[0] for c in CASES])
def test_a_link_that_cannot_be_used_gets_a_clear_page_and_records_nothing(site, name, rewrite,
                                                                           change, status, words):
    site.queue()
    good = site.link("needs-assessment", "ana")
    fields = form_fields(site.client.get(good).text)
    url = rewrite(good) if rewrite else good
    if change:
        change(site, url)
    before = site.history()
    page = site.client.get(url)
    assert page.status_code == status
    assert words in page.text and "Nothing has been recorded" in page.text
    assert "Traceback" not in page.text
    if "unknown plan" not in name:
        assert "Lee Lead leads this plan" in page.text and "lee@example.gov.uk" in page.text
    posted = site.client.post(url, data={**fields, "choice": "done"})
    # another token no longer matches the form's signature: 403; else the page's own status
    token_changed = url.rsplit("/", 1)[1] != good.rsplit("/", 1)[1]
    assert posted.status_code == (403 if token_changed else status)
    assert site.history() == before


def test_failed_lookups_are_rate_limited_per_client_address(tmp_path, monkeypatch):
    site = make_site(tmp_path, monkeypatch, failure_limit=3, failure_window=3600)
    try:
        site.queue()
        good = site.link("needs-assessment", "ana")
        for _ in range(3):
            assert site.client.get(_random(good)).status_code == 404
        assert site.client.get(_random(good)).status_code == 429
        assert site.client.get(good).status_code == 429  # from this address, for the window
        assert site.history() == []
    finally:
        site.client.close()
        stop_server(site.server, site.thread)
