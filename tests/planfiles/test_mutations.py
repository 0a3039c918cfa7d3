"""A seeded mutation test: a few hundred variants of the shipped YAML and Python plans (lines
dropped, doubled, swapped, cut short, re-indented; hostile text, deep nesting, impossible dates,
bytes that are not UTF-8 put in) go through the CLI entry point (`programme.cli.main`, as the
`programme` command runs it): `validate` of the lot, the portfolio `status`, and `status`,
`report` and `ical` of a sample. No traceback, no hang, and every message about a file names
the file and the line.
"""

from __future__ import annotations

import random
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from programme.cli import main

SHIPPED = Path(__file__).resolve().parents[2] / "plans"
SEED = 20261202
VARIANTS_PER_FILE = 55
SAMPLE_EVERY = 16
WHERE = re.compile(r"^(?P<file>/[^:]+|[^/:][^:]*):(?P<line>\d+):")

YAML_BITS = ["[" * 3000, "{a: " * 500, "- " * 300, "0001-01-01", "9999-12-31", "2026-02-30",
             "+99999 working days", "+3000 weeks after nowhere", '"\\udc80"', '"\\ud83d"',
             "\u200b", "\u202e", "\U0001f600", '"\\x00"', "\x1b[31m", "&a", "*a", "*nope",
             "!!python/object/apply:os.system ['echo hi']", "<<: *a", "? ", ": ", "|", ">",
             "{", "}", "[", "]", "\t", "'", '"', "#", "~", "null", "yes", ".inf", "0x1F",
             "1e400", "-", "%YAML 1.1", "---", "...", "@", "`", "slack:/T0ABCDEFG/B0ABCDEFG/XYZ"]
PY_BITS = ["(" * 300, "[" * 300, "1/0", "None", "import os; os._exit(3)", ")", "lambda: 0",
           "**{}", "[]", "'", "\\", "\t", "raise SystemExit", "0001-01-01", "9999-12-31",
           "+99999 days", "\udc80", "'\\udc80'", "\U0001f600", "\x00", "{1, 2}", "object()",
           "2**100000", "while False: pass", "plan = None", "slack:/T0ABCDEFG/B0ABCDEFG/XYZ"]
BAD_BYTES = [b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\x80abc", b"\xf0\x28\x8c\x28"]


def mutate(text: str, bits: list[str], rng: random.Random) -> bytes:
    """Between one and three edits of a plan's text."""
    lines = text.split("\n")
    as_bytes = None
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(10)
        i = rng.randrange(len(lines))
        if op == 0:  # a word replaced
            words = re.split(r"(\W+)", lines[i])
            spots = [k for k, w in enumerate(words) if w.strip()]
            if spots:
                words[rng.choice(spots)] = rng.choice(bits)
                lines[i] = "".join(words)
        elif op == 1:  # something put in
            at = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:at] + rng.choice(bits) + lines[i][at:]
        elif op == 2:
            del lines[i]
        elif op == 3:
            lines.insert(i, lines[i])
        elif op == 4:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 5:  # cut short
            lines = [*lines[:i], lines[i][:rng.randrange(len(lines[i]) + 1)]]
        elif op == 6:  # re-indented
            lines[i] = ("  " + lines[i]) if rng.random() < 0.5 else lines[i][2:]
        elif op == 7:
            as_bytes = rng.choice(BAD_BYTES)
        elif op == 8:
            lines[i] = re.sub(r"\d{4}-\d{2}-\d{2}", rng.choice(
                ["0001-01-01", "9999-12-31", "2026-02-30", "1899-12-31", "2200-01-01"]), lines[i])
        else:
            lines[i] = re.sub(r"\b\d+\b", str(rng.choice([0, -1, 99999, 10 ** 30])), lines[i])
        if not lines:
            lines = [""]
    out = "\n".join(lines).encode("utf-8", "surrogatepass")
    if as_bytes is not None:
        at = rng.randrange(len(out) + 1)
        out = out[:at] + as_bytes + out[at:]
    return out


SECRET = "SECRETTOKEN123"
# The edits that broke the tool before, on every shipped plan: (pattern, replacement)
YAML_EDITS = [(r"(?m)^start: .*$", "start: 0001-01-01"), (r"due: [^\n]+", "due: 0001-01-01"),
              (r"due: [^\n]+", "due: 9999-12-31"), (r"(?m)^id: .*$", 'id: "\\udc80"'),
              (r"title: [^\n]+", "title: " + "[" * 1000 + "]" * 1000),
              (r"(?m)^(\s+)title: [^\n]+", "\\1title: " + "- " * 1000),
              (r"\+\d+ working days", "+99999 working days"),
              (r"contacts: \[[^\]\n]+", f"contacts: [slack:/T0ABC/B0DEF/{SECRET}"),
              (r"(?m)^lead: .*$", "lead: [" + "{a: " * 2000)]
PY_EDITS = [(r'start="[^"]+"', 'start="0001-01-01"'), (r"$", "\nimport os\nos._exit(7)\n"),
            (r"$", "\nclass E(Exception):\n    def __str__(self):\n        raise ValueError\n"
                   "raise E()\n"),
            (r"$", "\ndel plan\n"),
            (r"$", "\nx = []\nfor _ in range(5000):\n    x = [x]\nplan.raw['description'] = x\n"),
            (r'contacts=\["[^"]+"', f'contacts=["slack:/T0ABC/B0DEF/{SECRET}"'),
            (r"$", "\nraise KeyboardInterrupt\n"), (r'id="[^"]+"', 'id="\\udc80"'),
            (r"$", "\nimport os\nplan.raw['title'] = repr(dict(os.environ))\n")]


