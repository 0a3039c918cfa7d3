"""--as-of moments: dates are the end of that day in plan time, date-times are plan time."""

from datetime import UTC, datetime, timedelta

import pytest

from programme.usecases.workspace import WorkspaceError, parse_moment


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-27", datetime(2026, 11, 27, 23, 59, 59, tzinfo=UTC)),
    ("2026-07-01", datetime(2026, 7, 1, 22, 59, 59, tzinfo=UTC)),  # BST
    ("2026-11-27T10:00", datetime(2026, 11, 27, 10, tzinfo=UTC)),
    ("2026-07-01T10:00", datetime(2026, 7, 1, 9, tzinfo=UTC)),
    ("2026-07-01T10:00+02:00", datetime(2026, 7, 1, 8, tzinfo=UTC)),
])
def test_as_of_is_read_in_plan_time(text, expected):
    moment = parse_moment(text, "Europe/London")
    assert moment == expected
    assert (moment - timedelta(days=7)).tzinfo is not None  # arithmetic keeps the timezone


def test_an_unreadable_moment_says_how_to_write_it():
    with pytest.raises(WorkspaceError, match="write it as 2026-11-27"):
        parse_moment("tomorrow")
