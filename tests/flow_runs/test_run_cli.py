"""`programme run` on the test Prefect server, when the run queues nothing: it says why and
what comes next, instead of a table of zeros."""

from __future__ import annotations

from typer.testing import CliRunner

from programme.cli import app

runner = CliRunner()


def test_run_at_night_says_it_is_outside_the_window_and_when_the_next_messages_go(
        flow_plans, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    result = runner.invoke(app, ["run", "flow-plan", "--as-of", "2026-09-14T00:36"])
    assert result.exit_code == 0, result.output
    assert "flow-plan: nothing new queued. Outside the sending window (09:00–17:00 " \
           "Europe/London)." in result.output
    # needs is due that Monday (its owner's due-day reminder) and personas' five-day reminder
    # fell due on the Friday before the plan was first run (it is caught up, once)
    assert "Next window Mon 14 Sep 09:00: 2 notifications to 2 people " \
           "(`programme preview flow-plan --from 2026-09-14T00:36 --until 2026-09-14`)." \
           in result.output
