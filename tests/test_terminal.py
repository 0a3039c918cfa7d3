"""The CLI in an 80-column terminal (also the width of piped output), on the shipped plans: ids
whole, nothing wider than the terminal, no raw markup, plan text printed as written, NO_COLOR."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from factory import GOOD_YAML, write
from rich.cells import cell_len
from typer.testing import CliRunner

from programme.cli import app
from programme.planfiles.loading import load_plans

PLANS = Path(__file__).parents[1] / "plans"
NOW = "2026-11-23T10:00+00:00"  # a Monday in every shipped plan's span, much of it overdue
runner = CliRunner()
MARKUP = re.compile(r"\[/\]|\[/?(?:bold|dim|red|green|yellow|cyan|dark_orange)\b")


@pytest.fixture(scope="module")
def shipped() -> dict:
    return {r.plan.id: r.plan for r in load_plans([PLANS]) if r.plan is not None}


@pytest.fixture(autouse=True)
def terminal(monkeypatch):
    monkeypatch.setenv("PROGRAMME_PLANS", str(PLANS))
    monkeypatch.setenv("PROGRAMME_NOW", NOW)
    monkeypatch.setenv("PROGRAMME_DELIVERY", "sink")  # nothing leaves the machine
    monkeypatch.setenv("COLUMNS", "80")


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


def whole(output: str, ids) -> None:
    """Each id appears whole on some line (not broken across lines), the output fits 80
    columns, and no markup is left in it."""
    lines = output.splitlines()
    for identifier in ids:
        pattern = re.compile(rf"(?<![\w.-]){re.escape(identifier)}(?![\w.-])")
        assert any(pattern.search(line) for line in lines), f"{identifier!r} not whole in:\n{output}"
    assert max(cell_len(line.rstrip()) for line in lines) <= 80, output
    assert not MARKUP.search(output), output


def test_every_plan_id_is_whole_in_the_portfolio_at_80_columns(shipped):
    whole(cli("status"), shipped)


@pytest.mark.parametrize("plan_id", sorted(p.stem for p in PLANS.glob("*.*") if p.stem != "README"))
def test_every_milestone_id_is_whole_in_a_plans_status_at_80_columns(shipped, plan_id):
    output = cli("status", plan_id)
    whole(output, [m.id for m in shipped[plan_id].milestones])
    assert re.search(r"\b(Mon|Tue|Wed|Thu|Fri) \d{1,2} [A-Z][a-z]{2}\b", output)  # dates on one line


@pytest.mark.parametrize("columns", [100, 132, 200])
def test_wider_terminals_show_the_full_table_with_ids_whole(shipped, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    plan = shipped["healthy-lifestyles-commissioning"]
    output = cli("status", plan.id)
    header = next(line for line in output.splitlines() if "Milestone" in line)
    if columns >= 132:  # dates with their year ("Thu 27 Apr 2028") take two columns of 15
        assert "Forecast" in header  # a column of its own when there is room
    ids = [m.id for m in plan.milestones]
    for identifier in ids:
        assert re.search(rf"(?<![\w.-]){re.escape(identifier)}(?![\w.-])", output), identifier
    assert max(cell_len(line.rstrip()) for line in output.splitlines()) <= columns


def test_chase_dry_run_and_outbox_keep_ids_whole_and_when_short(shipped):
    dry = cli("chase", "--all", "--dry-run")
    cli("chase", "--all")  # the same moment: what the dry run listed is what it queues
    rows = json.loads(cli("outbox", "--json"))
    assert len(rows) > 20
    due = {r["milestone"] for r in rows}
    whole(dry, due | {r["plan"] for r in rows})
    # a row's "When" ("review due Friday 30 October, 16 working days overdue") in 5 lines at most
    heights, height = [], 0
    for line in dry.splitlines():
        cells = line.split("│")
        if len(cells) != 6:  # a row of the 4-column table, not a rule or a title
            continue
        height = 1 if cells[1].strip() else height + 1
        heights.append(height)
    assert heights and max(heights) <= 5, dry
    box = cli("outbox")
    whole(box, due | {r["plan"] for r in rows})


def test_preview_keeps_ids_whole_and_wraps_under_the_text(shipped):
    records = json.loads(cli("preview", "--all", "--until", "2026-11-24", "--json"))
    assert records
    output = cli("preview", "--all", "--until", "2026-11-24")
    whole(output, {f"{r['milestone']}:" for r in records} | {r["step"] for r in records}
          | {r["plan"] for r in records})


def test_raid_list_token_list_info_and_validate_fit_80_columns(shipped):
    plan = shipped["commissioning-academy-100-day"]
    whole(cli("raid", "list", plan.id), [item.id for item in plan.raid])
    created = runner.invoke(app, ["token", "create", "--person", plan.lead, "--note", "[ci] bot"])
    assert created.exit_code == 0, created.output
    tokens = cli("token", "list")
    whole(tokens, [plan.lead])
    assert "[ci] bot" in tokens  # printed as written
    whole(cli("info"), ["sink"])
    whole(cli("validate"), shipped)


def test_diff_prints_markdown_without_markup(shipped):
    output = cli("diff", "council-website-redesign")
    assert not MARKUP.search(output)


BRACKETED = GOOD_YAML.replace("title: Market engagement", 'title: "Market engagement [phase 2]"') \
    .replace("name: Ana Lee,", "name: 'Ana Lee [interim]',")


def test_plan_text_with_brackets_is_printed_as_written(tmp_path, monkeypatch):
    folder = tmp_path / "plans"
    folder.mkdir()
    write(folder, "good-plan.yaml", BRACKETED)
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("PROGRAMME_NOW", "2026-10-20T10:00+01:00")
    cli("update", "good-plan", "discovery-day", "--blocked", "[red]venue[/red] gone [bold]")
    cli("rate", "good-plan", "amber", "-c", "see [minutes]")
    status = cli("status", "good-plan")
    assert "Market engagement [phase 2]" in status
    assert "Ana Lee [interim]" in status
    assert "[red]venue[/red] gone [bold]" in status
    assert "see [minutes]" in status
    dry = cli("chase", "good-plan", "--dry-run")
    assert "Ana Lee [interim]" in dry
    cli("chase", "good-plan")
    assert "Ana Lee [interim]" in cli("outbox")
    assert "Market engagement [phase 2]" in cli("preview", "good-plan", "--until", "2026-11-06")


def _programme(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from programme.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120, env=env)


def _in_a_terminal(*args: str, env: dict) -> str:
    """The command's output as a terminal (a pseudo-terminal) receives it."""
    master, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", "from programme.cli import main; main()", *args],
                            stdin=child, stdout=child, stderr=child, env=env, close_fds=True)
    os.close(child)
    data = b""
    while select.select([master], [], [], 60)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        data += chunk
    proc.wait(timeout=60)
    os.close(master)
    return data.decode("utf-8", "replace")


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    return {**env, **extra}


