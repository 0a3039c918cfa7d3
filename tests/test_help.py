"""`--help` of every command reads as documentation, and the README's table lists every command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from programme.cli import app

README = Path(__file__).parents[1] / "README.md"
runner = CliRunner()
NOISE = re.compile(r"<(bool|str|int|float|path|text|integer|datetime)>|\b(TEXT|INTEGER|BOOLEAN|FLOAT)\b")


def _commands(command, path: tuple[str, ...] = ()):
    """(path, command) for every command and group under `command`, itself included."""
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


ROOT = typer.main.get_command(app)
COMMANDS = list(_commands(ROOT))


def _help(path: tuple[str, ...]) -> str:
    result = CliRunner(env={"COLUMNS": "80"}).invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "programme"
                                                             for p, _ in COMMANDS])
def test_every_option_and_argument_has_a_description_and_no_type_noise(path, command):
    assert command.help and command.help.strip(), f"{path}: no description"
    for param in command.params:
        names = "/".join(param.opts)
        assert (getattr(param, "help", None) or "").strip(), f"{path} {names}: no description"
    text = _help(path)
    assert not NOISE.search(text), text
    assert "{" not in text.splitlines()[1], text  # usage: `PLAN`, `[PLAN]`, never `{PLAN}`
    for line in text.splitlines():
        assert len(line) <= 80, line


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "programme"
                                                             for p, _ in COMMANDS])
def test_help_texts_are_paragraphs_not_source_lines(path, command):
    """A docstring's line breaks are not kept: a summary ends with its sentence, not mid-way
    where the source line ended."""
    for text in [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]:
        for paragraph in text.split("\n\n"):
            if not paragraph.startswith("\b"):
                assert "\n" not in paragraph, f"{path}: {paragraph!r}"


def test_the_readme_table_names_every_command():
    readme = README.read_text(encoding="utf-8")
    named = set(re.findall(r"^\| `programme ([a-z-]+)", readme, re.MULTILINE))
    commands = set(ROOT.commands)
    assert commands - named == set(), f"commands missing from the README's table: {commands - named}"
