"""The child process that runs Python plan files (see `programme.planfiles.pythonplans`).

It reads the list of plan files from standard input, then, for each file, says it is starting
("start"), runs it, and answers with the plan it built as plain JSON data with the line of
every part ("done"), or with why it could not ("error"). Standard input, output and error are
pointed at /dev/null before any plan runs: a plan that prints or reads cannot disturb the
answers, which go out on a private copy of the original standard output.

It imports only the standard library and the authoring API, so it starts in a few tens of
milliseconds; the parent validates what it receives, so nothing here decides whether a plan
is sound.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import traceback
from datetime import date, datetime
from pathlib import Path

MAX_DEPTH = 64  # lists and mappings inside each other; a plan needs about eight
MAX_NODES = 2_000_000  # values in one plan, shared ones counted each time they appear


class _Refused(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message = message
        self.line = line


def safe_text(value: object, limit: int = 300) -> str:
    """str(value), or a description when its __str__ fails or never ends well."""
    try:
        text = str(value)
    except BaseException:  # a hostile __str__ can raise anything, even SystemExit
        try:
            return f"<{type(value).__name__} that cannot be shown>"
        except BaseException:
            return "<a value that cannot be shown>"
    if not isinstance(text, str):
        return "<a value that cannot be shown>"
    return text if len(text) <= limit else text[:limit] + "…"


class _Encoder:
    """Raw plan data -> JSON-ready data: {"m": [[key, line, value]...], "l": line} for a
    mapping, {"s": [[line, value]...], "l": line} for a list, {"d": iso} for a date, {"t": iso}
    for a date-time, {"x": type name, "r": text} for anything else. Missing lines are the
    enclosing one's, so every part of the plan has a line."""

    def __init__(self) -> None:
        self.nodes = 0

    def encode(self, value: object, line: int | None, depth: int = 0) -> object:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(f"the plan holds more than {MAX_NODES:,} values", line)
        if depth > MAX_DEPTH:
            raise _Refused(f"nested too deeply at line {line} (more than {MAX_DEPTH} levels of "
                           "lists and mappings)", line)
        kind = type(value)
        if value is None or kind in (bool, int, float):
            return value
        if kind is str:
            return value
        if isinstance(value, dict):
            own = getattr(value, "line", None)
            own = own if type(own) is int else line
            key_lines = getattr(value, "key_lines", None)
            key_lines = key_lines if isinstance(key_lines, dict) else {}
            items = []
            for key, item in list(dict.items(value)):
                text = key if type(key) is str else safe_text(key)
                at = key_lines.get(key) if type(key) is str else None
                at = at if type(at) is int else own
                items.append([text, at, self.encode(item, at, depth + 1)])
            return {"m": items, "l": own}
        if isinstance(value, (list, tuple)):
            own = getattr(value, "line", None)
            own = own if type(own) is int else line
            item_lines = getattr(value, "item_lines", None)
            item_lines = item_lines if isinstance(item_lines, list) else []
            items = []
            for i, item in enumerate(list(value)):
                at = item_lines[i] if i < len(item_lines) else None
                at = at if type(at) is int else own
                items.append([at, self.encode(item, at, depth + 1)])
            return {"s": items, "l": own}
        if isinstance(value, datetime):
            return {"t": datetime.isoformat(value)}
        if isinstance(value, date):
            return {"d": date.isoformat(value)}
        if isinstance(value, str):
            return str.__str__(value)
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, int):
            return int.__int__(value)
        if isinstance(value, float):
            return float.__float__(value)
        return {"x": safe_text(type(value).__name__, 60), "r": safe_text(value, 200)}


def _line_in(path: Path, tb) -> int | None:
    line = None
    try:
        target = path.resolve()
        for frame in traceback.extract_tb(tb):
            if Path(frame.filename).resolve() == target:
                line = frame.lineno
    except BaseException:
        return None
    return line


def run_plan(path: Path) -> dict:
    """Run one plan file: {"raw": ..., "line": n} or {"error": text, "line": n}."""
    from programme.planfiles.authoring import Plan as PlanBuilder

    try:
        namespace = runpy.run_path(str(path), run_name=f"programme_plan_{path.stem}")
    except SyntaxError as exc:
        where = f", column {exc.offset}" if exc.offset else ""
        return {"error": f"Python syntax error: {safe_text(exc.msg)}{where}",
                "line": exc.lineno if type(exc.lineno) is int else 1}
    except RecursionError as exc:
        return {"error": "the plan file failed to run: it recursed too deeply",
                "line": _line_in(path, exc.__traceback__) or 1}
    except BaseException as exc:  # KeyboardInterrupt and SystemExit too: the plan's error
        name = safe_text(type(exc).__name__, 80)
        if isinstance(exc, SystemExit):
            message = f"the plan file called exit ({safe_text(exc.code, 80)})"
        else:
            text = safe_text(exc)
            message = f"the plan file failed to run: {name}" + (f": {text}" if text else "")
            if isinstance(exc, TypeError) and "unexpected keyword" in safe_text(exc):
                message += " (check the field names)"
        return {"error": message, "line": _line_in(path, exc.__traceback__) or 1}
    try:
        chosen = namespace.get("plan")
        if not isinstance(chosen, PlanBuilder):
            builders = [v for v in namespace.values() if isinstance(v, PlanBuilder)]
            if len(builders) != 1:
                return {"error": "the file defines no plan: write `plan = Plan(id=..., "
                                 "title=..., ...)` using `from programme.planfiles.authoring "
                                 "import Plan`", "line": 1}
            chosen = builders[0]
        raw = chosen.raw
        line = getattr(raw, "line", None)
        line = line if type(line) is int else 1
        return {"raw": _Encoder().encode(raw, line), "line": line}
    except _Refused as exc:
        return {"error": exc.message, "line": exc.line or 1}
    except RecursionError:
        return {"error": "nested too deeply (the plan's data refers to itself)", "line": 1}
    except BaseException as exc:
        return {"error": f"the plan's data cannot be read: {safe_text(type(exc).__name__, 80)}: "
                         f"{safe_text(exc)}", "line": 1}


def main() -> None:
    request = json.loads(sys.stdin.buffer.read() or b"[]")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(quiet, fd)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - for the life of the process
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115

    def say(message: dict) -> None:
        answers.write(json.dumps(message, ensure_ascii=True, allow_nan=True) + "\n")
        answers.flush()

    for index, name in enumerate(request):
        say({"start": index})
        try:
            answer = run_plan(Path(name))
        except BaseException as exc:  # the harness itself must answer, whatever happened
            answer = {"error": f"the plan file failed to run: {safe_text(exc)}", "line": 1}
        try:
            say({"done": index, **answer})
        except (TypeError, ValueError) as exc:
            say({"done": index, "error": f"the plan's data cannot be sent: {safe_text(exc)}",
                 "line": 1})
    answers.close()
    os._exit(0)  # no atexit handlers or threads a plan may have left behind


if __name__ == "__main__":
    main()
