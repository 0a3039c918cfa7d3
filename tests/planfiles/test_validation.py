"""Validation through the CLI: every mistake at once, each with file:line and what to do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from factory import GOOD_YAML, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from programme.cli import app
from programme.planfiles.loading import load_file
from programme.planfiles.validation import validate
from programme.planfiles.yamlfile import load_yaml

runner = CliRunner(env={"COLUMNS": "200"})  # a wide terminal: a long temp path stays on one line


def run_validate(path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def broken(tmp_path: Path, old: str, new: str, name: str = "good-plan.yaml") -> Path:
    assert old in GOOD_YAML
    return write(tmp_path, name, GOOD_YAML.replace(old, new, 1))


def line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(text)


def test_a_sound_plan_validates(tmp_path):
    code, output = run_validate(write(tmp_path, "good-plan.yaml", GOOD_YAML))
    assert code == 0
    assert "good-plan — 3 milestones, 4 people" in output


@pytest.mark.parametrize(("kind", "old", "new", "marker", "expected"), [
    ("unknown owner", "owner: bob\n", "owner: bobb\n", "owner: bobb",
     "[milestone discovery-day] unknown owner 'bobb' (did you mean 'bob'?)"),
    ("unknown dependency", "depends_on: [discovery-day]", "depends_on: [discovery-dya]",
     "discovery-dya", "depends on unknown milestone 'discovery-dya' (did you mean 'discovery-day'?)"),
    ("unknown field", "        owner: ana\n        due: 2026-10-30",
     "        owner: ana\n        dew: 2026-10-30\n        due: 2026-10-30", "dew:",
     "unknown field 'dew' in milestone 'market-engagement' (did you mean 'due'?)"),
    ("bad date", "due: 2026-10-30", "due: 2026-10-32", "2026-10-32", "'2026-10-32' is not a real date"),
    ("bad written date", "due: 2026-10-30", "due: sometime in October", "sometime",
     "is not a due date: write a date"),
    ("bad timezone", "kind: programme", "kind: programme\ntimezone: Europe/Londn", "Londn",
     "unknown timezone 'Europe/Londn'"),
    ("bad region", "kind: programme", "kind: programme\ncalendar: {region: wales}", "region",
     "unknown region 'wales'"),
    ("malformed contact", "contacts: [bob@example.gov.uk]", "contacts: [bob at example]", "bob at",
     "malformed contact 'bob at example' for person 'bob'"),
    ("due before a dependency", "due: 2026-10-30", "due: 2026-09-10", "2026-09-10",
     "due 2026-09-10 is before its dependency 'discovery-day' (due 2026-09-22)"),
    ("outside the plan window", "due: 2026-10-30", "due: 2026-08-30", "2026-08-30",
     "due 2026-08-30 is outside the plan window (from 2026-09-01)"),
    ("unknown lead", "lead: cara", "lead: carla", "lead: carla",
     "lead 'carla' is not a person in this plan (did you mean 'cara'?)"),
    ("unknown plan kind", "kind: programme", "kind: programm", "kind:",
     "unknown plan kind 'programm' (did you mean 'programme'?)"),
])
def test_each_mistake_is_reported_with_its_line(tmp_path, kind, old, new, marker, expected):
    path = broken(tmp_path, old, new)
    code, output = run_validate(path)
    assert code == 1, kind
    assert f"{path.name}:{line_of(path, marker)}:" in output.replace(str(tmp_path) + "/", ""), output
    assert expected in output, output


def test_a_duplicate_milestone_id_points_at_both_definitions(tmp_path):
    path = broken(tmp_path, "id: discovery-day", "id: needs-assessment")
    code, output = run_validate(path)
    assert code == 1
    assert "duplicate milestone id 'needs-assessment' (first defined at" in output
    assert f":{line_of(path, '- id: needs-assessment')}" in output


def test_a_dependency_cycle_is_named_in_full(tmp_path):
    path = broken(tmp_path, "        owner: ana\n        due: +10 working days",
                  "        owner: ana\n        due: +10 working days\n"
                  "        depends_on: [market-engagement]")
    code, output = run_validate(path)
    assert code == 1
    assert "dependency cycle:" in output
    cycle = output.split("dependency cycle: ")[1].split(" (")[0]
    assert set(cycle.split(" → ")) == {"needs-assessment", "discovery-day", "market-engagement"}
    assert cycle.split(" → ")[0] == cycle.split(" → ")[-1]


def test_every_mistake_is_reported_at_once(tmp_path):
    text = (GOOD_YAML.replace("owner: bob\n", "owner: nobody\n")
            .replace("due: 2026-10-30", "due: 2026-10-32")
            .replace("contacts: [bob@example.gov.uk]", "contacts: [bob]")
            .replace("title: Analyse", "title: Analyse\n    colour: blue"))
    code, output = run_validate(write(tmp_path, "good-plan.yaml", text))
    assert code == 1
    for expected in ("unknown owner 'nobody'", "not a real date", "malformed contact 'bob'",
                     "unknown field 'colour'"):
        assert expected in output
    assert "4 problems in 1 of 1 plan files" in output


def test_yaml_syntax_errors_give_the_line(tmp_path):
    path = write(tmp_path, "good-plan.yaml", GOOD_YAML.replace("title: Analyse", "title: [Analyse"))
    code, output = run_validate(path)
    assert code == 1
    assert f"good-plan.yaml:{line_of(path, '[Analyse')}:12: the [ opened at line" in output
    assert "Traceback" not in output


def test_an_empty_file_says_what_a_plan_needs(tmp_path):
    code, output = run_validate(write(tmp_path, "good-plan.yaml", "\n"))
    assert code == 1
    assert "the file is empty" in output


PY_PLAN = '''
from programme.planfiles.authoring import Plan

plan = Plan(id="py-plan", title="Python plan", lead="cara", start="2026-09-01")
plan.person("cara", "Cara Jones", contacts=["cara@example.gov.uk"])
with plan.phase("analyse", "Analyse") as p:
    p.milestone("needs", "Needs assessment", owner="cara", due="+10 working days")
    p.milestone("day", "Discovery day", owner="carla", due="+5 working days after needs")
'''


def test_python_plans_report_the_line_of_the_mistake(tmp_path):
    path = write(tmp_path, "py-plan.py", PY_PLAN)
    code, output = run_validate(path)
    assert code == 1
    assert f"py-plan.py:{line_of(path, 'carla')}: [milestone day] unknown owner 'carla'" in output


def test_a_python_plan_that_crashes_reports_the_line_not_a_traceback(tmp_path):
    path = write(tmp_path, "py-plan.py", PY_PLAN + "x = 1 / 0\n")
    code, output = run_validate(path)
    assert code == 1
    assert f"py-plan.py:{line_of(path, '1 / 0')}: the plan file failed to run: ZeroDivisionError" in output


def test_a_sound_python_plan_validates(tmp_path):
    code, output = run_validate(write(tmp_path, "py-plan.py", PY_PLAN.replace("carla", "cara")))
    assert code == 0, output
    assert "py-plan — 2 milestones" in output


def test_the_shipped_example_plans_all_validate():
    code, output = run_validate(Path(__file__).parents[2] / "plans")
    assert code == 0, output
    assert output.count("✓") >= 4


def test_the_real_command_prints_no_traceback_for_a_broken_file(tmp_path):
    path = write(tmp_path, "good-plan.yaml", "id: [unclosed\n  - : :\n\t")
    result = subprocess.run([sys.executable, "-m", "programme", "validate", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "plan.yaml:" in result.stdout


# -- nothing, however broken, produces a traceback -----------------------------------------------

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=20), st.dates().map(str))
yaml_values = st.recursive(yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)),
    max_leaves=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mangled_plan_data_gives_clean_errors(tmp_path, data):
    doc = yaml.safe_load(GOOD_YAML)
    # replace a few fields anywhere in the document with arbitrary values
    for _ in range(data.draw(st.integers(1, 4))):
        node, key = doc, None
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = data.draw(st.sampled_from(keys))
            if isinstance(node[key], (dict, list)) and node[key] and data.draw(st.booleans()):
                node = node[key]
                continue
            break
        if key is not None:
            node[key] = data.draw(yaml_values)
    path = write(tmp_path, "good-plan.yaml", yaml.safe_dump(doc, allow_unicode=True))
    result = load_file(path)  # must not raise
    for problem in result.problems:
        assert str(problem).startswith(str(result.path.name)) or "good-plan.yaml" in str(problem)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(GOOD_YAML)), junk=st.text(max_size=8))
def test_mangled_yaml_text_gives_clean_errors(tmp_path, cut, junk):
    path = write(tmp_path, "good-plan.yaml", GOOD_YAML[:cut] + junk + GOOD_YAML[cut + len(junk):])
    result = load_file(path)
    assert result.ok or result.problems


@given(value=yaml_values)
def test_any_document_at_all_is_validated_without_raising(value):
    plan, problems = validate(value, "plans/x.yaml")
    assert (plan is None) == bool(problems)


def test_mistakes_inside_a_python_plans_calendar_and_reminders_get_their_line(tmp_path):
    text = PY_PLAN.replace("carla", "cara").replace(
        'start="2026-09-01")',
        'start="2026-09-01",\n            calendar={"weekends": ["funday"], "closures": ["30 Feb 2027"]},\n'
        '            reminders={"chase_every": 0})')
    path = write(tmp_path, "py-plan.py", text)
    code, output = run_validate(path)
    assert code == 1
    line = line_of(path, 'plan = Plan(')
    assert f"py-plan.py:{line}: unknown day 'funday' in weekends" in output
    assert f"py-plan.py:{line}: bad closure date: '30 Feb 2027' is not a real date" in output
    assert f"py-plan.py:{line}: reminders 'chase_every' should be a whole number" in output


@pytest.mark.parametrize(("end", "due", "expected"), [
    (None, "2026-12-11", "due 2026-12-11 is outside the plan window (2026-09-01 to 2026-12-10)"),
    (None, "2026-12-10", None),
    ("2026-11-30", "2026-12-01", "due 2026-12-01 is outside the plan window (2026-09-01 to 2026-11-30)"),
])
def test_a_100_day_plan_without_an_end_closes_100_days_after_its_start(tmp_path, end, due, expected):
    text = GOOD_YAML.replace("kind: programme", "kind: 100-day plan" + (f"\nend: {end}" if end else ""))
    path = write(tmp_path, "good-plan.yaml", text.replace("due: 2026-10-30", f"due: {due}"))
    code, output = run_validate(path)
    if expected is None:
        assert code == 0, output
    else:
        assert code == 1 and f"plan.yaml:{line_of(path, due)}:" in output and expected in output, output


def test_a_plan_that_ends_before_it_starts_says_both_dates(tmp_path):
    path = broken(tmp_path, "kind: programme", "kind: programme\nend: 2026-08-01")
    code, output = run_validate(path)
    assert code == 1
    assert f"plan.yaml:{line_of(path, 'end:')}: the plan ends (2026-08-01) before it starts (2026-09-01)" \
        in output


def test_a_calendar_region_that_is_not_text_is_a_problem_not_a_crash(tmp_path):
    plan, problems = validate(load_yaml(GOOD_YAML.replace(
        "kind: programme", "kind: programme\ncalendar: {region: [wales]}")), "plan.yaml")
    assert plan is None
    assert [p.message for p in problems] == [
        "unknown region ['wales']; use one of: england-and-wales, scotland, northern-ireland"]
