"""Hostile plan text and notes appear escaped on every page; every response carries the
security headers (own-origin CSP, no framing, no referrer, no caching)."""

from __future__ import annotations

import pytest

from tests.web.conftest import PLAN_YAML, answer, form_fields, make_site, stop_server

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"

HOSTILE_YAML = (PLAN_YAML
                .replace("title: Carers support recommissioning", f"title: '{EVIL} plan'")
                .replace("title: Needs assessment", f"title: '{EVIL} needs'")
                .replace("title: Market engagement event", f"title: '{EVIL} market'")
                .replace("Signed-off needs assessment on the shared drive", f"'{EVIL} evidence'")
                .replace("{name: Ana Lee,", f"{{name: '{EVIL} Ana',")
                .replace("{name: Lee Lead,", f"{{name: '{EVIL} Lee',"))


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    site = make_site(tmp_path, monkeypatch, plan_yaml=HOSTILE_YAML)
    yield site
    site.client.close()
    stop_server(site.server, site.thread)


def _clean(html: str) -> None:
    assert EVIL not in html
    assert "<script>" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")


def test_hostile_plan_text_and_notes_are_escaped_on_every_page(hostile):
    site = hostile
    site.queue()
    url = site.link("needs-assessment", "ana")
    page = site.client.get(url)
    _clean(page.text)
    assert ESCAPED in page.text
    errors = answer(site, url, choice="blocked", reason="")  # the page again, with an error summary
    _clean(errors.text)
    blocked = answer(site, url, choice="blocked", reason=EVIL, note=EVIL)
    _clean(blocked.text)
    assert ESCAPED in blocked.text
    done = answer(site, url, choice="done", evidence=EVIL)
    _clean(done.text)
    _clean(site.client.get(url).text)  # "already done" page names the milestone
    _clean(site.client.get(url[:-3] + "abc").text)  # the refusal page names the lead
    from programme.usecases.links import digest_url  # the lead's report page, with the rating form
    from tests.web.conftest import send_everything

    send_everything(site)
    lead = next(u for (m, r, s), u in site.links().items() if s == "digest" and r == "lee")
    assert lead and digest_url
    report = site.client.get(lead)
    assert report.status_code == 200 and 'id="record-rating"' in report.text
    _clean(report.text)
    rated = site.client.post(lead, data={**form_fields(report.text), "rating": "Amber",
                                         "commentary": EVIL})
    assert "Your rating, Amber, is recorded" in rated.text
    _clean(rated.text)


HEADERS = {"x-frame-options": "DENY", "referrer-policy": "no-referrer", "cache-control": "no-store",
           "x-content-type-options": "nosniff"}


def test_every_response_carries_the_security_headers(site):
    from tests.web.conftest import send_everything

    send_everything(site)
    url = site.link("options-appraisal", "ana")
    report = next(u for (m, r, s), u in site.links().items() if s == "digest" and r == "sue")
    responses = {
        "home": site.client.get("/"), "check-in": site.client.get(url),
        "check-in head": site.client.head(url),
        "refused": site.client.get(url[:-3] + "abc"), "not found": site.client.get("/nowhere"),
        "forbidden": site.client.post(url, data={"choice": "done"}),
        "report": site.client.get(report), "css": site.client.get("/static/app.css"),
        "api 401": site.client.get("/api/v1/plans"), "openapi": site.client.get("/openapi.json"),
        "docs": site.client.get("/docs"),
    }
    for name, response in responses.items():
        for header, value in HEADERS.items():
            assert response.headers.get(header) == value, (name, header)
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp, name
        assert "http:" not in csp and "https:" not in csp and "*" not in csp, name  # own origin only
    assert "script-src 'none'" in responses["check-in"].headers["content-security-policy"]
    assert responses["check-in"].status_code == 200 and responses["refused"].status_code == 404
    assert responses["forbidden"].status_code == 403


def test_pages_reference_nothing_on_another_host(site):
    site.queue()
    for path in ("/", site.link("needs-assessment", "ana"), "/docs"):
        html = site.client.get(path).text
        import re

        refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
        assert refs and all(r.startswith("/") or r.startswith("#") or r.startswith("mailto:")
                            for r in refs), refs
