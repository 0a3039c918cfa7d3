"""Golden files: the Markdown report and the digest's text and chat forms of the example plan
on Monday 23 November 2026, reviewed as diffs. Regenerate with UPDATE_GOLDEN=1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from programme.reports import render_digest, render_portfolio, render_report

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} missing: run with UPDATE_GOLDEN=1 and review the diff"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept)"


@pytest.mark.parametrize("name, make", [
    ("report.md", lambda s: render_report(s, "md")),
    ("digest.txt", lambda s: render_digest(s).text),
    ("digest.chat.txt", lambda s: render_digest(s).chat),
    ("digest.subject.txt", lambda s: render_digest(s).subject + "\n"),
    ("portfolio.txt", lambda s: render_portfolio([s]).text),
])
def test_golden_output_matches_reviewed_file(snap, name, make):
    check(name, make(snap))


def test_report_names_every_section_with_content(snap):
    text = render_report(snap, "md")
    for needle in (
        "Red (last week",  # computed rating with trend (three-point, the default)
        "Amber, 20 Nov by Priya Shah: The DPIA delay is contained",  # the lead's, as given
        "- Baseline of demand, spend and outcomes — Tom Reid, done Tue 17 Nov 2026",  # done
        "| Joint commissioning statement of intent agreed with the ICB | Rachel Osei | Thu 26 Nov",
        "**Data-sharing agreement between the council, the ICB and the CVS** — Tom Reid",
        "waiting for the data-sharing agreement to be signed",  # blocked with reason
        "| 16 working days | the owner's own forecast |",  # slip and why
        "1. Scope, ambition and measures of success agreed with the sponsor",  # critical path
        "| +16 wd |",  # baseline variance
        "| Test new approaches | Red | 1/6 |",  # phases
    ):
        assert needle in text, needle
