"""Plan files in git: a file's content at a revision (`git show REV:path`) and the commit that
last changed it, for `programme diff` and the digest's "what changed in the plan".

Git is run as a subprocess (`git` on PATH); every failure is a RevisionError in one line.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


class RevisionError(Exception):
    """Not in a git repository, an unknown revision, no git: one line saying which."""


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    at: datetime  # aware
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:7]


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    if shutil.which("git") is None:
        raise RevisionError("git is not installed: it is needed to read earlier versions of a plan")
    return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, check=False,
                          timeout=60)


def repository(path: Path) -> tuple[Path, str]:
    """The work tree holding `path` and the file's path inside it (POSIX), or RevisionError."""
    folder = path.resolve().parent if not path.is_dir() else path.resolve()
    if not folder.exists():
        raise RevisionError(f"{path}: no such folder")
    done = _git(folder, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        said = (done.stderr.decode(errors="replace").strip().splitlines() or [""])[0]
        if said and "not a git repository" not in said:
            raise RevisionError(f"git cannot read {path}: {said.removeprefix('fatal: ')}")
        raise RevisionError(f"{path} is not in a git repository (`programme diff` compares the "
                            "versions git keeps: run it inside the plans' repository)")
    root = Path(done.stdout.decode().strip())
    return root, path.resolve().relative_to(root.resolve()).as_posix()


def resolve(root: Path, rev: str) -> str:
    """The commit `rev` names, or RevisionError."""
    done = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if done.returncode != 0:
        if rev == "HEAD" and _git(root, "rev-parse", "--verify", "--quiet", "HEAD").returncode:
            raise RevisionError("the repository has no commits yet: commit the plan first, or "
                                "name a revision with --from")
        raise RevisionError(f"unknown revision '{rev}'")
    return done.stdout.decode().strip()


def read_at(path: Path, rev: str) -> tuple[bytes | None, str]:
    """The file's content at `rev` (None when it did not exist then) and the commit's sha."""
    root, inside = repository(path)
    sha = resolve(root, rev)
    done = _git(root, "show", f"{sha}:{inside}")
    if done.returncode != 0:
        return None, sha
    return done.stdout, sha


def last_commit(path: Path, until: datetime | None = None) -> Commit | None:
    """The commit that last changed `path` (before `until` when given); None outside a git
    repository, when git is missing, or when the file was never committed."""
    try:
        root, inside = repository(path)
        args = ["log", "-1", "--format=%H%x00%an%x00%aI%x00%s"]
        if until is not None:
            args.append(f"--until={until.isoformat()}")
        done = _git(root, *args, "--", inside)
    except (RevisionError, OSError, subprocess.SubprocessError, ValueError):
        return None
    text = done.stdout.decode(errors="replace").strip()
    if done.returncode != 0 or not text:
        return None
    sha, author, at, subject = text.split("\0", 3)
    return Commit(sha, author, datetime.fromisoformat(at), subject)


def file_commit(path: Path) -> Commit | None:
    """The commit whose version of `path` is what the file holds now; None outside a git
    repository, for a file git does not track, or one changed since its last commit."""
    try:
        root, inside = repository(path)
        if _git(root, "ls-files", "--error-unmatch", "--", inside).returncode != 0:
            return None  # untracked
        if _git(root, "diff", "--quiet", "HEAD", "--", inside).returncode != 0:
            return None  # changed since (staged or not), or no commit yet
    except (RevisionError, OSError, subprocess.SubprocessError, ValueError):
        return None
    return last_commit(path)


def plan_commit(source: object) -> Commit | None:
    """`file_commit` of a plan's source location (a `Location`, or None)."""
    file = getattr(source, "file", None)
    return file_commit(Path(file)) if file else None
