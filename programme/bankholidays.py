"""The UK bank holidays of a region for a span of years, kept on disk between commands.

Every command that reads a plan needs its calendar, and `holidays.country_holidays("GB")` costs
~0.12 s before the first date: importing the package, then its `countries` package, which
imports the module of every country it knows. That was a fifth of `programme status`. So the
dates and names for a region and span of years are kept under $PROGRAMME_HOME/cache/holidays,
keyed by the installed `holidays` package (its files' size and time, so an upgrade is a
different key): the package is imported only when a span is first asked for. Anything wrong
with the cache means "ask the package".

The calendar rules (programme.rules.workdays) do no I/O: the CLI installs this as their source with
`install()`; elsewhere they ask the package directly.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from datetime import date
from functools import lru_cache
from pathlib import Path

from programme.config import data_dir, ensure_data_dir
from programme.rules.workdays import package_holidays, use_holiday_source


@lru_cache(maxsize=1)
def package_stamp() -> str:
    """Which `holidays` is installed: its version file's and UK module's size and time."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or not spec.origin:
        return "none"
    folder = Path(spec.origin).parent
    parts = []
    for name in ("__init__.py", "version.py", os.path.join("countries", "united_kingdom.py")):
        try:
            st = (folder / name).stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}:-")
    return hashlib.sha256("|".join([str(folder), *parts]).encode()).hexdigest()[:16]


def _path(subdiv: str, first: int, last: int) -> Path:
    return data_dir() / "cache" / "holidays" / f"{package_stamp()}-GB-{subdiv}-{first}-{last}.json"


@lru_cache(maxsize=64)
def bank_holidays(subdiv: str, first: int, last: int) -> dict[date, str]:
    """{day: name} for the GB subdivision (ENG, SCT, NIR) in the years first..last."""
    path = _path(subdiv, first, last)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return {date.fromisoformat(day): name for day, name in stored.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    days = package_holidays(subdiv, first, last)  # only on a miss: see the module docstring
    try:
        ensure_data_dir()  # made 0700 if missing, and never a folder outside it
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({d.isoformat(): n for d, n in days.items()}), encoding="utf-8")
        tmp.replace(path)  # readers see a whole file or none
    except OSError:
        pass
    return days


def install() -> None:
    """Have the calendars of this process take their bank holidays from the cache on disk."""
    use_holiday_source(bank_holidays)
