"""The raw plan: what a plan file said, before validation, with the line each part came from.

Both the YAML loader and the Python authoring API produce this one shape, so a single validator
serves both and every message can carry file:line.
"""

from __future__ import annotations

from typing import Any


class Raw(dict):
    """A mapping that remembers the line it started on and the line of each of its keys."""

    __slots__ = ("key_lines", "line")  # no per-instance __dict__: a big plan has one Raw a milestone

    def __init__(self, *args: Any, line: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)


class RawList(list):
    __slots__ = ("item_lines", "line")

    def __init__(self, *args: Any, line: int | None = None):
        super().__init__(*args)
        self.line = line
        self.item_lines: list[int | None] = []

    def line_of(self, index: int) -> int | None:
        if index < len(self.item_lines) and self.item_lines[index] is not None:
            return self.item_lines[index]
        return self.line
