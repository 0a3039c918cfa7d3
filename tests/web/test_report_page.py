"""The digest's link opens the plan's latest report, read-only for a reader; the lead's link
adds the form that records the lead's own rating (once per form, whatever the resubmits)."""

from __future__ import annotations

from sqlalchemy import func, select

from programme.store import tables as t
from tests.web.conftest import form_fields, send_everything


def _ratings(site) -> int:
    with site.store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.lead_ratings)).scalar()


def _digest_links(site) -> dict[str, str]:
    return {r: u for (m, r, s), u in site.links().items() if s == "digest"}


def test_every_digest_reader_gets_their_own_report_link(site):
    messages = send_everything(site)
    links = _digest_links(site)
    assert set(links) == {"lee", "sue"} and links["lee"] != links["sue"]
    texts = [(m, m.get_body(preferencelist=("plain",)).get_content()) for m in messages]
    digests = [(m, text) for m, text in texts if "Full report:" in text]
    assert len(digests) == 2
    for m, text in digests:
        reader = "lee" if "lee@" in m["To"] else "sue"
        assert f"Full report: {links[reader]}" in text


def test_a_readers_link_shows_the_report_read_only(site):
    send_everything(site)
    page = site.client.get(_digest_links(site)["sue"])
    assert page.status_code == 200
    assert "Carers support recommissioning" in page.text and 'id="rating"' in page.text
    assert "record-rating" not in page.text and "<form" not in page.text
    posted = site.client.post(_digest_links(site)["sue"], data={"rating": "Red", "commentary": "x"})
    assert posted.status_code == 403 and _ratings(site) == 0


def test_the_leads_link_records_the_leads_own_rating_once(site):
    send_everything(site)
    url = _digest_links(site)["lee"]
    page = site.client.get(url)
    assert "Record your own rating, Lee Lead" in page.text
    fields = {**form_fields(page.text), "rating": "Amber", "commentary": "Procurement on track"}
    assert "Your rating, Amber, is recorded" in site.client.post(url, data=fields).text
    assert "Your rating, Amber, is recorded" in site.client.post(url, data=fields).text  # resubmit
    assert _ratings(site) == 1
    lead = site.store.lead_rating("carers-support")
    assert (lead.rating.label, lead.commentary, lead.by) == ("Amber", "Procurement on track", "lee")
    missing = site.client.post(url, data={**form_fields(site.client.get(url).text), "rating": ""})
    assert missing.status_code == 400 and "Choose a delivery confidence rating" in missing.text
