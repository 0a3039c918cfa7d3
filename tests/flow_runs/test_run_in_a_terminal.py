"""`programme run --all` as a person at an 80-column terminal sees it, on shipped plans: the
temporary Prefect server sends no telemetry and prints no notice into the progress display
(Prefect's own setting for the server does not silence it), the table keeps every plan id whole,
and a plan file that does not load is listed in words, not raw markup."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

from rich.cells import cell_len

SHIPPED = Path(__file__).parents[2] / "plans"

NOTICE = "anonymous usage data"
# Prefect's client skips the notice when any of these is set (CI detection): a real user has none
CI_VARIABLES = {"CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "TRAVIS", "CIRCLECI",
                "BUILDKITE", "TF_BUILD", "CODEBUILD_BUILD_ID", "BITBUCKET_COMMIT",
                "TEAMCITY_VERSION", "DRONE", "SEMAPHORE", "APPVEYOR", "BUDDY", "CI_NAME"}


def _in_a_terminal(args: list[str], env: dict, timeout: float = 240) -> tuple[int, str]:
    """What a person at a terminal sees (a pseudo-terminal: Prefect shows the notice only there)."""
    master, child = pty.openpty()
    proc = subprocess.Popen(args, stdin=child, stdout=child, stderr=child, env=env, close_fds=True)
    os.close(child)
    data = b""
    while select.select([master], [], [], timeout)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        data += chunk
    code = proc.wait(timeout=30)
    os.close(master)
    return code, data.decode("utf-8", "replace")


def _first_time_user(tmp_path: Path, **extra: str) -> dict:
    drop = CI_VARIABLES | {"DO_NOT_TRACK", "PREFECT_SERVER_ANALYTICS_ENABLED", "PREFECT_API_URL"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PREFECT_")}
    return {**env, "PREFECT_HOME": str(tmp_path / "prefect"), **extra}


def test_the_server_setting_alone_leaves_prefects_notice_on(tmp_path):
    # why `programme run` sets DO_NOT_TRACK too (and that this test can see the notice)
    env = _first_time_user(tmp_path, PREFECT_SERVER_ANALYTICS_ENABLED="false")
    _, seen = _in_a_terminal([sys.executable, "-c", "import prefect"], env)
    assert NOTICE in seen


def test_run_all_in_a_terminal_shows_no_notice_whole_ids_and_no_raw_markup(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    shipped = ("commissioning-academy-100-day.yaml", "healthy-lifestyles-commissioning.py")
    for name in shipped:  # the longest plan id, and a YAML plan (the whole set takes twice as long)
        shutil.copy(SHIPPED / name, plans)
    (plans / "half-written.yaml").write_text("id: half-written\ntitle: [Draft] plan\n")
    env = _first_time_user(tmp_path, PROGRAMME_PLANS=str(plans), PROGRAMME_DELIVERY="sink")
    code, seen = _in_a_terminal([sys.executable, "-c", "from programme.cli import main; main()",
                                 "run", "--all", "--as-of", "2026-11-23T10:00", "--no-send"], env)
    assert code == 3, seen  # partial: the half-written plan was skipped
    assert NOTICE not in seen, seen
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen)  # the terminal's colours and cursor moves
    lines = [line.rstrip("\r") for line in text.splitlines()]
    for plan_id in (Path(name).stem for name in shipped):
        assert any(re.search(rf"│ {plan_id} +│", line) for line in lines), text
    assert "skipped: " in text and "half-written.yaml" in text
    assert "[yellow]" not in text and "[/]" not in text
    table = [line for line in lines if line.startswith(("┏", "│", "└"))]
    assert table and max(cell_len(line) for line in table) <= 80