def variants(folder: Path) -> list[Path]:
    rng = random.Random(SEED)
    made = []
    for source in sorted(SHIPPED.iterdir()):
        if source.suffix not in (".yaml", ".py"):
            continue
        text = source.read_text(encoding="utf-8")
        bits, edits = (PY_BITS, PY_EDITS) if source.suffix == ".py" else (YAML_BITS, YAML_EDITS)
        for n in range(VARIANTS_PER_FILE + len(edits)):
            stem = f"v{n:03d}-{source.stem[:12]}"
            own = text.replace(f"id: {source.stem}", f"id: {stem}", 1).replace(
                f'id="{source.stem}"', f'id="{stem}"', 1)
            if n < len(edits):
                pattern, replacement = edits[n]
                literal = "\\1" not in replacement  # taken as written, escapes and all
                content = re.sub(pattern, (lambda m, r=replacement: r) if literal else replacement,
                                 own, count=1).encode("utf-8")
            else:
                content = mutate(own, bits, rng)
            path = folder / f"{stem}{source.suffix}"
            path.write_bytes(content)
            made.append(path)
    for n in range(3):  # bytes that are not UTF-8, at a known place
        path = folder / f"bytes-{n}.yaml"
        path.write_bytes(b"id: bytes\ntitle: T\xff\xfe" + b"x" * n + b"\n")
        made.append(path)
    return made


class Hang(Exception):
    pass


def entry(capsys, monkeypatch, *args: str, limit: int = 60) -> tuple[int, str, str]:
    """`programme ARGS` as the installed command runs it; an exception escaping it fails."""
    monkeypatch.setattr(sys, "argv", ["programme", *args])

    def hang(*_):
        raise Hang(f"programme {' '.join(args)} took more than {limit} s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(limit)
    try:
        with pytest.raises(SystemExit) as stop:
            main()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    captured = capsys.readouterr()
    code = stop.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), captured.out, \
        captured.err


def problem_lines(text: str, marks: tuple[str, ...]) -> list[str]:
    out = []
    for line in text.splitlines():
        for mark in marks:
            if line.startswith(mark):
                out.append(line[len(mark):].lstrip())
    return out


@pytest.mark.slow
def test_mutated_plans_never_give_a_traceback_or_hang_and_every_message_has_file_and_line(
        tmp_path, capsys, monkeypatch):
    folder = tmp_path / "plans"
    folder.mkdir()
    made = variants(folder)
    assert len(made) >= 250
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.setenv("PROGRAMME_PLAN_TIMEOUT", "5")
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    failures: list[str] = []

    monkeypatch.setenv("PROGRAMME_SMTP_URL", f"mailtos://bot:{SECRET}@smtp.example.gov.uk")
    code, out, err = entry(capsys, monkeypatch, "validate", str(folder))
    assert code in (0, 1), err
    if SECRET in out + err:
        failures.append("validate printed a secret")
    checked = problem_lines(out, ("✗",))
    assert checked, "some variants are broken"
    for line in checked:
        if not WHERE.match(line):
            failures.append(f"validate: no file:line in {line!r}")
    files_with_problems = {WHERE.match(p)["file"] for p in checked if WHERE.match(p)}
    ok = {p for p in made if not any(f.endswith(p.name) for f in files_with_problems)}

    phases = {"validate": time.monotonic() - started}
    code, out, err = entry(capsys, monkeypatch, "status", limit=120)
    phases["portfolio status"] = time.monotonic() - started - sum(phases.values())
    if code not in (0, 1, 3):
        failures.append(f"portfolio status exited {code}: {err[-300:]}")
    for line in problem_lines(err, ("not loaded:",)):
        if not WHERE.match(line):
            failures.append(f"status: no file:line in {line!r}")
    if SECRET in out + err:
        failures.append("status printed a secret")

    sample = made[::SAMPLE_EVERY] + [p for p in made if p.stem.startswith(("v000", "v004"))]
    for path in sample:
        stem = path.stem
        for command in (["status", stem], ["report", stem], ["ical", stem]):
            code, out, err = entry(capsys, monkeypatch, *command)
            if code not in (0, 1):
                failures.append(f"{' '.join(command)} exited {code}")
            if code == 1:
                lines = [x for x in err.splitlines() if x.strip()]
                if len(lines) != 1 or not lines[0].startswith("error:"):
                    failures.append(f"{' '.join(command)}: not one line: {err[:300]!r}")
            if code == 0 and path in ok and not out:
                failures.append(f"{' '.join(command)}: a valid plan printed nothing")
    took = time.monotonic() - started
    phases["sample"] = took - sum(phases.values())
    with capsys.disabled():
        print(f"\nmutation test: {len(made)} variants ({len(made) - len(ok)} with problems), "
              f"{len(checked)} messages checked, {len(failures)} failures, {took:.1f} s ("
              + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()) + ")")
    assert not failures, "\n".join(failures[:30])
