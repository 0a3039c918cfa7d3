"""One message of each kind, in each form (email text with its subject, email HTML, chat),
compared with the files in tests/chase/golden/ exactly: what a reader gets is reviewed as a
diff. After an intended change, regenerate them and read the diff:

    UPDATE_GOLDEN=1 python -m pytest tests/chase/test_golden_messages.py

Time is injected and the link secret fixed, so every link is the same on every run."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pendulum
import pytest
from factory import chase_items, make_plan, ms

from notifications.render import CHAT_LIMIT, render
from programme.rules.assess import assess
from programme.rules.followup import follow_up_notifications
from programme.rules.messages import item_context, resolve_rating
from programme.rules.model import CurrentStatus, RaidItem, Rating, Status

GOLDEN = Path(__file__).parent / "golden"


def at(day: date, hour: int = 10):
    return pendulum.datetime(day.year, day.month, day.day, hour, tz="Europe/London")


def plan():
    return make_plan(
        ms("report", date(2026, 8, 14), title="Needs report"),
        ms("survey", date(2026, 8, 28), owner="bo", depends_on=("report",),
           title="Provider survey"))


def one(day: date, recipient: str, step_prefix: str, statuses: dict | None = None) -> dict:
    [item] = [i for i in chase_items(plan(), at(day), statuses)
              if i["key"].endswith(f"/{recipient}") and i["step"].startswith(step_prefix)]
    return item


def can_start() -> dict:
    done = {"report": CurrentStatus(Status.DONE, since=at(date(2026, 8, 13)))}
    a = assess(plan(), done, at(date(2026, 8, 13)))
    [n] = [n for n in follow_up_notifications(a, "report", None) if n.step == "can-start"]
    return item_context(a, n)


def rating_changed() -> dict:
    a = assess(plan(), {}, at(date(2026, 8, 11)))
    [n] = follow_up_notifications(a, "report", Rating.AMBER, Rating.AMBER_GREEN)
    return resolve_rating(item_context(a, n, Rating.AMBER), Rating.RED)


def raid_review() -> dict:
    from programme.rules.raid import fold, raid_notifications
    from programme.rules.raid import item_context as raid_context

    risk = RaidItem("risk", "R1", "Data-sharing agreement not signed", "ana",
                    review=date(2026, 8, 14), likelihood=4, impact=3, milestones=("report",))
    p = replace(plan(), raid=(risk,))
    now = at(date(2026, 8, 14))
    views = fold(p, [])
    [n] = [n for n in raid_notifications(p, views, now) if n.recipient == "ana"]
    return raid_context(p, views[n.milestone_id], n, now.date())


FORECAST = {"report": CurrentStatus(Status.IN_PROGRESS, forecast=date(2026, 8, 17))}
BLOCKED = {"report": CurrentStatus(Status.BLOCKED, since=at(date(2026, 8, 12), 9),
                                   reason="waiting for the provider's data")}

KINDS = {  # name: (recipient's name, how the item is made, when it is sent)
    "reminder": ("Ana Lee", lambda: one(date(2026, 8, 11), "ana", "reminder"), date(2026, 8, 11)),
    "due-today": ("Ana Lee", lambda: one(date(2026, 8, 14), "ana", "due-day"), date(2026, 8, 14)),
    "chase": ("Ana Lee", lambda: one(date(2026, 8, 19), "ana", "chase", FORECAST),
              date(2026, 8, 19)),
    "escalate-manager": ("Bo Khan", lambda: one(date(2026, 8, 19), "bo", "escalate"),
                         date(2026, 8, 19)),
    "escalate-sponsor": ("Sue Sponsor", lambda: one(date(2026, 8, 28), "sue", "escalate"),
                         date(2026, 8, 28)),
    "blocked": ("Lee Lead", lambda: one(date(2026, 8, 12), "lee", "blocked", BLOCKED),
                date(2026, 8, 12)),
    "you-can-start": ("Bo Khan", can_start, date(2026, 8, 13)),
    "rating-changed": ("Lee Lead", rating_changed, date(2026, 8, 11)),
    "raid-review": ("Ana Lee", raid_review, date(2026, 8, 14)),
}
FORMS = {"text": "txt", "html": "html", "chat": "chat.txt"}


@pytest.fixture(autouse=True)
def _fixed_links(monkeypatch):
    monkeypatch.setenv("PROGRAMME_SECRET_KEY", "golden-files-secret")
    monkeypatch.delenv("PROGRAMME_PUBLIC_URL", raising=False)
    monkeypatch.delenv("PROGRAMME_TEMPLATES", raising=False)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("form", list(FORMS))
def test_each_kind_of_message_reads_exactly_as_its_golden_file(kind, form):
    name, make, day = KINDS[kind]
    msg = render(name, [make()], at(day))
    body = getattr(msg, form)
    if form == "text":
        body = f"Subject: {msg.subject}\n\n{body}"
    if form == "chat":
        assert len(body) <= CHAT_LIMIT
    path = GOLDEN / f"{kind}.{FORMS[form]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(body, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1 and review it"
    assert body == path.read_text(encoding="utf-8")


# -- phones: each kind of message read on a 390 px screen (headless Chromium) ------------------
MEASURE = """
var vw = document.documentElement.clientWidth, wide = [];
document.querySelectorAll("body *").forEach(function (el) {
  var box = el.getBoundingClientRect();
  if (box.width > 0 && box.right > vw + 1)
    wide.push(el.tagName + " " + Math.round(box.right) + " " + (el.textContent || "").trim().slice(0, 40));
});
return {scroll: document.documentElement.scrollWidth, viewport: vw, wide: wide.slice(0, 5),
        labels: Array.from(document.querySelectorAll(".label")).map(function (e) {
          return [e.textContent, getComputedStyle(e).color]; })};
"""


@pytest.fixture(scope="module")
def phone():
    """Headless Chromium through chromedriver, emulating a phone 390 CSS pixels wide."""
    import shutil

    from selenium import webdriver

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None and os.environ.get("CI") != "true":
        pytest.skip("chromium not installed (run .ci/install-browser)")
    assert chromium, "chromium is required when CI=true: run .ci/install-browser"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(shutil.which("chromedriver")))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 900, "deviceScaleFactor": 1, "mobile": True})
    yield driver
    driver.quit()


def test_every_kind_of_message_fits_a_phone_with_its_label_in_words_and_colour(phone, tmp_path):
    colours = set()
    for kind, (name, make, day) in KINDS.items():
        page = tmp_path / f"{kind}.html"
        page.write_text(render(name, [make()], at(day)).html, encoding="utf-8")
        phone.get(page.as_uri())
        measured = phone.execute_script(MEASURE)
        assert measured["viewport"] == 390
        assert measured["scroll"] <= 390 and measured["wide"] == [], (kind, measured)
        [(label, colour)] = measured["labels"]
        assert label.endswith(":") and len(label) > 5, (kind, label)  # a word, not a colour
        colours.add((label, colour))
    labels = {label for label, _ in colours}
    assert {"Overdue:", "Escalated to you:", "Blocked:", "You can start:"} <= labels
