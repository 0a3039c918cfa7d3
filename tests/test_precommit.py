"""The pre-commit hook (`.pre-commit-hooks.yaml`) run by the real `pre-commit` in a temporary
plans repository: a broken plan stops it with the problem's file and line, a good one passes,
files that are not plans are left alone.

pre-commit installs the hook from this repository (`pre-commit try-repo`, which clones it with
its tracked changes) into a virtualenv of its own. The virtualenv is made with
VIRTUALENV_SYSTEM_SITE_PACKAGES=1 so the dependencies already installed here satisfy it and only
this project is built, instead of downloading Prefect and the rest again on every run; the
hook's definition, entry point and file filter are exercised exactly as a user's would be.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import IN_CI
from factory import GOOD_YAML

PROJECT = Path(__file__).resolve().parents[1]


def _needs(condition: bool, why: str) -> None:
    if not condition:
        if IN_CI:
            pytest.fail(why)
        pytest.skip(why)


def run(repo: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, timeout=900,
                          check=False)


@pytest.mark.slow
def test_the_hook_stops_a_broken_plan_and_passes_a_good_one(tmp_path):
    _needs(shutil.which("pre-commit") is not None, "pre-commit is not installed (test extras)")
    _needs((PROJECT / ".git").exists(), "this checkout is not a git repository")
    repo = tmp_path / "plans-repo"
    (repo / "plans").mkdir(parents=True)
    good = textwrap.dedent(GOOD_YAML).lstrip()
    (repo / "plans" / "good-plan.yaml").write_text(good)
    (repo / "plans" / "broken.yaml").write_text(
        good.replace("id: good-plan", "id: broken").replace("owner: bob", "owner: bobby"))
    (repo / "plans" / "README.md").write_text("# Our plans\n")  # not a plan: not checked
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"),
           "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1", "PROGRAMME_HOME": str(tmp_path / "home"),
           "GIT_AUTHOR_NAME": "Cara Jones", "GIT_AUTHOR_EMAIL": "cara@example.gov.uk",
           "GIT_COMMITTER_NAME": "Cara Jones", "GIT_COMMITTER_EMAIL": "cara@example.gov.uk"}
    assert run(repo, env, "git", "init", "-q").returncode == 0
    assert run(repo, env, "git", "add", "-A").returncode == 0

    broken = run(repo, env, "pre-commit", "try-repo", str(PROJECT), "programme-validate",
                 "--all-files")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "programme validate" in broken.stdout and "Failed" in broken.stdout
    assert "plans/broken.yaml:22: [milestone discovery-day] unknown owner 'bobby' " \
           "(did you mean 'bob'?)" in broken.stdout
    assert "✓ plans/good-plan.yaml: good-plan" in broken.stdout
    assert "README" not in broken.stdout

    assert run(repo, env, "git", "rm", "-q", "-f", "plans/broken.yaml").returncode == 0
    good_run = run(repo, env, "pre-commit", "try-repo", str(PROJECT), "programme-validate",
                   "--all-files")
    assert good_run.returncode == 0, good_run.stdout + good_run.stderr
    assert "Passed" in good_run.stdout
