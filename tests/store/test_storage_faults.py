"""Storage faults through the real command: a damaged or foreign database file, a read-only or
missing data folder, a full disk, a wrong URL, an unsupported database or a missing driver.
Each is one line saying what and what to do, a non-zero exit, no traceback, and nothing that
was stored is lost. No folder is made outside the data folder."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import IN_CI

SHIPPED = Path(__file__).resolve().parents[2] / "plans"
PLAN = "commissioning-academy-100-day"
MILESTONE = "scope-agreed"


def programme(*args: str, home: Path, url: str | None = None, prefix: list[str] | None = None,
              **env: str) -> tuple[int, str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PROGRAMME_")}
    environ.update(PROGRAMME_HOME=str(home), PROGRAMME_PLANS=str(SHIPPED),
                   PROGRAMME_DELIVERY="sink", PROGRAMME_NOW="2026-11-02T10:00+00:00", **env)
    if url:
        environ["PROGRAMME_DATABASE_URL"] = url
    done = subprocess.run([*(prefix or []), sys.executable, "-m", "programme", *args],
                          capture_output=True, text=True, env=environ, timeout=120)
    return done.returncode, done.stdout, done.stderr


def one_line_error(code: int, out: str, err: str, *words: str) -> str:
    assert code != 0, out
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in out + err
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def notes(db: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return [row[0] for row in conn.execute("select note from status_history order by seq")]


@pytest.fixture
def home(tmp_path) -> Path:
    """A data folder whose database holds one check-in."""
    folder = tmp_path / "home"
    code, _out, err = programme("update", PLAN, MILESTONE, "--note", "kept", home=folder)
    assert code == 0, err
    assert notes(folder / "programme.db") == ["kept"]
    return folder


@pytest.mark.parametrize("content", [os.urandom(3000), b"hello, I am not a database\n",
                                     b"SQLite format 3\x00" + b"\x00" * 200])
def test_a_file_that_is_not_a_sqlite_database_is_one_line_and_left_as_it_was(tmp_path, content):
    home = tmp_path / "home"
    home.mkdir()
    (home / "programme.db").write_bytes(content)
    code, out, err = programme("update", PLAN, MILESTONE, "--done", home=home)
    one_line_error(code, out, err, "is not a SQLite database, or is damaged", "programme backup")
    assert (home / "programme.db").read_bytes() == content


@pytest.mark.parametrize(("url", "words"), [
    ("nonsense", ["'nonsense' is not a database URL"]),
    ("mysql://user@db.example/programme", ["unsupported database 'mysql'", "SQLite or PostgreSQL"]),
    ("postgresql+nosuchdriver://user@127.0.0.1/test", ["unknown database driver 'nosuchdriver'"]),
    ("postgresql+pg8000://user@127.0.0.1/test", ["driver for 'postgresql+pg8000' is not installed"]),
    ("postgresql+psycopg://postgres:pw@127.0.0.1:1/test", ["cannot connect to the database",
                                                            "postgres:***@"]),
])
def test_a_wrong_database_url_is_one_line(tmp_path, url, words):
    code, out, err = programme("status", PLAN, home=tmp_path / "home", url=url)
    line = one_line_error(code, out, err, *words)
    assert ":pw@" not in line


def test_no_folder_is_made_outside_the_data_folder(tmp_path):
    target = tmp_path / "elsewhere" / "dir" / "x.db"
    code, out, err = programme("status", PLAN, home=tmp_path / "home",
                               url=f"sqlite:///{target}")
    one_line_error(code, out, err, f"the folder {target.parent}", "does not exist")
    assert not (tmp_path / "elsewhere").exists()
    code, out, err = programme("status", PLAN, home=tmp_path / "missing" / "home")
    one_line_error(code, out, err, "cannot make the data folder", "does not exist")
    assert not (tmp_path / "missing").exists()


def test_the_data_folder_is_made_for_its_owner_only_and_so_is_the_database(tmp_path):
    home = tmp_path / "home"
    code, _, err = programme("update", PLAN, MILESTONE, "--note", "x", home=home)
    assert code == 0, err
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "programme.db").stat().st_mode) == 0o600
    code, _, err = programme("backup", str(tmp_path / "copy.db"), home=home)
    assert code == 0, err
    assert stat.S_IMODE((tmp_path / "copy.db").stat().st_mode) == 0o600
    assert notes(tmp_path / "copy.db") == ["x"]


@contextlib.contextmanager
def read_only(folder: Path):
    """The folder cannot be written to, even by root (immutable), for the block's duration."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o700)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(folder)]).returncode:
        message = "cannot make a folder read-only for root here (chattr +i)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_read_only_data_folder_is_one_line_and_loses_nothing(home):
    with read_only(home):
        code, out, err = programme("update", PLAN, MILESTONE, "--note", "refused", home=home)
        one_line_error(code, out, err, f"the folder {home}", "is read-only", "PROGRAMME_HOME")
    assert notes(home / "programme.db") == ["kept"]


