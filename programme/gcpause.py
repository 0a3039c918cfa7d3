"""Pause Python's cyclic garbage collector around allocation-heavy pure work.

Reading, validating and assessing a large plan allocates many objects and frees almost none
until the end, so each collection pass the allocator triggers is pure cost (a third of a
10,000-milestone parse). Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
