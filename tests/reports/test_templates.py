"""Templates a lead overrides by dropping a same-named file in PROGRAMME_TEMPLATES."""

from __future__ import annotations

import pytest

from programme.reports import render_digest, render_report


def test_a_template_in_the_override_folder_replaces_only_that_template(snap, tmp_path, monkeypatch):
    (tmp_path / "report.md.j2").write_text("Our own report for {{ r.plan.id }}: {{ r.rating.label }}\n")
    monkeypatch.setenv("PROGRAMME_TEMPLATES", str(tmp_path))
    assert render_report(snap, "md") == f"Our own report for {snap.plan.id}: Red\n"
    assert render_digest(snap).text.startswith(snap.plan.title)  # the package's digest still


def test_override_templates_may_reuse_the_packaged_macros(snap, tmp_path, monkeypatch):
    (tmp_path / "digest.chat.j2").write_text(
        '{% import "_macros.txt.j2" as m %}{{ m.rating_line(r) }}')
    monkeypatch.setenv("PROGRAMME_TEMPLATES", str(tmp_path))
    assert render_digest(snap).chat == "Red (last week Red, unchanged)"


def test_html_overrides_are_autoescaped_too(hostile, tmp_path, monkeypatch):
    (tmp_path / "digest.html.j2").write_text("<h1>{{ r.plan.title }}</h1>")
    (tmp_path / "digest.txt.j2").write_text("{{ r.plan.title }}")
    monkeypatch.setenv("PROGRAMME_TEMPLATES", str(tmp_path))
    digest = render_digest(hostile)
    assert digest.html.startswith("<h1>&lt;script&gt;")
    assert digest.text.startswith("<script>")


def test_a_missing_override_folder_is_an_error(snap, tmp_path, monkeypatch):
    monkeypatch.setenv("PROGRAMME_TEMPLATES", str(tmp_path / "nope"))
    with pytest.raises(ValueError, match="is not a folder"):
        render_report(snap, "md")
