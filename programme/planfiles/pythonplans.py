"""Python plan files are code: run them in a child process, with a time limit, without secrets.

One child per command runs the Python plans that command needs, one after another
(`programme.planfiles.pythonchild`), in a new session, with an environment stripped of
secrets (`PROGRAMME_*` settings, anything named `*_URL`, `*PASS*`, `*TOKEN*`, `*SECRET*`,
`*KEY*`, `*CREDENTIAL*`, `*AUTH*`) and `python -I` (no user site, no PYTHON* variables). What
comes back is plain JSON data, never pickles or objects, and this process validates it as it
validates YAML. A plan that runs past its limit (`PROGRAMME_PLAN_TIMEOUT`, default 10 s),
ends its process (`os._exit`, a crash) or raises anything at all becomes that plan's error; a
fresh child runs the plans after it. `PROGRAMME_PYTHON_PLANS=off` refuses them all.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path

from programme.planfiles.rawplan import Raw, RawList

SWITCH = "PROGRAMME_PYTHON_PLANS"
TIMEOUT = "PROGRAMME_PLAN_TIMEOUT"
DEFAULT_TIMEOUT = 10.0
_SECRET_WORDS = ("PASS", "TOKEN", "SECRET", "KEY", "CREDENTIAL", "AUTH", "COOKIE", "SESSION")
_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding the `programme` package
_BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
         "from programme.planfiles.pythonchild import main; main()")


class PythonPlanError(Exception):
    """Why a Python plan gave no plan data: a one-line message and the line it concerns."""

    def __init__(self, message: str, line: int | None = 1):
        super().__init__(message)
        self.message = message
        self.line = line


def enabled() -> bool:
    return os.environ.get(SWITCH, "on").strip().lower() not in ("off", "0", "no", "false")


def time_limit() -> float:
    text = os.environ.get(TIMEOUT, "").strip()
    try:
        value = float(text) if text else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def is_secret(name: str) -> bool:
    upper = name.upper()
    return (upper.startswith("PROGRAMME_") or upper.endswith("_URL") or upper.endswith("_URI")
            or any(word in upper for word in _SECRET_WORDS))


def child_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a plan runs with: this one without anything that may be a secret."""
    source = os.environ if environ is None else environ
    return {k: v for k, v in source.items() if not is_secret(k)}


def run_python_plans(paths: list[Path]) -> dict[Path, Raw | PythonPlanError]:
    """Each file's raw plan (with lines), or the error that stopped it."""
    results: dict[Path, Raw | PythonPlanError] = {}
    if not enabled():
        for path in paths:
            results[path] = PythonPlanError(
                f"Python plans are turned off here ({SWITCH}=off): write this plan as a YAML "
                "file, or ask the operator", 1)
        return results
    left = list(paths)
    limit = time_limit()
    while left:
        done = _Child(left, limit).run()
        results.update(done)
        left = [p for p in left if p not in results]
    return results


class _Child:
    """One child process running `paths` in order; stops at the first plan that takes it down."""

    def __init__(self, paths: list[Path], limit: float):
        self.paths = paths
        self.limit = limit
        self.lines: queue.SimpleQueue = queue.SimpleQueue()

    def run(self) -> dict[Path, Raw | PythonPlanError]:
        results: dict[Path, Raw | PythonPlanError] = {}
        try:
            process = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOT, _ROOT], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=child_environment(),
                start_new_session=True, close_fds=True)
        except OSError as exc:
            return {p: PythonPlanError(f"cannot start Python to run the plan: {exc}") for p in
                    self.paths}
        try:
            threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()
            try:
                assert process.stdin is not None  # started with stdin=PIPE
                process.stdin.write(json.dumps([str(p) for p in self.paths]).encode())
                process.stdin.close()
            except OSError:
                pass
            current: int | None = None
            deadline = time.monotonic() + self.limit
            while len(results) < len(self.paths):
                try:
                    line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    index = current if current is not None else len(results)
                    results[self.paths[index]] = PythonPlanError(
                        f"the plan file did not finish within {self.limit:g} s (a loop that "
                        f"never ends?); {TIMEOUT} sets the limit", 1)
                    return results
                if line is None:  # the process ended
                    index = current if current is not None else len(results)
                    code = process.wait()
                    results[self.paths[index]] = PythonPlanError(_ended(code), 1)
                    return results
                try:
                    message = json.loads(line)
                    if not isinstance(message, dict):
                        continue
                    if "start" in message:
                        current = int(message["start"])
                        deadline = time.monotonic() + self.limit
                        continue
                    index = int(message["done"])
                    path = self.paths[index]
                except (ValueError, KeyError, TypeError, IndexError, RecursionError):
                    continue  # not an answer of the harness: ignore it
                if path in results:
                    continue
                if "error" in message:
                    results[path] = PythonPlanError(str(message["error"]), _int(message.get("line")))
                else:
                    try:
                        results[path] = decode(message.get("raw"), _int(message.get("line")))
                    except PythonPlanError as exc:
                        results[path] = exc
                    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
                        results[path] = PythonPlanError("the plan's data cannot be read", 1)
                current = None
            return results
        finally:
            _stop(process)

    def _read(self, stream) -> None:
        try:
            for line in stream:
                self.lines.put(line)
        except (OSError, ValueError):
            pass
        self.lines.put(None)


def _ended(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the plan file ended its Python process ({name})"
    return f"the plan file ended its Python process (exit code {code}) before giving a plan"


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the plan's own children too
        except OSError:
            process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    if process.stdout:
        process.stdout.close()


def _int(value: object) -> int | None:
    return value if type(value) is int and value > 0 else None


class Foreign:
    """A value of a type plans do not use (a set, an object...), as the child described it."""

    _types: dict[str, type] = {}

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text

    @classmethod
    def of(cls, type_name: str, text: str) -> Foreign:
        kind = cls._types.get(type_name)
        if kind is None:
            kind = cls._types[type_name] = type(type_name, (cls,), {})
        return kind(text)


def decode(data: object, line: int | None) -> Raw:
    """The child's JSON back into Raw mappings and lists that know their lines."""
    value = _decode(data, line)
    if not isinstance(value, Raw):
        raise PythonPlanError("the plan's data is not a mapping of plan fields", line or 1)
    return value


def _decode(data: object, line: int | None) -> object:
    if isinstance(data, str):
        if not _encodable(data):
            raise PythonPlanError(f"the text {_shown(data)} holds a character that is not "
                                  "valid Unicode (a lone surrogate)", line or 1)
        return data
    if not isinstance(data, dict):
        return data
    if "m" in data:
        raw = Raw(line=_int(data.get("l")) or line)
        for key, key_line, value in data["m"]:
            name = str(_decode(key, key_line))
            raw[name] = _decode(value, key_line)
            known = _int(key_line)
            if known:
                raw.key_lines[name] = known
        return raw
    if "s" in data:
        items = RawList(line=_int(data.get("l")) or line)
        for item_line, value in data["s"]:
            items.append(_decode(value, item_line))
            items.item_lines.append(_int(item_line))
        return items
    if "d" in data:
        return date.fromisoformat(data["d"])
    if "t" in data:
        return datetime.fromisoformat(data["t"])
    return Foreign.of(str(data.get("x", "object")), str(data.get("r", "?")))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(text: str) -> str:
    return repr(text.encode("utf-8", "backslashreplace").decode("ascii", "replace")[:60])
