"""Compiled Jinja templates kept on disk, so a command does not compile its templates again.

Compiling the report page and its macros is ~30 ms of every `programme report`; Jinja's own
FileSystemBytecodeCache keeps the compiled code under $PROGRAMME_HOME/cache/templates, keyed by
the template's name and a checksum of its source, so an edited or overriding template is simply
compiled again. Anything wrong with the cache (a folder removed, a full disk) means "compile".
"""

from __future__ import annotations

import contextlib
from functools import lru_cache
from pathlib import Path

from .config import data_dir


def folder() -> str:
    return str(data_dir() / "cache" / "templates")


@lru_cache(maxsize=8)
def bytecode_cache(path: str):
    from jinja2 import FileSystemBytecodeCache

    class _Quiet(FileSystemBytecodeCache):
        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except (OSError, EOFError, ValueError):
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _Quiet(path)
