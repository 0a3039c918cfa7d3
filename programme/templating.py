"""The one Jinja environment factory, for reports and messages alike.

Templates are looked up first in the folder named by PROGRAMME_TEMPLATES (a file of the same
name there replaces the shipped one), then in the shipped folder. HTML templates are
autoescaped, text ones are not; an undefined name is an error, never an empty string.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any


def override_folder() -> str | None:
    """PROGRAMME_TEMPLATES when set; a value that is not a folder is a one-line error."""
    override = os.environ.get("PROGRAMME_TEMPLATES") or None
    if override and not Path(override).is_dir():
        raise ValueError(f"PROGRAMME_TEMPLATES={override} is not a folder")
    return override


def _autoescape(name: str | None) -> bool:
    return name is not None and ".html" in name


@lru_cache(maxsize=16)
def _environment(shipped: str, override: str | None, blocks: bool,
                 filters: tuple[tuple[str, Callable[..., Any]], ...]) -> Any:
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

    loaders = [FileSystemLoader(override)] if override else []
    loaders.append(FileSystemLoader(shipped))
    env = Environment(loader=ChoiceLoader(loaders), autoescape=_autoescape,
                      undefined=StrictUndefined, trim_blocks=blocks, lstrip_blocks=blocks,
                      keep_trailing_newline=True)
    env.filters.update(dict(filters))
    return env


def environment(shipped: Path, *, trim_blocks: bool = False,
                filters: dict[str, Callable[..., Any]] | None = None) -> Any:
    """The environment for templates shipped in `shipped`, honouring PROGRAMME_TEMPLATES (read
    on every call, so a test or a long-running process sees a change)."""
    return _environment(str(shipped), override_folder(), trim_blocks,
                        tuple(sorted((filters or {}).items())))
