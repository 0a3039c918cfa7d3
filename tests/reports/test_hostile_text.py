"""Hostile text in plan titles, people's names, blocked reasons and notes: escaped in every HTML
form, intact in the text forms, never breaking a Markdown table; contacts never shown."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import report_scenario as scenario

from programme.reports import render_digest, render_portfolio, render_report
from programme.reports.render import report_of
from programme.reports.timeline import svg


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.names.add(tag)
        self.attributes.update(k for k, _ in attrs)


RAW = ["<script>", "<img src=x onerror", "<iframe", "<svg onload", "<b>山田</b>", "<em>of</em>"]


def html_forms(s):
    d = render_digest(s)
    return {"report.html": render_report(s, "html"), "digest.html": d.html,
            "portfolio.html": render_portfolio([s]).html}


def text_forms(s):
    d = render_digest(s)
    return {"report.md": render_report(s, "md"), "digest.txt": d.text, "digest.chat": d.chat,
            "subject": d.subject, "portfolio.txt": render_portfolio([s]).text}


def test_html_forms_escape_plan_text(hostile):
    for name, html in html_forms(hostile).items():
        for raw in RAW:
            assert raw not in html, f"{raw!r} unescaped in {name}"
        assert "&lt;script&gt;alert(" in html, name
        # parsed as a browser would: no script, iframe or img element, no on... handler at all
        tags = Tags()
        tags.feed(html)
        assert not {"script", "iframe", "img", "em"} & tags.names, (name, tags.names)
        assert not [a for a in tags.attributes if a.startswith("on")], name


def test_html_forms_keep_non_ascii_and_quotes_readable(hostile):
    html = html_forms(hostile)["report.html"]
    assert "Ünïcødé" in html and "Zoë Ñúñez-Łukasik" in html and "山田" in html
    assert "&#34;quoted&#34;" in html or "&quot;quoted&quot;" in html


def test_text_forms_keep_hostile_text_intact(hostile):
    forms = text_forms(hostile)
    assert scenario.HOSTILE_TITLE in forms["report.md"]
    assert scenario.HOSTILE_TITLE in forms["digest.txt"]
    assert scenario.HOSTILE_TITLE in forms["subject"]
    assert scenario.HOSTILE_REASON in forms["digest.txt"]
    assert scenario.HOSTILE_NAME in forms["report.md"]
    assert "<iframe src=\"javascript:alert('note')\"></iframe>" in forms["digest.txt"]


def test_subject_is_one_line(hostile):
    assert "\n" not in render_digest(hostile).subject


def test_markdown_tables_stay_whole_whatever_the_text(hostile):
    md = render_report(hostile, "md")
    for table in re.findall(r"((?:^\|.*\|$\n?)+)", md, re.M):
        lines = table.strip().splitlines()
        widths = {len(re.findall(r"(?<!\\)\|", line)) for line in lines}
        assert len(widths) == 1, f"ragged table:\n{table}"
    assert "\\| pipes \\|" not in md or "| pipes |" not in md


def test_timeline_svg_is_well_formed_and_escaped(hostile):
    picture = svg(report_of(hostile))
    ET.fromstring(picture)  # parses: nothing broke out of an attribute or element
    assert "<script" not in picture


@pytest.mark.parametrize("secret", ["msteams://", "slack://", "TokenA", "@example.gov.uk",
                                    "mailto://x@y"])
def test_contacts_never_appear_in_any_output(hostile, snap, secret):
    for s in (hostile, snap):
        for name, text in {**html_forms(s), **text_forms(s)}.items():
            assert secret not in text, f"{secret} in {name}"