def test_piped_output_is_80_columns_wide_with_ids_whole_and_no_escape_codes(shipped):
    result = _programme("status", "healthy-lifestyles-commissioning", env=_env())
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout
    whole(result.stdout, [m.id for m in shipped["healthy-lifestyles-commissioning"].milestones])


def test_no_color_gives_plain_text_in_a_terminal_and_force_color_colours_a_pipe():
    coloured = _in_a_terminal("status", env=_env())
    assert "\x1b[" in coloured and "commissioning-academy-100-day" in coloured
    plain = _in_a_terminal("status", env=_env(NO_COLOR="1"))
    assert "commissioning-academy-100-day" in plain and "\x1b[" not in plain
    assert "\x1b[" in _in_a_terminal("status", "--help", env=_env())
    assert "\x1b[" not in _in_a_terminal("status", "--help", env=_env(NO_COLOR="1"))
    forced = _programme("status", env=_env(FORCE_COLOR="1"))
    assert "\x1b[" in forced.stdout
    both = _programme("status", env=_env(FORCE_COLOR="1", NO_COLOR="1"))
    assert both.returncode == 0 and "\x1b[" not in both.stdout


def test_dates_in_another_year_carry_it_in_the_status_table(shipped):
    plan = shipped["healthy-lifestyles-commissioning"]  # runs into 2028; the moment is in 2026
    output = cli("status", plan.id)
    last = max(m.due for m in plan.milestones)
    assert f"{last:%a %-d %b %Y}" in output
    assert re.search(r"\b(Mon|Tue|Wed|Thu|Fri) \d{1,2} [A-Z][a-z]{2}\s*│", output)  # this year's: no year
