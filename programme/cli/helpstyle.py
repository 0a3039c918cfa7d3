"""How `--help` reads: meaningful placeholders, no type noise, paragraphs that wrap.

Typer's Rich help shows a type beside every parameter (`<bool>` beside each flag, `<str>`
beside `PLAN`), writes required arguments as `{PLAN}` in the usage line, and keeps the line
breaks of a docstring in the command list, so a summary longer than one source line was cut
mid-sentence. Here:

* an option shows the metavar it was given (DATE, PLAN, N, FOLDER...) and a flag nothing;
  an argument its name only;
* the usage line reads `programme update [OPTIONS] PLAN MILESTONE` (optional ones in [ ]);
* each command's help is reflowed into paragraphs (a blank line separates them) before Typer
  lays it out, so it wraps at the terminal's width;
* NO_COLOR makes the help plain text, like every command's output.

`install()` is called once when the CLI is built.
"""

from __future__ import annotations

import inspect
import os
from typing import Any

from typer import rich_utils
from typer.core import TyperArgument, TyperOption


def _option_type(self: TyperOption, ctx: Any) -> str | None:
    if self.is_flag or self.count:
        return None
    return self.metavar or (self.name or "").upper() or None


def _argument_type(self: TyperArgument, ctx: Any) -> str | None:
    return None  # the name column already shows its metavar


def _argument_usage(self: TyperArgument) -> str:
    name = self.metavar or (self.name or "").upper()
    name = name if self.required else f"[{name}]"
    return name + ("..." if self.nargs != 1 else "")


def reflow(text: str | None) -> str | None:
    """A docstring as paragraphs: single line breaks become spaces, blank lines stay; a
    paragraph that starts with Click's "\\b" marker is kept as written."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(p if p.startswith("\b") else " ".join(p.split()) for p in paragraphs)


def reflow_all(command: Any) -> None:
    """Reflow the help of `command` (a Typer command or group), its parameters' and, for a
    group, every command's under it."""
    command.help = reflow(command.help)
    if command.short_help:
        command.short_help = reflow(command.short_help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = reflow(param.help)
    for sub in getattr(command, "commands", {}).values():
        reflow_all(sub)


def install() -> None:
    if os.environ.get("NO_COLOR", "") != "":  # help and usage errors as plain as the output
        rich_utils.COLOR_SYSTEM = None
    TyperOption.display_type_rich = _option_type  # type: ignore[method-assign]
    TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign,assignment]
    TyperArgument._usage_display_name = _argument_usage  # type: ignore[method-assign]
