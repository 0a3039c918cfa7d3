"""Reading dates and due-date rules as leads write them."""

from __future__ import annotations

import re
from datetime import date, datetime

from programme.rules.model import DueRule

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")]
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(?:([a-z]+)\.?,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_NAMES = {
    name: i
    for i, names in enumerate(
        [("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "weds", "wednesday"),
         ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
         ("sun", "sunday")]
    )
    for name in names
}
_RELATIVE = re.compile(
    r"^\+?\s*(\d{1,5})\s+(working\s+days?|days?|weeks?)"
    r"(?:\s+(?:after|from)\s+(start|[A-Za-z0-9][A-Za-z0-9_.-]*))?$"
)


FIRST_YEAR, LAST_YEAR = 1900, 2199  # a plan's dates: anything outside is a typo, not a plan
MAX_AHEAD = {"days": 3660, "working days": 2610, "weeks": 522}  # about ten years after the anchor


class DateError(ValueError):
    """A date or due rule that cannot be read; the message says what is accepted."""


class WrongDateError(DateError):
    """A date that reads as a date but is wrong as written (no such day, a weekday that is not
    its own, a year no plan uses): its message stands as it is, wherever the date is read."""


def _plausible(day: date, value: object) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise WrongDateError(f"{value!r} is not a plausible date for a plan: use a year from "
                        f"{FIRST_YEAR} to {LAST_YEAR}")
    return day


def parse_date(value: object) -> date:
    """ISO dates (2026-10-01) and written ones (1 Oct 2026, Thursday 1 October 2026)."""
    if isinstance(value, datetime):
        return _plausible(value.date(), value)
    if isinstance(value, date):
        return _plausible(value, value)
    if not isinstance(value, str):
        raise DateError(f"{value!r} is not a date: write it as 2026-10-01 or 1 Oct 2026")
    text = value.strip().lower()
    try:
        if m := _ISO.match(text):
            return _plausible(date(int(m[1]), int(m[2]), int(m[3])), value)
        if (m := _WORDS.match(text)) and m[3] in _MONTHS:
            day = _plausible(date(int(m[4]), _MONTHS[m[3]], int(m[2])), value)
            _check_weekday(m[1], day, value)
            return day
    except ValueError as exc:
        if isinstance(exc, DateError):
            raise
        raise WrongDateError(f"{value!r} is not a real date ({exc})") from None
    raise DateError(f"{value!r} is not a date: write it as 2026-10-01 or 1 Oct 2026")


def _check_weekday(written: str | None, day: date, value: object) -> None:
    """A written weekday must be the day's own: 'Friday 18 February 2027' is a mistake, since
    18 February 2027 is a Thursday, and either the day or the date is wrong."""
    if written is None:
        return
    named = _WEEKDAY_NAMES.get(written)
    if named is None:
        raise WrongDateError(f"{value!r}: '{written}' is not a day of the week (write e.g. "
                        f"'{day:%A %-d %B %Y}' or just '{day:%-d %B %Y}')")
    if named != day.weekday():
        raise WrongDateError(f"{value!r}: {day:%-d %B %Y} is a {WEEKDAYS[day.weekday()]}, not a "
                        f"{WEEKDAYS[named]}: fix the day or the date")


def parse_due(value: object) -> DueRule:
    """A due date: absolute, or '+N days' / '+N working days' / '+N weeks' [after MILESTONE]."""
    if isinstance(value, str) and (m := _RELATIVE.match(value.strip())):
        count, unit, after = int(m[1]), m[2].lower(), m[3]
        if after == "start":
            after = None
        working = unit.startswith("working")
        days = count * 7 if unit.startswith("week") else count
        kind = "working days" if working else "weeks" if unit.startswith("week") else "days"
        if count > MAX_AHEAD[kind]:
            raise DateError(f"{value.strip()!r} is too far ahead: at most {MAX_AHEAD[kind]:,} "
                            f"{kind} (about ten years) after its anchor")
        return DueRule(text=value.strip(), days=days, working=working, after=after)
    try:
        day = parse_date(value)
    except DateError as exc:
        if isinstance(exc, WrongDateError):
            raise
        raise DateError(
            f"{value!r} is not a due date: write a date (2026-10-01, 1 Oct 2026) or a rule "
            "('+10 working days', '+3 weeks', '+5 working days after MILESTONE-ID')"
        ) from None
    return DueRule(text=str(value), absolute=day)
