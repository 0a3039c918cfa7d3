"""Validation in plain words, through `programme validate` on real files: a YAML syntax error
says what to type with the line and a caret under the place; a weekday must be its date's own;
a fixed due date off the working calendar is a warning; one wrong date is reported once as the
cause of what follows from it; a file is named for its plan; managers do not go round in a loop."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from factory import GOOD_YAML, write
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from programme.cli import app
from programme.planfiles.loading import read_yaml
from programme.rules.dates import WEEKDAYS, DateError, parse_date

runner = CliRunner(env={"COLUMNS": "250"})  # a wide terminal: one problem, one line


def validate(path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def caret_under(output: str, written: str) -> int:
    """The column (1-based) of the caret printed under the excerpt line that shows `written`."""
    lines = output.splitlines()
    shown = next(i for i, line in enumerate(lines) if written in line and "|" in line)
    return lines[shown + 1].index("^") - lines[shown].index("|") - 1


def test_tab_indent_gets_a_hint_and_a_caret(tmp_path):
    text = GOOD_YAML.replace("        owner: bob\n", "\towner: bob\n")
    path = write(tmp_path, "good-plan.yaml", text)
    line = line_of(path, "\towner: bob")
    code, output = validate(path)
    assert code == 1
    assert f"good-plan.yaml:{line}:1: line {line} starts with a tab: indent with spaces" in output
    assert "→owner: bob" in output  # the line as written, the tab shown
    assert caret_under(output, "→owner: bob") == 1


INDENTED = [n for n, x in enumerate(GOOD_YAML.lstrip().splitlines(), 1) if x.startswith("  ")]


@given(st.sampled_from(INDENTED))
def test_a_tab_on_any_indented_line_is_named_at_that_line(number):
    lines = GOOD_YAML.lstrip().splitlines()
    lines[number - 1] = "\t" + lines[number - 1].lstrip(" ")
    result = load_file_text("\n".join(lines) + "\n")
    assert [(p.location.line, p.location.column) for p in result] == [(number, 1)]
    assert result[0].message.startswith(f"line {number} starts with a tab: indent with spaces")
    assert result[0].excerpt is not None and result[0].excerpt.splitlines()[1].endswith("| ^")


def load_file_text(text: str):
    return read_yaml(text.encode(), "good-plan.yaml")[1]


def test_a_colon_in_an_unquoted_title_says_to_quote_it(tmp_path):
    path = write(tmp_path, "good-plan.yaml",
                 GOOD_YAML.replace("title: A good plan", "title: Phase 2: delivery"))
    line = line_of(path, "Phase 2: delivery")
    code, output = validate(path)
    assert code == 1
    assert f"good-plan.yaml:{line}:15: quote a title that contains a colon: " \
        'title: "Phase 2: delivery"' in output
    assert caret_under(output, "title: Phase 2: delivery") == 15
    assert "(YAML said: mapping values are not allowed here)" in output


@pytest.mark.parametrize(("old", "new", "marker", "hint"), [
    ("        owner: bob\n", "          owner: bob\n", "          owner: bob",
     "is indented further than the field above it"),
    ("        owner: bob\n", "       owner: bob\n", "       owner: bob",
     "is not lined up with the lines above it"),
    ("title: A good plan", 'title: "A good plan', '"A good plan',
     'the quote " opened at line 2 is never closed'),
    ("depends_on: [discovery-day]", "depends_on: [discovery-day", "[discovery-day",
     "the [ opened at line"),
    ("lead: cara", "lead cara", "lead cara", "has no ':' after its field name"),
    ("lead: cara", "lead: cara\nlead: ana", "lead: ana",
     "the key 'lead' appears twice in one mapping (first at line 4): keep one"),
])
def test_yaml_mistakes_made_by_hand_are_named_at_their_line(tmp_path, old, new, marker, hint):
    path = write(tmp_path, "good-plan.yaml", GOOD_YAML.replace(old, new, 1))
    code, output = validate(path)
    assert code == 1
    assert hint in output
    assert marker in output and "^" in output  # the line as written, a caret under the place
    assert "Traceback" not in output


def test_written_weekday_must_match_its_date(tmp_path):
    path = write(tmp_path, "good-plan.yaml",
                 GOOD_YAML.replace("due: 2026-10-30", "due: Thursday 30 October 2026"))
    code, output = validate(path)
    assert code == 1
    assert (f"good-plan.yaml:{line_of(path, 'Thursday 30')}: [milestone market-engagement] bad due "
            "date: 'Thursday 30 October 2026': 30 October 2026 is a Friday, not a Thursday: "
            "fix the day or the date") in output
    path.write_text(GOOD_YAML.replace("due: 2026-10-30", "due: Friday 30 October 2026"))
    assert validate(path)[0] == 0


@given(st.dates(date(1990, 1, 1), date(2150, 12, 31)), st.integers(0, 6),
       st.sampled_from(["%A %-d %B %Y", "%a %-d %b %Y", "%A, %-d %b %Y"]))
def test_a_written_date_reads_only_with_its_own_weekday(day, shift, form):
    written = (day + timedelta(days=shift)).strftime(form.split(" ", 1)[0]) + " " + \
        day.strftime(form.split(" ", 1)[1])
    if shift == 0:
        assert parse_date(written) == day
    else:
        with pytest.raises(DateError, match=f"is a {WEEKDAYS[day.weekday()]}, not a"):
            parse_date(written)


@pytest.mark.parametrize(("due", "why"), [
    ("2026-12-25", "which is a bank holiday (Christmas Day)"),
    ("2026-10-31", "which is a weekend"),
    ("2026-11-16", "which is a closure day in the plan's calendar"),
])
def test_due_on_a_bank_holiday_is_a_warning(tmp_path, due, why):
    text = GOOD_YAML.replace("due: 2026-10-30", f"due: {due}").replace(
        "kind: programme", "kind: programme\ncalendar: {closures: [2026-11-16]}")
    path = write(tmp_path, "good-plan.yaml", text)
    code, output = validate(path)
    assert code == 0, output  # a warning, not an error
    assert "✓" in output
    assert f"warning: {path}:{line_of(path, f'due: {due}')}: [milestone market-engagement] due " \
        in output
    assert why in output and "move it to a working day" in output


def test_warnings_are_printed_by_sync_too(tmp_path, monkeypatch):
    folder = tmp_path / "plans"
    folder.mkdir()
    write(folder, "good-plan.yaml", GOOD_YAML.replace("due: 2026-10-30", "due: 2026-12-25"))
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    result = runner.invoke(app, ["sync"])
    assert result.exit_code == 0, result.output
    assert "good-plan: 3 milestones" in result.output
    assert "warning:" in result.output and "Christmas Day" in result.output


WRONG_YEAR = """
id: budget-plan
title: A budget plan
lead: cara
start: 2026-09-01
end: 2027-08-31
people:
  cara: {name: Cara Jones, contacts: [cara@example.gov.uk]}
