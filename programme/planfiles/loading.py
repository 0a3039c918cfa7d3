"""Find and read plan files: `plans/<id>.py` or `plans/<id>.yaml`, one plan per file.

Discovery is by path, so adding a plan is adding a file; a command about one plan reads only
that plan's file (`candidates`): a Python plan nobody asked for never runs. Reading never
raises: a file that cannot be read, parsed or run comes back as Problems with the file and line,
like any validation error, with contact URLs masked. YAML is read here; Python plans run in a
child process (`programme.planfiles.pythonplans`), all those a command needs in one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from programme.contacts import mask_text
from programme.planfiles.pythonplans import PythonPlanError, run_python_plans
from programme.planfiles.rawplan import Raw
from programme.planfiles.validation import Problem, validate
from programme.planfiles.yamlfile import MAX_DEPTH, YamlError, load_yaml
from programme.rules.dates import FIRST_YEAR, LAST_YEAR, DateError
from programme.rules.model import Location, Plan

PLAN_SUFFIXES = (".py", ".yaml", ".yml")
MAX_VALUES = 5_000_000  # values in a YAML plan once its aliases are expanded
_PLAN_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]|\\U0000[dD][89a-fA-F]")


@dataclass
class LoadResult:
    path: Path
    plan: Plan | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # a sound plan's, printed not fatal

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.problems


def default_plans_dir() -> Path:
    return Path(os.environ.get("PROGRAMME_PLANS", "plans"))


def discover(paths: list[Path] | None = None) -> list[Path]:
    """Plan files under the given files/folders (default: the plans folder), sorted."""
    found: list[Path] = []
    for path in paths or [default_plans_dir()]:
        if path.is_dir():
            found.extend(
                p for p in sorted(path.iterdir())
                if p.suffix in PLAN_SUFFIXES and not p.name.startswith(("_", "."))
            )
        else:
            found.append(path)
    return found


def candidates(folder: Path, plan_id: str) -> list[Path]:
    """The files in `folder` that are named for `plan_id` (`<id>.yaml`, `<id>.yml`, `<id>.py`).
    An id that is not a plan id names no file (no `../` lookups)."""
    if not isinstance(plan_id, str) or not _PLAN_ID.match(plan_id):
        return []
    return [p for p in (folder / f"{plan_id}{s}" for s in (".yaml", ".yml", ".py")) if p.is_file()]


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def load_file(path: Path) -> LoadResult:
    return load_files([path])[0]


def load_plans(paths: list[Path] | None = None) -> list[LoadResult]:
    return load_files(discover(paths))


def load_files(paths: list[Path]) -> list[LoadResult]:
    """Each file's plan or problems, in the order given; the Python ones in one child process."""
    python = [p for p in paths if p.suffix == ".py" and p.is_file()]
    ran = run_python_plans(python) if python else {}
    return [_load(path, ran) for path in paths]


def _load(path: Path, ran: dict) -> LoadResult:
    name = display_path(path)
    if not path.exists():
        return LoadResult(path, None, [Problem(Location(name), "no such plan file")])
    if path.suffix not in PLAN_SUFFIXES:
        return LoadResult(path, None, [Problem(
            Location(name), f"not a plan file: plans are .py or .yaml files, not '{path.suffix}'")])
    if path.suffix == ".py":
        outcome = ran.get(path)
        if outcome is None:
            outcome = PythonPlanError("not a readable file", 1)
        if isinstance(outcome, PythonPlanError):
            return LoadResult(path, None, [Problem(Location(name, outcome.line or 1),
                                                   mask_text(outcome.message), kind="python")])
        return _named_for_its_id(_validated(path, name, outcome), name, outcome)
    try:
        content = path.read_bytes()
    except OSError as exc:
        return LoadResult(path, None, [Problem(Location(name, 1), "cannot read the file: "
                                               f"{exc.strerror or exc}")])
    raw, problems = read_yaml(content, name)
    if problems:
        return LoadResult(path, None, problems)
    return _named_for_its_id(_validated(path, name, raw), name, raw)


def _named_for_its_id(result: LoadResult, name: str, raw: object) -> LoadResult:
    """A plan file is named for its plan (`plans/<id>.yaml`): commands about one plan find it by
    its name, and a copied file that kept its old id would otherwise stand in for another plan."""
    plan = result.plan
    if plan is None or plan.id == result.path.stem:
        return result
    line = raw.line_of("id") if isinstance(raw, Raw) else None
    line = line or (plan.source.line if plan.source else None) or 1
    return LoadResult(result.path, None, [Problem(
        Location(name, line), f"the plan id '{plan.id}' does not match the file name "
        f"'{result.path.name}': rename the file to '{plan.id}{result.path.suffix}' or set "
        f"id: {result.path.stem}", kind="id-not-file-name"), *result.problems])


