"""Mail security scanners (Defender Safe Links, Mimecast, Proofpoint) fetch every link of every
message seconds after delivery: GET and HEAD of each, three times, with their user agents,
change nothing and use nothing up."""

from __future__ import annotations

from sqlalchemy import func, select

from programme.store import tables as t
from tests.web.conftest import message_links, send_everything

SCANNERS = (
    "Mozilla/5.0 (compatible; Microsoft Defender SafeLinks)",
    "Mimecast URL Protect/1.0",
    "Proofpoint URL Defense (urldefense.com)",
)


def _counts(site) -> tuple:
    with site.store.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(t.status_history)).scalar(),
                conn.execute(select(func.count()).select_from(t.form_posts)).scalar(),
                conn.execute(select(func.count()).select_from(t.lead_ratings)).scalar(),
                tuple(conn.execute(select(t.links.c.token_hash, t.links.c.last_used_at,
                                          t.links.c.revoked_at).order_by(t.links.c.token_hash))))


def test_scanners_opening_every_link_of_every_message_change_nothing(site):
    messages = send_everything(site)
    links = sorted({u for m in messages for u in message_links(m) if u.startswith(site.url)})
    kinds = {u[len(site.url):].split("/")[1] for u in links}
    assert kinds == {"c", "r"}, links  # check-in and act-for links, and report links
    assert len(links) >= 6
    before = _counts(site)
    history = site.history()
    # 200, or 410 for the links of the milestone the check-in closed (a page saying so)
    statuses = {u: site.client.get(u).status_code for u in links}
    assert set(statuses.values()) == {200, 410}
    for url in links:
        for agent in SCANNERS:
            headers = {"User-Agent": agent}
            assert site.client.get(url, headers=headers).status_code == statuses[url], url
            head = site.client.head(url, headers=headers)
            assert head.status_code == statuses[url] and head.content == b""
    assert _counts(site) == before
    assert site.history() == history
    # and every link still works as before for the person it was sent to
    assert {u: site.client.get(u).status_code for u in links} == statuses
