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


class DataFolderError(OSError):
    """The data folder cannot be made or used: a one-line message saying what to do."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "the data folder cannot be used"


def ensure_data_dir() -> Path:
    """The data folder, made on first use readable by its owner only (0700: it holds the
    database and copies of messages). Only the folder itself is made when PROGRAMME_HOME names
    it, never a missing parent; the default (~/.local/share/programme) is made with its parents,
    as the XDG convention expects."""
    folder = data_dir()
    if folder.is_dir():
        return folder
    try:
        if os.environ.get("PROGRAMME_HOME"):
            folder.mkdir(mode=0o700)
        else:
            folder.mkdir(mode=0o700, parents=True)
        folder.chmod(0o700)  # mkdir's mode is narrowed by the umask, never widened
    except FileExistsError:
        if not folder.is_dir():
            raise DataFolderError(f"the data folder {folder} is a file, not a folder: fix "
                                  "PROGRAMME_HOME") from None
    except FileNotFoundError:
        raise DataFolderError(f"cannot make the data folder {folder}: {folder.parent} does not "
                              "exist (create it, or point PROGRAMME_HOME elsewhere)") from None
    except OSError as exc:
        raise DataFolderError(f"cannot make the data folder {folder}: "
                              f"{exc.strerror or exc}") from None
    return folder


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
