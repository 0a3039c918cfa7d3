"""`programme token create/list/revoke`: a token is shown once, kept hashed, listed without its
secret, revoked at once; and the API honours exactly that."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from programme.signing import token_hash
from tests.web.conftest import PLAN_ID, PLAN_YAML


def _cli(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PROGRAMME_HOME": str(tmp_path / "home"),
           "PROGRAMME_PLANS": str(tmp_path / "plans")}
    return subprocess.run([sys.executable, "-m", "programme", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_token_create_list_revoke(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / f"{PLAN_ID}.yaml").write_text(PLAN_YAML)
    made = _cli(tmp_path, "token", "create", "--person", "ana", "--days", "10", "--note", "sync job")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("prg_") and len(token) > 40
    assert "shown once" in made.stderr
    db = (tmp_path / "home" / "programme.db").read_bytes()
    assert token.encode() not in db and token_hash(token).encode() in db
    listed = _cli(tmp_path, "token", "list")
    assert listed.returncode == 0 and "ana" in listed.stdout and "active" in listed.stdout
    assert "sync job" in listed.stdout and token not in listed.stdout
    token_id = re.search(r"token (\S+) for ana", made.stderr).group(1)
    assert token_id in listed.stdout
    assert _cli(tmp_path, "token", "revoke", token_id).returncode == 0
    assert "revoked" in _cli(tmp_path, "token", "list").stdout
    again = _cli(tmp_path, "token", "revoke", token_id)
    assert again.returncode == 1 and f"no active token '{token_id}'" in again.stderr


def test_token_create_refuses_an_unknown_person_in_one_line(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / f"{PLAN_ID}.yaml").write_text(PLAN_YAML)
    done = _cli(tmp_path, "token", "create", "--person", "anna")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: --person 'anna' is not a person in any plan (did you mean 'ana'?)"]


def test_web_help_names_host_and_port(tmp_path):
    done = _cli(tmp_path, "web", "--help")
    assert done.returncode == 0 and "--host" in done.stdout and "--port" in done.stdout
