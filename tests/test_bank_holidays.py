"""Bank holidays come from the `holidays` package once, then from a small cache on disk."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from programme import bankholidays
from programme.config import data_dir


@pytest.mark.parametrize("subdiv, day, name", [
    ("ENG", date(2026, 8, 31), "Late Summer Bank Holiday"),
    ("ENG", date(2026, 12, 28), "Boxing Day (observed)"),
    ("SCT", date(2026, 11, 30), "Saint Andrew's Day"),
    ("SCT", date(2026, 8, 3), "Summer Bank Holiday"),
    ("NIR", date(2027, 3, 17), "Saint Patrick's Day"),
    ("NIR", date(2026, 7, 13), "Battle of the Boyne (observed)"),
])
def test_each_region_has_its_own_bank_holidays(subdiv, day, name):
    assert bankholidays.bank_holidays(subdiv, 2025, 2028)[day] == name


def test_the_cached_days_are_the_packages_own():
    import holidays

    bankholidays.bank_holidays.cache_clear()
    first = bankholidays.bank_holidays("SCT", 2024, 2030)  # from the package, then stored
    bankholidays.bank_holidays.cache_clear()
    again = bankholidays.bank_holidays("SCT", 2024, 2030)  # from the file
    expected = holidays.country_holidays("GB", subdiv="SCT", years=range(2024, 2031))
    assert first == again == {d: expected.get(d) for d in expected}


def test_a_later_command_does_not_import_the_holidays_package(tmp_path):
    """What the cache is for: the package (and every country it knows) is imported once."""
    plans = Path(__file__).resolve().parents[1] / "plans"
    env = {**os.environ, "PROGRAMME_HOME": str(tmp_path), "PROGRAMME_PLANS": str(plans)}

    def imported_holidays() -> bool:
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "programme", "status",
             "council-website-redesign", "--as-of", "2026-11-27"],
            env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        return any(line.rstrip().endswith("| holidays") for line in done.stderr.splitlines())

    assert imported_holidays() is True  # the first command fills the cache
    assert imported_holidays() is False


def test_the_calendar_rules_take_holidays_from_the_installed_source():
    from programme.rules.model import Calendar
    from programme.rules.workdays import package_holidays, use_holiday_source, working_calendar

    asked = []

    def source(subdiv, first, last):
        asked.append(subdiv)
        return {date(2026, 11, 27): "A made-up closure"}

    use_holiday_source(source)
    try:
        assert not working_calendar(Calendar(region="scotland")).is_working_day(date(2026, 11, 27))
        assert asked == ["SCT"]
    finally:
        use_holiday_source(package_holidays)
    assert working_calendar(Calendar(region="scotland")).is_working_day(date(2026, 11, 27))


@pytest.mark.parametrize("damage", ["", "not json", "[1, 2]", '{"2026-13-40": "x"}'])
def test_a_damaged_cache_file_means_asking_the_package(damage):
    bankholidays.bank_holidays.cache_clear()
    bankholidays.bank_holidays("ENG", 2026, 2026)
    for path in (data_dir() / "cache" / "holidays").iterdir():
        path.write_text(damage)
    bankholidays.bank_holidays.cache_clear()
    assert bankholidays.bank_holidays("ENG", 2026, 2026)[date(2026, 12, 25)] == "Christmas Day"


def test_another_holidays_package_is_another_cache_entry(monkeypatch):
    bankholidays.bank_holidays.cache_clear()
    bankholidays.bank_holidays("NIR", 2026, 2026)
    monkeypatch.setattr(bankholidays, "package_stamp", lambda: "an-upgraded-package")
    bankholidays.bank_holidays.cache_clear()
    bankholidays.bank_holidays("NIR", 2026, 2026)
    names = sorted(p.name for p in (data_dir() / "cache" / "holidays").iterdir())
    assert len(names) == 2 and any(n.startswith("an-upgraded-package") for n in names)