milestones:
  - id: options-paper
    title: Options paper
    owner: cara
    due: 2026-11-20
  - id: cabinet-decision
    title: Cabinet decision
    owner: cara
    due: 2028-02-10
  - id: publish
    title: Publish the decision
    owner: cara
    due: +5 working days after cabinet-decision
  - id: consult
    title: Consult on it
    owner: cara
    due: +6 weeks after publish
  - id: report
    title: Report back
    owner: cara
    due: +10 working days after consult
  - id: contract
    title: Contract signed
    owner: cara
    due: 2027-05-03
    depends_on: [report]
  - id: mobilise
    title: Mobilise
    owner: cara
    due: 2027-06-01
    depends_on: [cabinet-decision]
"""


def test_wrong_year_is_reported_once_as_the_root_cause(tmp_path):
    path = write(tmp_path, "budget-plan.yaml", WRONG_YEAR)
    code, output = validate(path)
    assert code == 1
    line = line_of(path, "due: 2028-02-10")
    problems = [x for x in output.splitlines() if x.startswith("✗")]
    assert len(problems) == 2, output  # the wrong date, and one message for all that follows
    assert f"budget-plan.yaml:{line}: [milestone cabinet-decision] due 2028-02-10 is outside " \
        "the plan window" in problems[0]
    assert (f"3 due dates fall outside the plan window (2026-09-01 to 2027-08-31) and 2 milestones "
            f"are due before their dependencies because 'cabinet-decision' (line {line}) is due "
            "in 2028") in problems[1]
    for mid in ("publish", "consult", "report", "contract", "mobilise"):
        assert f"'{mid}' (line" in problems[1]
    assert "2 problems in 1 of 1 plan files" in output


def test_a_wrong_date_inside_the_window_is_still_named_as_the_cause(tmp_path):
    path = write(tmp_path, "budget-plan.yaml", WRONG_YEAR.replace("2028-02-10", "2027-08-20"))
    code, output = validate(path)
    assert code == 1
    problems = [x for x in output.splitlines() if x.startswith("✗")]
    assert len(problems) == 1, output
    line = line_of(path, "due: 2027-08-20")
    assert (f"budget-plan.yaml:{line}: [milestone cabinet-decision] 2 due dates fall outside the "
            "plan window (2026-09-01 to 2027-08-31) and 2 milestones are due before their "
            f"dependencies because they follow from 'cabinet-decision' (line {line}), due 20 "
            "August 2027: check that date") in problems[0]


def test_one_milestone_due_too_early_is_reported_at_its_own_line(tmp_path):
    path = write(tmp_path, "budget-plan.yaml", WRONG_YEAR.replace("2028-02-10", "2026-12-10")
                 .replace("due: 2027-05-03", "due: 2026-05-03"))
    code, output = validate(path)
    assert code == 1
    assert (f"budget-plan.yaml:{line_of(path, 'due: 2026-05-03')}: [milestone contract] due "
            "2026-05-03 is before its dependency 'report'") in output


@pytest.mark.parametrize("suffix", ["yaml", "py"])
def test_plan_id_must_match_file_name(tmp_path, suffix):
    if suffix == "yaml":
        path = write(tmp_path, "other-name.yaml", GOOD_YAML)
    else:
        path = write(tmp_path, "other-name.py", (
            "from programme.planfiles.authoring import Plan\n"
            "plan = Plan(id='py-plan', title='Python plan', lead='cara', start='2026-09-01')\n"
            "plan.person('cara', 'Cara Jones', contacts=['cara@example.gov.uk'])\n"
            "plan.milestone('needs', 'Needs assessment', owner='cara', due='+10 working days')\n"))
    code, output = validate(path)
    assert code == 1
    plan_id = "good-plan" if suffix == "yaml" else "py-plan"
    assert f"the plan id '{plan_id}' does not match the file name 'other-name.{suffix}': rename " \
        f"the file to '{plan_id}.{suffix}' or set id: other-name" in output


@pytest.mark.parametrize(("people", "loop"), [
    ({"ana": "bob", "bob": "ana"}, "ana → bob → ana"),
    ({"ana": "bob", "bob": "cara", "cara": "ana"}, "ana → bob → cara → ana"),
    ({"ana": "ana"}, "ana → ana"),
])
def test_manager_loop_is_an_error(tmp_path, people, loop):
    text = GOOD_YAML
    for person, manager in people.items():
        line = next(x for x in text.splitlines() if x.startswith(f"  {person}: "))
        fields = line.replace(", manager: bob", "").rstrip("}")
        text = text.replace(line, f"{fields}, manager: {manager}}}")
    path = write(tmp_path, "good-plan.yaml", text)
    code, output = validate(path)
    assert code == 1
    first = next(iter(people))
    assert f"good-plan.yaml:{line_of(path, f'  {first}: ')}: managers go round in a loop: " \
        f"{loop}" in output


def test_the_shipped_plans_validate_without_warnings():
    shipped = Path(__file__).resolve().parents[2] / "plans"
    result = runner.invoke(app, ["validate", str(shipped)])
    assert result.exit_code == 0, result.output
    assert result.output.count("✓") == 4
    assert "warning" not in result.output


def test_the_issue_case_a_typo_in_a_shipped_plan_is_one_message_at_the_typo(tmp_path):
    """The reproduced finding: `cabinet-decision` typed as 2028 in the healthy lifestyles plan
    gave eight problems, none at its own line."""
    shipped = Path(__file__).resolve().parents[2] / "plans" / "healthy-lifestyles-commissioning.py"
    text = shipped.read_text()
    assert text.count('due="17 Mar 2027"') == 1
    path = write(tmp_path, shipped.name, text.replace('due="17 Mar 2027"', 'due="17 Mar 2028"'))
    code, output = validate(path)
    assert code == 1
    problems = [x for x in output.splitlines() if x.startswith("✗")]
    assert len(problems) == 1, output
    line = line_of(path, '"cabinet-decision"') - 1  # a Python plan's milestone: its call's line
    assert f"healthy-lifestyles-commissioning.py:{line}: [milestone " \
        "cabinet-decision] 6 due dates fall outside the plan window" in problems[0]
    assert "because they follow from 'cabinet-decision'" in problems[0]