def test_a_full_disk_is_one_line_writes_nothing_and_the_next_check_in_is_recorded(home, tmp_path):
    """The data folder on a small tmpfs filled up to its last 40 KB, in a mount namespace of
    the test's own (unshare), so nothing outside the test sees it."""
    unshare = shutil.which("unshare")
    namespace = ["--mount"] if os.geteuid() == 0 else ["--user", "--map-root-user", "--mount"]
    probe = subprocess.run([unshare or "unshare", *namespace, "true"], capture_output=True) \
        if unshare else None
    if probe is None or probe.returncode:
        message = "cannot make a private mount namespace here (unshare) for a full disk"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    seed, out_dir = tmp_path / "seed.db", tmp_path / "after"
    out_dir.mkdir()
    shutil.copy(home / "programme.db", seed)
    full = tmp_path / "full"
    full.mkdir()
    python = f"{sys.executable} -m programme"
    script = f"""
        set -e
        mount -t tmpfs -o size=1m tmpfs {full}
        cp {seed} {full}/programme.db
        free=$(df -k --output=avail {full} | tail -1)
        dd if=/dev/zero of={full}/filler bs=1k count=$((free - 40)) 2>/dev/null || true
        set +e
        {python} update {PLAN} {MILESTONE} --note refused > {out_dir}/out 2> {out_dir}/err
        echo $? > {out_dir}/code
        rm {full}/filler
        {python} update {PLAN} {MILESTONE} --note after > /dev/null 2> {out_dir}/err2
        echo $? > {out_dir}/code2
        cp {full}/programme.db* {out_dir}/
    """
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PROGRAMME_")}
    environ.update(PROGRAMME_HOME=str(full), PROGRAMME_PLANS=str(SHIPPED),
                   PROGRAMME_DELIVERY="sink", PROGRAMME_NOW="2026-11-02T10:00+00:00")
    subprocess.run([unshare, *namespace, "sh", "-c", script], env=environ, check=True,
                   timeout=300)
    code = int((out_dir / "code").read_text())
    one_line_error(code, (out_dir / "out").read_text(), (out_dir / "err").read_text(),
                   "is full", "free some space", "nothing was written")
    assert int((out_dir / "code2").read_text()) == 0, (out_dir / "err2").read_text()
    assert notes(out_dir / "programme.db") == ["kept", "after"]


def test_a_backup_is_a_consistent_copy_and_postgresql_is_pointed_at_pg_dump(home, tmp_path):
    code, out, err = programme("backup", str(tmp_path / "copy.db"), home=home)
    assert code == 0 and "backed up the database" in out, err
    assert notes(tmp_path / "copy.db") == ["kept"]
    code, out, err = programme("backup", str(tmp_path / "no" / "copy.db"), home=home)
    one_line_error(code, out, err, "there is no folder")
    code, out, err = programme("backup", str(tmp_path / "x.db"), home=home,
                               url="postgresql+psycopg://postgres@127.0.0.1/test")
    one_line_error(code, out, err, "pg_dump")
