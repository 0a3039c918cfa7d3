"""The standalone HTML report in a real browser (headless Chromium): it renders to a screenshot,
the title and the rating are in the DOM, and the page fetches nothing.

"Fetches nothing" is checked twice: statically (no http(s) URL in any src, href or CSS url()) and
in the browser's own network log, with every host name resolving to nothing. Chromium's own
background chatter (update checks, account probes) also shows in that log, with initiator
"not an origin"; requests from the page carry the page's file:// origin. A control page that
does load an external image proves the check sees page requests.

Skipped only when Chromium is missing on a developer machine; under CI=true it must run
(.ci/install-browser installs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from programme.reports import render_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("chromium not installed (run .ci/install-browser)", allow_module_level=True)

pytestmark = pytest.mark.slow


def chromium(tmp_path: Path, page: Path, *action: str) -> tuple[str, list[dict]]:
    """Run headless Chromium on a file page; return stdout and the URL requests it logged."""
    assert CHROMIUM, "chromium is required when CI=true: run .ci/install-browser"
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    netlog = profile.with_suffix(".netlog.json")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
           "--host-resolver-rules=MAP * ~NOTFOUND", f"--log-net-log={netlog}",
           "--window-size=1100,1600", *action, page.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, url_requests(netlog)


def url_requests(netlog: Path) -> list[dict]:
    data = json.loads(netlog.read_text())
    start = data["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [e["params"] for e in data["events"] if e["type"] == start and "url" in e.get("params", {})]


def from_page(requests: list[dict]) -> list[str]:
    return [r["url"] for r in requests if r.get("initiator") != "not an origin"
            or "file://" in r.get("network_isolation_key", "")]


@pytest.fixture(scope="module")
def page(snap, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_report(snap, "html"), encoding="utf-8")
    return path


def test_report_html_references_no_external_resource(page):
    html = page.read_text()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", html, re.I)
    assert not re.search(r"@import", html)


def test_report_renders_with_title_and_rating_in_the_dom(snap, page, tmp_path):
    dom, requests = chromium(tmp_path, page, "--dump-dom")
    title = re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    assert snap.plan.title in title and "— Red —" in title
    rating = re.search(r'<div id="rating" data-rating="([^"]+)">(.*?)</div>', dom, re.S)
    assert rating.group(1) == snap.state.assessment.rating.label == "Red"
    assert "Red" in rating.group(2)
    assert "<svg" in dom and 'class="marker"' in dom
    assert from_page(requests) == []


def test_report_screenshot_is_a_png(page, tmp_path):
    shot = tmp_path / "report.png"
    _, requests = chromium(tmp_path, page, f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1100, 1600)
    assert len(data) > 50_000  # a real page, not a blank canvas
    assert from_page(requests) == []


def test_network_check_sees_a_page_that_does_fetch(tmp_path):
    control = tmp_path / "control.html"
    control.write_text('<html><head><title>c</title></head><body>'
                       '<img src="http://report-assets.example/logo.png"></body></html>')
    _, requests = chromium(tmp_path, control, "--dump-dom")
    assert from_page(requests) == ["http://report-assets.example/logo.png"]


def test_report_prints_to_a4_landscape_pages(page, tmp_path):
    pdf = tmp_path / "report.pdf"
    _, requests = chromium(tmp_path, page, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes, "no pages"
    width, height = (float(v) for v in boxes[0])
    assert (round(width), round(height)) == (842, 595)  # @page { size: A4 landscape }
    assert from_page(requests) == []


# -- phones: nothing wider than the screen -----------------------------------------------------

MEASURE = """
var vw = document.documentElement.clientWidth, wide = [];
document.querySelectorAll("body *").forEach(function (el) {
  if (el.closest(".timeline-box")) return;  // the timeline scrolls in its own box
  var box = el.getBoundingClientRect();
  if (box.width > 0 && box.right > vw + 1)
    wide.push(el.tagName + " " + Math.round(box.right) + " " + (el.textContent || "").trim().slice(0, 40));
});
return {scroll: document.documentElement.scrollWidth, viewport: vw, wide: wide.slice(0, 5)};
"""


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through chromedriver, able to emulate a phone's screen (a headless
    window cannot be narrower than 500 px)."""
    from selenium import webdriver

    assert CHROMIUM, "chromium is required when CI=true: run .ci/install-browser"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    yield driver
    driver.quit()


def layout(browser, tmp_path: Path, html: str, width: int) -> dict:
    """Load `html` on a screen `width` CSS pixels wide; the page's own width, the viewport's, and
    the first elements that stick out past its right edge."""
    page = tmp_path / f"page-{width}.html"
    page.write_text(html, encoding="utf-8")
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
    browser.get(page.as_uri())
    return browser.execute_script(MEASURE)


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("which", ["report", "digest", "portfolio"])
def test_nothing_runs_off_the_screen_on_a_phone_or_a_desktop(snap, browser, tmp_path, which, width):
    from programme.reports import render_digest, render_portfolio

    html = {"report": lambda: render_report(snap, "html"),
            "digest": lambda: render_digest(snap).html,
            "portfolio": lambda: render_portfolio([snap]).html}[which]()
    measured = layout(browser, tmp_path, html, width)
    assert measured["viewport"] == width
    assert measured["scroll"] <= width, measured
    assert measured["wide"] == [], measured
