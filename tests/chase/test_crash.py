"""Crash trials (see tests/chase/crashtrials.py): a dispatcher killed with SIGKILL at a random
point while it sends, then the round run to completion at a real SMTP server. Nothing is lost;
a notification delivered twice was in flight at the kill (the documented duplicate window) and
both copies carry the same Message-ID, so a mail store can fold them. bench/crash_trials.py
runs 50 and more trials per backend; the suite runs a few.
"""

from __future__ import annotations

import pytest

from .crashtrials import run_trials

TRIALS = 6


@pytest.mark.slow
def test_killed_dispatchers_lose_nothing_and_duplicate_only_inside_the_window_with_one_message_id(
        store_url, tmp_path, smtp, capsys):
    counts = run_trials(store_url, smtp, tmp_path, TRIALS, people=12)
    with capsys.disabled():
        print("\n" + counts.line())
    assert counts.trials == TRIALS
    assert counts.lost == 0, "every due notification arrives"
    assert counts.outside_window == 0, "a repeat only for what a kill caught in flight, once"
    assert counts.new_message_id == 0, "a repeat carries its first copy's Message-ID"
    assert counts.received == counts.notifications + counts.duplicated
