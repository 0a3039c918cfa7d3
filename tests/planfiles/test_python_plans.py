"""Python plans are code: each command runs the ones it needs in a child process, with a time
limit and an environment without secrets, and a plan that hangs, exits, crashes or pries becomes
that plan's error. A command about one plan never runs another plan's file."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from programme.cli import app
from programme.planfiles.loading import load_file
from programme.planfiles.pythonplans import child_environment

SHIPPED = Path(__file__).resolve().parents[2] / "plans"
SECRET = "s3cr3t-pa55word"
GOOD = '''
from programme.planfiles.authoring import Plan

plan = Plan(id="{id}", title="A plan", lead="cara", start="2026-09-01")
plan.person("cara", "Cara Jones", contacts=["cara@example.gov.uk"])
plan.milestone("needs", "Needs assessment", owner="cara", due="+10 working days")
'''


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner(env={"COLUMNS": "300"}).invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def plan_file(folder: Path, stem: str, body: str, good: bool = True) -> Path:
    text = textwrap.dedent(body).lstrip()
    if good:
        text += GOOD.format(id=stem)
    path = folder / f"{stem}.py"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def secrets(monkeypatch):
    monkeypatch.setenv("PROGRAMME_SMTP_URL", f"mailtos://bot:{SECRET}@smtp.example.gov.uk")
    monkeypatch.setenv("MY_API_TOKEN", SECRET)
    monkeypatch.setenv("DB_PASSWORD", SECRET)
    monkeypatch.setenv("SERVICE_SECRET", SECRET)
    monkeypatch.setenv("PROGRAMME_PLAN_TIMEOUT", "2")


def test_hostile_python_plans_each_become_their_plans_error_and_the_command_finishes(
        tmp_path, secrets):
    plan_file(tmp_path, "loops", "while True:\n    pass\n", good=False)
    plan_file(tmp_path, "exits", "import os\nos._exit(7)\n", good=False)
    plan_file(tmp_path, "interrupts", "raise KeyboardInterrupt\n", good=False)
    plan_file(tmp_path, "quits", "import sys\nsys.exit(0)\n", good=False)
    plan_file(tmp_path, "unprintable", """
        class Odd(Exception):
            def __str__(self):
                raise SystemExit(3)
        raise Odd()
        """, good=False)
    plan_file(tmp_path, "chatty", "print('{\"done\": 9}')\nimport sys\nsys.stderr.write('x')\n")
    plan_file(tmp_path, "fine", "")
    started = time.monotonic()
    code, output = cli("validate", str(tmp_path))
    took = time.monotonic() - started
    assert code == 1
    assert took < 2 + 8, "one time limit for the hang, not one per plan"
    assert "loops.py:1: the plan file did not finish within 2 s" in output
    assert "exits.py:1: the plan file ended its Python process (exit code 7)" in output
    assert "interrupts.py:1: the plan file failed to run: KeyboardInterrupt" in output
    assert "quits.py:2: the plan file called exit (0)" in output
    assert "unprintable.py:4: the plan file failed to run: Odd: <Odd that cannot be shown>" in output
    assert "✓" in output and "chatty — 1 milestones" in output and "fine — 1 milestones" in output
    assert "Traceback" not in output


def test_a_python_plan_sees_no_secret_in_its_environment(tmp_path, secrets):
    plan_file(tmp_path, "pries", """
        import os
        LOOT = sorted(f"{k}={v}" for k, v in os.environ.items())
        """, good=False)
    (tmp_path / "pries.py").write_text((tmp_path / "pries.py").read_text() + textwrap.dedent('''
        from programme.planfiles.authoring import Plan
        plan = Plan(id="pries", title=" ".join(LOOT), lead="cara", start="2026-09-01")
        plan.person("cara", "Cara Jones", contacts=["cara@example.gov.uk"])
        plan.milestone("needs", "Needs", owner="cara", due="+1 days")
        '''))
    result = load_file(tmp_path / "pries.py")
    assert result.ok, result.problems
    seen = result.plan.title
    assert "PATH=" in seen  # it ran, with an environment
    assert SECRET not in seen
    for name in ("PROGRAMME_SMTP_URL", "MY_API_TOKEN", "DB_PASSWORD", "SERVICE_SECRET",
                 "PROGRAMME_PLAN_TIMEOUT"):
        assert f"{name}=" not in seen


@pytest.mark.parametrize("name", ["PROGRAMME_HOME", "DATABASE_URL", "SMTP_PASS", "GITHUB_TOKEN",
                                  "AWS_SECRET_ACCESS_KEY", "PREFECT_API_KEY", "my_auth_header"])
def test_secret_looking_settings_are_stripped_from_a_plans_environment(name):
    assert name not in child_environment({name: "x", "PATH": "/usr/bin", "LANG": "C.UTF-8"})
    assert child_environment({"PATH": "/usr/bin"}) == {"PATH": "/usr/bin"}


def test_python_plans_can_be_turned_off_for_servers_taking_plans_from_many_authors(
        tmp_path, monkeypatch):
    plan_file(tmp_path, "fine", "open(__file__ + '.ran', 'w').close()\n")
    monkeypatch.setenv("PROGRAMME_PYTHON_PLANS", "off")
    code, output = cli("validate", str(tmp_path))
    assert code == 1
    assert "fine.py:1: Python plans are turned off here (PROGRAMME_PYTHON_PLANS=off)" in output
    assert not (tmp_path / "fine.py.ran").exists()


def test_a_command_about_one_plan_never_runs_another_plans_python(tmp_path, monkeypatch, secrets):
    folder = tmp_path / "plans"
    folder.mkdir()
    for shipped in SHIPPED.glob("*.*"):
        if shipped.suffix in (".yaml", ".py"):
            (folder / shipped.name).write_text(shipped.read_text(encoding="utf-8"),
                                               encoding="utf-8")
    marker = tmp_path / "evil-ran"
    plan_file(folder, "evil", f"""
        import os
        with open({str(marker)!r}, "a") as f:
            f.write(repr(dict(os.environ)) + "\\n")
        """)
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    for args in (["status", "commissioning-academy-100-day"],
                 ["status", "design-in-the-public-sector"],
                 ["report", "healthy-lifestyles-commissioning"],
                 ["ical", "council-website-redesign"],
                 ["digest", "design-in-the-public-sector"]):
        code, output = cli(*args)
        assert code == 0, (args, output)
        assert not marker.exists(), f"{args} ran plans/evil.py"
    code, output = cli("status")  # the portfolio: every plan, so evil.py too, without secrets
    assert code == 0, output
    assert marker.exists() and SECRET not in marker.read_text()
