"""Where things live: the data folder, the database URL, the plans folder. Environment only."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    explicit = os.environ.get("PROGRAMME_HOME")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "programme"


def database_url() -> str:
    return os.environ.get("PROGRAMME_DATABASE_URL") or f"sqlite:///{data_dir() / 'programme.db'}"


def redact_url(url: str) -> str:
    """A URL safe to print: any password replaced."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url
