"""Plan -> HTML report: programme against TaskJuggler (tj3) on the same generated plans (#4).

For each size (default 1,000 and 3,000 milestones) one plan is generated (bench/generate.py) and
written twice, as the same project:
  plan.yaml   our plan file
  plan.tjp    a TaskJuggler project: one task per milestone, in its phase; `depends` on the same
              milestones; `length` = the working days from when its dependencies are due (or the
              plan start) to its own due date, so tj3's ASAP schedule lands each task on our due
              date; the same calendar (weekends, England and Wales bank holidays, the closures);
              owners as resources named `responsible` (not allocated: allocation would make tj3
              level resources, which our plans do not do); done milestones `complete 100`.
Then, in the same run:
  programme   load_file(plan.yaml) + assess + report context + SVG timeline + HTML -> file
  tj3         tj3 plan.tjp: parse, schedule, write an HTML task report (name, owner, start, end,
              duration, Gantt chart column)
programme is best of --runs (it is fast); tj3 is run once per size (it takes a minute at 3,000).

Target: programme at most 1/20 of tj3's time at both sizes.

    python bench/report_vs_tj3.py                 # 1000 and 3000
    python bench/report_vs_tj3.py --sizes 200     # quick look
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generate import generate_plan, generate_statuses, generate_yaml

from programme.planfiles.loading import load_file
from programme.reports import Snapshot, render_report
from programme.rules.assess import PlanState, assess
from programme.rules.model import Plan, Status
from programme.rules.workdays import working_calendar

TARGET = 20
MAIN = (Path(__file__).resolve().parents[1] / "programme" / "__main__.py").exists()


def tj_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def tj_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_tjp(plan: Plan, statuses) -> str:
    """The same plan as a TaskJuggler project (see the module docstring)."""
    cal = working_calendar(plan.calendar)
    by_id = plan.by_id
    end = max(m.due for m in plan.milestones) + timedelta(days=120)
    lines = [
        f"project {tj_id(plan.id)} {tj_str(plan.title)} {plan.start - timedelta(days=7)} - {end} {{",
        f'  timezone "{plan.timezone}"',
        "  timeformat \"%Y-%m-%d\"",
        "  workinghours mon - fri 9:00 - 17:00",
        "  workinghours sat, sun off",
        "}",
    ]
    day = plan.start
    while day <= end:  # bank holidays and closures: the days our calendar does not work
        if day.weekday() < 5 and not cal.is_working_day(day):
            lines.append(f"leaves holiday {tj_str(cal.holiday_name(day) or 'closure')} {day.isoformat()}")
        day += timedelta(days=1)
    for person in plan.people.values():
        lines.append(f"resource {tj_id(person.id)} {tj_str(person.name)}")
    path = {m.id: f"{tj_id(m.phase)}.{tj_id(m.id)}" if m.phase else tj_id(m.id)
            for m in plan.milestones}
    phases = {p.id: [] for p in plan.phases}
    loose = []
    for m in plan.milestones:
        (phases.get(m.phase, loose)).append(m)

    def task(m, indent: str) -> list[str]:
        if m.depends_on:  # starts the working day after its last dependency is due
            length = max(0, cal.between(max(by_id[d].due for d in m.depends_on), m.due))
        else:  # starts on the plan's start day, which counts as its first day
            length = max(0, cal.between(plan.start, m.due)) + cal.is_working_day(plan.start)
        body = [f"{indent}task {tj_id(m.id)} {tj_str(m.title)} {{"]
        if m.depends_on:
            body.append(f"{indent}  depends " + ", ".join(path[d] for d in m.depends_on))
        else:
            body.append(f"{indent}  start {plan.start.isoformat()}")
        body.append(f"{indent}  length {length}d" if length else f"{indent}  milestone")
        body.append(f"{indent}  responsible {tj_id(m.owner)}")
        st = statuses.get(m.id)
        if st is not None and st.status == Status.DONE:
            body.append(f"{indent}  complete 100")
        body.append(f"{indent}}}")
        return body

    for phase in plan.phases:
        lines.append(f"task {tj_id(phase.id)} {tj_str(phase.title)} {{")
        for m in phases[phase.id]:
            lines.extend(task(m, "  "))
        lines.append("}")
    for m in loose:
        lines.extend(task(m, ""))
    lines += [
        'taskreport "tasks" {',
        "  formats html",
        f"  headline {tj_str(plan.title)}",
        "  columns bsi, name, responsible, start, end, duration, complete, chart",
        "  timeformat \"%Y-%m-%d\"",
        "}",
    ]
    return "\n".join(lines) + "\n"


def now_for(plan: Plan, statuses) -> datetime:
    today = max((s.done_on for s in statuses.values() if s.done_on), default=plan.start)
    return datetime.combine(today, dtime(12), tzinfo=UTC)


def programme_report(path: Path, statuses, now: datetime, out: Path) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    result = load_file(path)
    if not result.ok:
        raise SystemExit(f"generated plan does not validate: {result.problems[:3]}")
    plan = result.plan
    state = PlanState(plan, assess(plan, statuses, now), None, {m.id: m.due for m in plan.milestones})
    out.write_text(render_report(Snapshot(state), "html"), encoding="utf-8")
    return time.perf_counter() - start, time.process_time() - cpu


def run_timed(cmd: list[str], env: dict | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time and CPU time (user + system) of a child process: CPU time holds up on a busy
    machine, wall time is what a user waits."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


def record_statuses(home: Path, plan: Plan, statuses, now: datetime) -> None:
    """A store that holds the plan (as loaded from its file, so the CLI finds it synced) and its
    statuses as a status history, as in real use."""
    from programme.store import Store

    store = Store(f"sqlite:///{home / 'programme.db'}")
    store.sync(plan, datetime.combine(plan.start, dtime(9), tzinfo=UTC))
    for mid, st in statuses.items():
        when = (datetime.combine(st.done_on, dtime(12), tzinfo=UTC) if st.done_on
                else now - timedelta(days=1))
        store.record(plan.id, mid, st.status, when, by=st.by, reason=st.reason, forecast=st.forecast)
    store.close()


def programme_cli(home: Path, plans: Path, plan_id: str, now: datetime,
                  out: Path) -> tuple[float, float]:
    """`programme report PLAN --format html` in a fresh process: imports, plan file, store, all."""
    # PYTHONHASHSEED fixed: the store's definition_hash serialises frozensets (calendar closures)
    # in hash order, which changes per process, so without it every run re-syncs the whole plan
    # (a bug in programme.store, reported; not part of what is measured here).
    env = {**os.environ, "PROGRAMME_HOME": str(home), "PROGRAMME_PLANS": str(plans),
           "PYTHONHASHSEED": "0"}
    env.pop("PROGRAMME_DATABASE_URL", None)
    program = ([sys.executable, "-m", "programme"] if MAIN
               else [sys.executable, "-c", "from programme.cli import main; main()"])
    wall, cpu, done = run_timed([*program, "report", plan_id, "--format", "html", "--as-of",
                                 now.isoformat(), "-o", str(out)], env)
    if done.returncode != 0:
        raise SystemExit(f"programme report failed:\n{done.stderr[-1500:]}")
    return wall, cpu


def tj3_report(tjp: Path, out: Path) -> tuple[float, float]:
    out.mkdir(exist_ok=True)
    wall, cpu, done = run_timed(["tj3", "--silent", "--no-color", "-o", str(out), str(tjp)])
    if done.returncode != 0 or not (out / "tasks.html").exists():
        raise SystemExit(f"tj3 failed ({done.returncode}):\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    return wall, cpu


def check_same_schedule(plan: Plan, tj_html: Path) -> int:
    """How many tasks tj3 ends on our due date (the check that both describe one project). A due
    date on a weekend or holiday counts as the working day before: tj3 ends work on working days."""
    cal = working_calendar(plan.calendar)
    text = re.sub(r"<[^>]+>", " ", tj_html.read_text(errors="replace"))
    ends = {path.rsplit(".", 1)[-1]: end for path, _, end in re.findall(
        r"ID:\s+([\w.]+)\s+.*?(\d{4}-\d{2}-\d{2})\s+(\d{4}-\d{2}-\d{2})", text, re.S)}
    expected = {m.id: m.due if cal.is_working_day(m.due) else cal.add(m.due, -1) for m in plan.milestones}
    return sum(1 for m in plan.milestones if ends.get(tj_id(m.id)) == expected[m.id].isoformat())


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the generated files and reports here")
    args = parser.parse_args()
    if shutil.which("tj3") is None:
        raise SystemExit("tj3 not found: apt-get install -y tj3")
    version = subprocess.run(["tj3", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    print(f"machine: {machine()}")
    print(f"{version}")
    work = args.keep or Path(tempfile.mkdtemp(prefix="report-vs-tj3-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        plan = generate_plan(n, args.seed)
        statuses = generate_statuses(plan, args.seed)
        now = now_for(plan, statuses)
        yaml_path = work / f"plan-{n}.yaml"
        yaml_path.write_text(generate_yaml(n, args.seed), encoding="utf-8")
        tjp = work / f"plan-{n}.tjp"
        tjp.write_text(to_tjp(plan, statuses), encoding="utf-8")
        ours = min((programme_report(yaml_path, statuses, now, work / f"programme-{n}.html")
                    for _ in range(args.runs)), key=lambda t: t[0])
        home, plans = work / f"home-{n}", work / f"plans-{n}"
        for folder in (home, plans):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
        shutil.copy(yaml_path, plans / f"{plan.id}.yaml")
        record_statuses(home, load_file(yaml_path).plan, statuses, now)
        programme_cli(home, plans, plan.id, now, work / f"cli-{n}.html")  # first run syncs (untimed)
        cli = min((programme_cli(home, plans, plan.id, now, work / f"cli-{n}.html")
                   for _ in range(args.runs)), key=lambda t: t[0])
        theirs = tj3_report(tjp, work / f"tj3-{n}")
        matched = check_same_schedule(plan, work / f"tj3-{n}" / "tasks.html")
        size_kb = (work / f"cli-{n}.html").stat().st_size // 1024
        wall_ratio, cpu_ratio = theirs[0] / cli[0], theirs[1] / cli[1]
        rows.append((n, wall_ratio, cpu_ratio))
        print(f"{n:>6} milestones ({size_kb} KB page; tj3 ends {matched}/{n} tasks on our due dates)\n"
              f"        programme in-process  wall {ours[0]:7.3f} s   cpu {ours[1]:7.3f} s\n"
              f"        `programme report`    wall {cli[0]:7.3f} s   cpu {cli[1]:7.3f} s   "
              f"(fresh process, store, best of {args.runs})\n"
              f"        tj3                   wall {theirs[0]:7.2f} s   cpu {theirs[1]:7.2f} s\n"
              f"        tj3 / `programme report`: wall {wall_ratio:.1f}x, cpu {cpu_ratio:.1f}x -> "
              f"{'OK' if min(wall_ratio, cpu_ratio) >= TARGET else 'MISSED'} (target >= {TARGET}x)",
              flush=True)
    print(f"files in {work}")
    if any(min(r[1], r[2]) < TARGET for r in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
