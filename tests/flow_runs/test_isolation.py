"""`programme run --all` with a broken plan file beside a good one: the good plan is tracked on
the (test) Prefect server, the broken file is listed with its line, and the exit code is 3."""

from __future__ import annotations

from typer.testing import CliRunner

from programme.cli import app


def test_run_all_tracks_the_good_plans_and_lists_the_broken_file(flow_plans, monkeypatch):
    (flow_plans / "broken.yaml").write_text("id: broken\nid: twice\n", encoding="utf-8")
    (flow_plans / "crashes.py").write_text("raise RuntimeError('boom')\n", encoding="utf-8")
    monkeypatch.setenv("PROGRAMME_DELIVERY", "sink")
    result = CliRunner(env={"COLUMNS": "300"}).invoke(
        app, ["run", "--all", "--no-send", "--as-of", "2026-09-14T10:00"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 3, result.output
    assert "flow-plan" in result.stdout and "failed" not in result.stdout
    assert "broken.yaml:2:1: not valid YAML: the key 'id' appears twice" in result.stderr
    assert "crashes.py:1: the plan file failed to run: RuntimeError: boom" in result.stderr
