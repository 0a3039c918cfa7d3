"""The UK bank holidays of a region for a span of years, from the `holidays` package, kept on disk.

Every command that reads a plan needs its calendar, and `holidays.country_holidays("GB")` costs
~0.12 s before the first date: importing the package, then its `countries` package, which
imports the module of every country it knows. That was a fifth of `programme status`. So the
dates and names for a region and span of years are kept under $PROGRAMME_HOME/cache/holidays,
keyed by the installed `holidays` package (its files' size and time, so an upgrade is a
different key): the package is imported only when a span is first asked for. Anything wrong
with the cache means "ask the package".
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from datetime import date
from functools import lru_cache
from pathlib import Path

from .config import data_dir


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
    import holidays  # only on a miss: see the module docstring

    found = holidays.country_holidays("GB", subdiv=subdiv, years=range(first, last + 1))
    days = {day: found.get(day) for day in sorted(found)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({d.isoformat(): n for d, n in days.items()}), encoding="utf-8")
        tmp.replace(path)  # readers see a whole file or none
    except OSError:
        pass
    return days
