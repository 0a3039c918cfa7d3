"""Find and read plan files: `plans/<id>.py` or `plans/<id>.yaml`, one plan per file.

Discovery is by path, so adding a plan is adding a file. Reading never raises: a file that cannot
be read, parsed or run comes back as Problems with the file and line, like any validation error.
"""

from __future__ import annotations

import os
import runpy
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from programme.planfiles.authoring import Plan as PlanBuilder
from programme.planfiles.validation import Problem, validate
from programme.planfiles.yamlfile import YamlError, load_yaml
from programme.rules.model import Location, Plan

PLAN_SUFFIXES = (".py", ".yaml", ".yml")


@dataclass
class LoadResult:
    path: Path
    plan: Plan | None
    problems: list[Problem] = field(default_factory=list)

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


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_file(path: Path) -> LoadResult:
    name = display_path(path)
    if not path.exists():
        return LoadResult(path, None, [Problem(Location(name), "no such plan file")])
    if path.suffix not in PLAN_SUFFIXES:
        return LoadResult(path, None, [Problem(
            Location(name), f"not a plan file: plans are .py or .yaml files, not '{path.suffix}'")])
    if path.suffix == ".py":
        raw, problems = _run_python(path, name)
        if problems:
            return LoadResult(path, None, problems)
        plan, problems = validate(raw, name)
        return LoadResult(path, plan, problems)
    try:
        content = path.read_bytes()
    except OSError as exc:
        return LoadResult(path, None, [Problem(Location(name), f"cannot read the file: {exc}")])
    raw, problems = _read_yaml(content, name)
    if problems:
        return LoadResult(path, None, problems)
    plan, problems = validate(raw, name)
    return LoadResult(path, plan, problems)


def _read_yaml(content: bytes, name: str) -> tuple[object, list[Problem]]:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(Location(name), f"cannot read the file: {exc}")]
    try:
        raw = load_yaml(text)
    except YamlError as exc:
        return None, [Problem(Location(name, exc.line), exc.message, kind="yaml")]
    if raw is None:
        return None, [Problem(Location(name, 1), "the file is empty: a plan needs id, title, "
                              "lead, start, people and milestones")]
    return raw, []


def _run_python(path: Path, name: str) -> tuple[object, list[Problem]]:
    try:
        namespace = runpy.run_path(str(path), run_name=f"programme_plan_{path.stem}")
    except SyntaxError as exc:
        return None, [Problem(Location(name, exc.lineno), f"Python syntax error: {exc.msg}",
                              kind="python")]
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        line = None
        for frame in traceback.extract_tb(exc.__traceback__):
            if Path(frame.filename).resolve() == path.resolve():
                line = frame.lineno
        message = f"{type(exc).__name__}: {exc}"
        hint = ""
        if isinstance(exc, TypeError) and "unexpected keyword" in str(exc):
            hint = " (check the field names)"
        return None, [Problem(Location(name, line), f"the plan file failed to run: {message}{hint}",
                              kind="python")]
    builders = [v for v in namespace.values() if isinstance(v, PlanBuilder)]
    chosen = namespace.get("plan")
    if not isinstance(chosen, PlanBuilder):
        if len(builders) != 1:
            return None, [Problem(Location(name), "the file defines no plan: write "
                                  "`plan = Plan(id=..., title=..., ...)` using "
                                  "`from programme.planfiles.authoring import Plan`")]
        chosen = builders[0]
    return chosen.raw, []


def load_plans(paths: list[Path] | None = None) -> list[LoadResult]:
    return [load_file(path) for path in discover(paths)]


def load_source(content: bytes, name: str, suffix: str) -> tuple[Plan | None, list[Problem]]:
    """A plan file's content from somewhere else than the plans folder (a git revision, for
    `programme diff`), validated like a file on disk; `name` is what messages call it."""
    if suffix == ".py":
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"plan{suffix}"
            path.write_bytes(content)
            raw, problems = _run_python(path, name)
    elif suffix in PLAN_SUFFIXES:
        raw, problems = _read_yaml(content, name)
    else:
        return None, [Problem(Location(name), f"not a plan file: plans are .py or .yaml files, "
                                              f"not '{suffix}'")]
    if problems:
        return None, problems
    return validate(raw, name)
