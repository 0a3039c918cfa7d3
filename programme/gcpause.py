"""Pause Python's cyclic garbage collector around allocation-heavy pure work.

Reading, validating and assessing a large plan allocates many objects and frees almost none
until the end, so each collection pass the allocator triggers is pure cost (a third of a
10,000-milestone parse). Reference counting still frees everything as usual.

What such work keeps (a plan, its assessment) lives as long as the command does, so at the end of
the outermost pause the objects it made are moved straight to the oldest generation
(gc.freeze() then gc.unfreeze(), which relinks lists and walks nothing) instead of being walked
by the next young collections: at 50,000 milestones those walks cost ~80 ms and grew faster
than the plan. Skipped when the process has frozen objects of its own (a pre-fork server), so
their freeze is never undone.
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
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()  # everything young is now in the oldest generation
            gc.enable()
