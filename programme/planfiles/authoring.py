"""Write a plan in Python: `plan = Plan(...)`, then `plan.person`, `plan.phase`, `.milestone`.

Each call remembers the file and line it was made on, so validation points at the line to fix,
exactly as it does for YAML plans. The builder only collects what was written; it checks nothing,
so that validation can report every mistake at once rather than stopping at the first.
"""

from __future__ import annotations

import sys
from typing import Any

from programme.planfiles.rawplan import Raw, RawList


def _caller_line(depth: int = 2) -> int:
    return sys._getframe(depth).f_lineno


def _raw(fields: dict[str, Any], line: int) -> Raw:
    """Fields of one call, nested dicts and lists included, all marked with the call's line."""
    raw = Raw(line=line)
    for key, value in fields.items():
        raw[key] = _mark(value, line)
        raw.key_lines[key] = line
    return raw


def _mark(value: Any, line: int) -> Any:
    if isinstance(value, dict) and not isinstance(value, Raw):
        return _raw(value, line)
    if isinstance(value, (list, tuple)) and not isinstance(value, RawList):
        items = RawList((_mark(v, line) for v in value), line=line)
        items.item_lines = [line] * len(items)
        return items
    return value


class _Section:
    def __init__(self, plan: Plan, raw: Raw):
        self._plan = plan
        self.raw = raw

    def milestone(self, id: str, title: str | None = None, **fields: Any) -> str:
        """Add a milestone to this phase or workstream; returns its id for use in depends_on."""
        return self._plan._add_milestone(id, title, fields, _caller_line(), self.raw)

    def __enter__(self) -> _Section:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class Plan:
    """A plan being written in Python. Assign it to a module-level name `plan`."""

    def __init__(self, id: str | None = None, title: str | None = None, **fields: Any):
        line = _caller_line()
        self.raw = _raw({"id": id, "title": title, **fields}, line)
        if id is None:
            del self.raw["id"]
        if title is None:
            del self.raw["title"]
        self.raw["people"] = RawList(line=line)
        self.raw["milestones"] = RawList(line=line)

    def person(self, id: str, name: str | None = None, **fields: Any) -> str:
        """Add a person (owner, lead, sponsor, subscriber); returns the id to refer to them by."""
        line = _caller_line()
        raw = _raw({"id": id, **({"name": name} if name is not None else {}), **fields}, line)
        self.raw["people"].append(raw)
        self.raw["people"].item_lines.append(line)
        return id

    def phase(self, id: str, title: str | None = None, **fields: Any) -> _Section:
        return self._section("phases", id, title, fields, _caller_line())

    def workstream(self, id: str, title: str | None = None, **fields: Any) -> _Section:
        return self._section("workstreams", id, title, fields, _caller_line())

    def milestone(self, id: str, title: str | None = None, **fields: Any) -> str:
        """Add a milestone outside any phase (or name its phase with phase=...)."""
        return self._add_milestone(id, title, fields, _caller_line(), None)

    # -- internals ---------------------------------------------------------------------------
    def _section(self, key: str, id: str, title: str | None, fields: dict, line: int) -> _Section:
        raw = _raw({"id": id, **({"title": title} if title is not None else {}), **fields}, line)
        raw["milestones"] = RawList(line=line)
        sections = self.raw.setdefault(key, RawList(line=line))
        self.raw.key_lines.setdefault(key, line)
        sections.append(raw)
        sections.item_lines.append(line)
        return _Section(self, raw)

    def _add_milestone(self, id: str, title: str | None, fields: dict, line: int,
                       section: Raw | None) -> str:
        raw = _raw({"id": id, **({"title": title} if title is not None else {}), **fields}, line)
        target = section["milestones"] if section is not None else self.raw["milestones"]
        target.append(raw)
        target.item_lines.append(line)
        return id
