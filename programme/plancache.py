"""A cache of validated YAML plans, keyed by the file's bytes and the validator's own code.

Reading and validating a 10,000-milestone plan file takes about a third of a second; a lead runs
`programme status` over the same unchanged file many times. So the validated Plan (or its
problems) is kept under $PROGRAMME_HOME/cache, keyed by a hash of the file's bytes, its
displayed name, the source of every module that reads or checks a plan and the installed
`holidays` package (due dates count working days): a changed file, validator or calendar is
simply a different key. Python plans are never cached (what they import can change). Anything
wrong with the cache means "not cached".

A version of a file is cached the second time it is read, not the first: a plan being edited is
a new version at every save, read once by `programme validate`, and writing a 3 MB entry for
each would cost that read a fifth of its time for an entry nobody reads again. The first read
leaves an empty marker instead. The cache keeps the 32 versions read most recently (about 3 MB
each at 10,000 milestones) and the 256 latest markers; older ones are removed as new ones come.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path

from .bankholidays import package_stamp
from .config import data_dir
from .gcpause import gc_paused

_SOURCES = ("model.py", "dates.py", "rawplan.py", "yamlfile.py", "yamlblock.py", "validation.py",
            "loading.py", "plancache.py", "workdays.py", "bankholidays.py")


@lru_cache(maxsize=1)
def _code_version() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def _path(key: str) -> Path:
    return data_dir() / "cache" / "plans" / f"{key}.pickle"


def key_for(content: bytes, name: str) -> str:
    # The installed `holidays` package too: relative due dates count working days.
    return hashlib.sha256(content + b"\0" + name.encode() + b"\0" + _code_version().encode()
                          + b"\0" + package_stamp().encode()).hexdigest()


KEEP = 32  # cached plan versions kept: the least recently read go first
MARKERS = 256  # "read once" markers kept


def get(key: str):
    path = _path(key)
    try:
        with path.open("rb") as f:
            value = pickle.load(f)
    except Exception:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # read now: among the last to be pruned
    return value


def offer(key: str, value) -> None:
    """Cache the value if this version was read before; else only note that it has been read."""
    path = _path(key)
    seen = path.with_suffix(".seen")
    try:
        if not seen.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            seen.touch()
            _prune(path.parent, "*.seen", MARKERS)
            return
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f, gc_paused():
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)  # readers see a whole entry or none
        seen.unlink(missing_ok=True)
        _prune(path.parent, "*.pickle", KEEP)
    except OSError:
        pass


def _prune(folder: Path, pattern: str, keep: int) -> None:
    """Keep the `keep` most recently written or read files matching `pattern`."""
    found = []
    for entry in folder.glob(pattern):
        with contextlib.suppress(OSError):
            found.append((entry.stat().st_mtime_ns, entry))
    found.sort(reverse=True)
    for _, entry in found[keep:]:
        with contextlib.suppress(OSError):
            entry.unlink()
