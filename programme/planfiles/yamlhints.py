"""YAML syntax errors in plain words: what is wrong on which line, what to type instead, and the
line itself with a caret under the place.

PyYAML's messages ("found character '\\t' that cannot start any token", "mapping values are not
allowed here") name the parser's state, not the lead's mistake; the few mistakes people make
by hand (a tab, a colon in an unquoted title, a field out of line, a quote or bracket left
open) are recognised from the error and the text of the line, and anything else keeps the
parser's words after "not valid YAML".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z0-9_.-]+):\s+(.*\S)\s*$")
_RESERVED = {"@": "an @", "`": "a backquote", "%": "a %"}


@dataclass(frozen=True)
class Hint:
    message: str
    line: int  # 1-based
    column: int  # 1-based


def excerpt(text: str, line: int, column: int) -> str:
    """The line (numbered) and a caret under `column`; a tab shows as '→' and any other character
    that does not print as '�', one place each, so the caret stays under the place."""
    lines = text.splitlines()
    written = lines[line - 1] if 0 < line <= len(lines) else ""
    shown = "".join("→" if ch == "\t" else ch if ch.isprintable() else "�" for ch in written)
    number = f"{line:>4} | "
    return f"{number}{shown}\n{' ' * (len(number) - 2)}| {' ' * (column - 1)}^"


def _said(exc: yaml.MarkedYAMLError) -> str:
    words = ", ".join(w for w in (exc.context, exc.problem) if w)
    return f" (YAML said: {words})" if words else ""


def _text_line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def hint(exc: yaml.MarkedYAMLError, text: str) -> Hint:
    """The plain-words message for a PyYAML error, at the line and column it concerns."""
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    said = _said(exc)
    here = _text_line(text, line)
    opened = exc.context_mark

    if "'\\t'" in problem or "\t" in problem:
        if here[:column - 1].strip(" -") == "":
            return Hint(f"line {line} starts with a tab: indent with spaces (YAML does not allow "
                        f"tabs for indentation){said}", line, column)
        return Hint(f"a tab at line {line}, column {column}: use spaces instead{said}", line, column)
    if problem == "mapping values are not allowed here":
        before = here[:column - 1]
        match = _KEY_VALUE.match(here)
        if ": " in before and match:
            key, value = match[2], match[3]
            quoted = value.replace("\\", "\\\\").replace('"', '\\"')
            return Hint(f"quote a {key} that contains a colon: {key}: \"{quoted}\"{said}",
                        line, column)
        if ": " in before:
            return Hint(f"quote the text on line {line} that contains a colon, e.g. "
                        f"title: \"Phase 2: delivery\"{said}", line, column)
        return Hint(f"line {line} is indented further than the field above it: line up the "
                    f"fields of one item at the same indentation{said}", line, column)
    if "while scanning a quoted scalar" in context and opened is not None:
        quote = _text_line(text, opened.line + 1)[opened.column:opened.column + 1] or '"'
        return Hint(f"the quote {quote} opened at line {opened.line + 1} is never closed: end the "
                    f"text with {quote} on the same line{said}", opened.line + 1,
                    opened.column + 1)
    for kind, start, close, what in (("flow sequence", "[", "]", "list"),
                                     ("flow mapping", "{", "}", "mapping")):
        if f"while parsing a {kind}" in context and opened is not None:
            return Hint(f"the {start} opened at line {opened.line + 1} is not closed: end the "
                        f"{what} with {close} on the same line{said}", opened.line + 1,
                        opened.column + 1)
    if "could not find expected ':'" in problem and opened is not None:
        return Hint(f"line {opened.line + 1} has no ':' after its field name: write it as "
                    f"'field: value' (or, if it continues the text above, quote that text)"
                    f"{said}", opened.line + 1, opened.column + 1)
    if context.startswith("while parsing a block") and "expected <block end>" in problem:
        if "'<scalar>'" in problem and re.match(r"^\s*(?:-\s+)?[\w.-]+:\s*[\"']", here):
            return Hint(f"text follows the closing quote on line {line}: put the whole value "
                        f"inside the quotes{said}", line, column)
        return Hint(f"line {line} is not lined up with the lines above it: indent each field of "
                    f"one item by the same number of spaces (and each '- ' item of a list the "
                    f"same){said}", line, column)
    for char, name in _RESERVED.items():
        if f"found character '{char}' that cannot start any token" in problem:
            return Hint(f"a value cannot start with {name} unless it is quoted: write it in "
                        f"quotes, e.g. \"{char}...\"{said}", line, column)
    words = f"{problem} ({context})" if context and problem else problem or context \
        or "unreadable YAML"
    return Hint(f"not valid YAML: {words}", line, column)