def read_yaml(content: bytes, name: str) -> tuple[object, list[Problem]]:
    """YAML bytes -> raw plan, or the problems (with lines) that stop it being read."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [_not_utf8(content, exc, name)]
    try:
        raw = load_yaml(text)
    except YamlError as exc:
        return None, [Problem(Location(name, exc.line or 1, exc.column), exc.message, kind="yaml",
                              excerpt=exc.excerpt)]
    if raw is None:
        return None, [Problem(Location(name, 1), "the file is empty: a plan needs id, title, "
                              "lead, start, people and milestones")]
    if "*" in text:  # aliases can nest and repeat what the text shows once
        problem = _shape(raw, name)
        if problem:
            return None, [problem]
    if _SURROGATE_ESCAPE.search(text):
        problem = _lone_surrogate(raw, name)
        if problem:
            return None, [problem]
    return raw, []


def _not_utf8(content: bytes, exc: UnicodeDecodeError, name: str) -> Problem:
    start = exc.start
    line = content.count(b"\n", 0, start) + 1
    line_start = content.rfind(b"\n", 0, start) + 1
    column = len(content[line_start:start].decode("utf-8", "replace")) + 1
    bad = content[start:exc.end].hex(" ")
    return Problem(Location(name, line), f"not UTF-8 text at line {line}, column {column} (byte "
                   f"{bad}): save the file as UTF-8", kind="yaml")


def _children(value: object):
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return value
    return ()


def _shape(raw: object, name: str) -> Problem | None:
    """Depth and expanded size of the raw tree, each shared part counted once per use, without
    recursion: a YAML alias bomb or a chain of aliases is refused with a line."""
    depth: dict[int, int] = {}
    size: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[object, bool]] = [(raw, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in depth:
            continue
        kids = [k for k in _children(node) if isinstance(k, (dict, list))]
        if not children_done:
            if key in visiting:  # holds itself: endless
                line = getattr(node, "line", None) or 1
                return Problem(Location(name, line), f"nested too deeply at line {line} (the "
                               "data holds itself)", kind="yaml")
            visiting.add(key)
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in depth)
            continue
        d = 1 + max((depth.get(id(k), 0) for k in kids), default=0)
        n = 1 + len(_children(node)) + sum(size.get(id(k), 0) for k in kids)
        depth[key], size[key] = d, n
        line = getattr(node, "line", None) or 1
        if d > MAX_DEPTH:
            return Problem(Location(name, line), f"nested too deeply at line {line} (more than "
                           f"{MAX_DEPTH} levels of lists and mappings, through aliases)",
                           kind="yaml")
        if n > MAX_VALUES:
            return Problem(Location(name, line), f"the aliases at line {line} expand to more "
                           f"than {MAX_VALUES:,} values: write the plan out", kind="yaml")
    return None


def _lone_surrogate(raw: object, name: str) -> Problem | None:
    """Text that is not valid Unicode (a `\\udc80` escape with no pair) cannot be stored or shown."""
    stack: list[tuple[object, int | None]] = [(raw, getattr(raw, "line", None))]
    seen: set[int] = set()
    while stack:
        node, line = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for key, value in node.items():
                at = node.line_of(key) if isinstance(node, Raw) else line
                stack.extend([(key, at), (value, at)])
        elif isinstance(node, list):
            lines = getattr(node, "item_lines", [])
            stack.extend((v, lines[i] if i < len(lines) else line) for i, v in enumerate(node))
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                shown = node.encode("utf-8", "backslashreplace").decode("ascii", "replace")
                return Problem(Location(name, line or 1), f"the text {shown[:60]!r} holds a "
                               "character that is not valid Unicode (an unpaired surrogate "
                               "escape)", kind="yaml")
    return None


def _validated(path: Path, name: str, raw: object) -> LoadResult:
    own_line = getattr(raw, "line", None) or 1
    warnings: list[Problem] = []
    try:
        plan, problems = validate(raw, name, warnings)
    except (DateError, OverflowError, ValueError, RecursionError) as exc:
        # the due dates of a long chain of relative rules run past what a calendar covers
        problems = [Problem(Location(name, own_line), "the plan's due dates cannot be worked "
                            f"out: {exc}", kind="bad-date")]
        plan = None
    if plan is not None:
        problems = _out_of_years(plan)
    return LoadResult(path, None if problems else plan, [_finished(p, own_line) for p in problems],
                      [] if problems else [_finished(w, own_line) for w in warnings])


def _out_of_years(plan: Plan) -> list[Problem]:
    """Due dates worked out from rules (`+N days after ...`) stay in the years a plan can use."""
    return [Problem(m.location or Location(""), f"due {m.due} is beyond the years a plan can use "
                    f"({FIRST_YEAR}-{LAST_YEAR}): check its due rule", m.id, "bad-date")
            for m in plan.milestones if not FIRST_YEAR <= m.due.year <= LAST_YEAR]


def _finished(problem: Problem, own_line: int) -> Problem:
    """Every problem with a line and no secret: contact URLs in messages are masked."""
    location = problem.location if problem.location.line else replace(problem.location,
                                                                       line=own_line)
    message = mask_text(problem.message)
    if location is problem.location and message == problem.message:
        return problem
    return replace(problem, location=location, message=message)


def load_source(content: bytes, name: str, suffix: str) -> tuple[Plan | None, list[Problem]]:
    """A plan file's content from somewhere else than the plans folder (a git revision, for
    `programme diff`), read and validated like a file on disk (a Python one in the child
    process, like any); `name` is what messages call it."""
    if suffix == ".py":
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"plan{suffix}"
            path.write_bytes(content)
            outcome = run_python_plans([path])[path]
        if isinstance(outcome, PythonPlanError):
            return None, [Problem(Location(name, outcome.line or 1), mask_text(outcome.message),
                                  kind="python")]
        result = _validated(Path(name), name, outcome)
    elif suffix in PLAN_SUFFIXES:
        raw, problems = read_yaml(content, name)
        if problems:
            return None, problems
        result = _validated(Path(name), name, raw)
    else:
        return None, [Problem(Location(name), f"not a plan file: plans are .py or .yaml files, "
                                              f"not '{suffix}'")]
    return (result.plan, []) if result.ok else (None, result.problems)
