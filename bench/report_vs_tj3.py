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
  plan-nochart.tjp  the same project with the report's per-day Gantt chart column left out:
              our report's timeline is one SVG band per phase, tj3's chart draws every task on
              every day, so this is the like-for-like variant
Then, in the same run, taking turns --runs times (tj3, ours, ours before, tj3 without chart):
  programme   `programme report PLAN --format html` in a fresh process against a SQLite store
              holding the plan's status history (the command a lead runs: interpreter start,
              imports, the plans folder, the store, last week's assessment for the trend)
  before      the same command from the checkout given as --before (optional)
  tj3         tj3 plan.tjp: parse, schedule, write an HTML task report (name, owner, start, end,
              duration, complete, Gantt chart column), and tj3 plan-nochart.tjp
Ratios (tj3 ÷ ours) are taken pair by pair, then the median. Also, for this checkout only, the
in-process pipeline: load_file(plan.yaml) + assess + report context + SVG timeline + HTML -> file
(best of --runs).

    python bench/report_vs_tj3.py                         # 1000 and 3000, 3 turns each
    python bench/report_vs_tj3.py --before /tmp/before    # and the earlier code's CLI
    python bench/report_vs_tj3.py --sizes 200 --runs 1    # quick look
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checkouts import HERE, PROGRAMME, child_env, machine, run
from generate import generate_plan, generate_statuses, generate_yaml

from programme.planfiles.loading import load_file
from programme.reports import Snapshot, render_report
from programme.rules.assess import PlanState, assess
from programme.rules.model import Plan, Status
from programme.rules.workdays import working_calendar

CHART = "  columns bsi, name, responsible, start, end, duration, complete, chart"
NO_CHART = "  columns bsi, name, responsible, start, end, duration, complete"


def tj_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def tj_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_tjp(plan: Plan, statuses, chart: bool = True) -> str:
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
        CHART if chart else NO_CHART,
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


def tj3_run(tjp: Path, out: Path) -> tuple[float, float]:
    out.mkdir(exist_ok=True)
    t = run(["tj3", "--silent", "--no-color", "-o", str(out), str(tjp)], child_env(HERE), out,
            check=False)
    if t.done.returncode != 0 or not (out / "tasks.html").exists():
        raise SystemExit(f"tj3 failed ({t.done.returncode}):\n{t.done.stdout[-1500:]}\n"
                         f"{t.done.stderr[-1500:]}")
    return t.wall, t.cpu


def check_same_schedule(plan: Plan, tj_html: Path) -> int:
    """How many tasks tj3 ends on our due date (the check that both describe one project). A due
    date on a weekend or holiday counts as the working day before: tj3 ends work on working days."""
    cal = working_calendar(plan.calendar)
    text = re.sub(r"<[^>]+>", " ", tj_html.read_text(errors="replace"))
    ends = {path.rsplit(".", 1)[-1]: end for path, _, end in re.findall(
        r"ID:\s+([\w.]+)\s+.*?(\d{4}-\d{2}-\d{2})\s+(\d{4}-\d{2}-\d{2})", text, re.S)}
    expected = {m.id: m.due if cal.is_working_day(m.due) else cal.add(m.due, -1) for m in plan.milestones}
    return sum(1 for m in plan.milestones if ends.get(tj_id(m.id)) == expected[m.id].isoformat())


def median_ratio(tops: list[float], bottoms: list[float], digits: int = 1) -> str:
    pairs = [a / b for a, b in zip(tops, bottoms, strict=True)]
    return f"{statistics.median(pairs):.{digits}f}x ({min(pairs):.{digits}f}-{max(pairs):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--before", type=Path, help="a checkout of the earlier code to compare")
    parser.add_argument("--keep", type=Path, help="keep the generated files and reports here")
    args = parser.parse_args()
    if shutil.which("tj3") is None:
        raise SystemExit("tj3 not found: apt-get install -y tj3")
    version = subprocess.run(["tj3", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    print(f"machine: {machine()}")
    print(f"{version}")
    sides = {"ours": HERE}
    if args.before:
        sides["ours before"] = args.before.resolve()
    work = args.keep or Path(tempfile.mkdtemp(prefix="report-vs-tj3-"))
    work.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        plan = generate_plan(n, args.seed)
        statuses = generate_statuses(plan, args.seed)
        now = now_for(plan, statuses)
        yaml_path = work / f"{plan.id}.yaml"  # a plan file is named for its plan
        yaml_path.write_text(generate_yaml(n, args.seed), encoding="utf-8")
        tjps = {"tj3": work / f"plan-{n}.tjp", "tj3 without chart": work / f"plan-{n}-nochart.tjp"}
        tjps["tj3"].write_text(to_tjp(plan, statuses), encoding="utf-8")
        tjps["tj3 without chart"].write_text(to_tjp(plan, statuses, chart=False), encoding="utf-8")
        inproc = min((programme_report(yaml_path, statuses, now, work / f"programme-{n}.html")
                      for _ in range(args.runs)), key=lambda t: t[0])
        plans = work / f"plans-{n}"
        shutil.rmtree(plans, ignore_errors=True)
        plans.mkdir()
        shutil.copy(yaml_path, plans / f"{plan.id}.yaml")
        store_made = work / f"store-{n}"
        shutil.rmtree(store_made, ignore_errors=True)
        store_made.mkdir()
        record_statuses(store_made, load_file(yaml_path).plan, statuses, now)
        cmds, envs = {}, {}
        for side, tree in sides.items():
            home = work / f"home-{n}-{side.replace(' ', '-')}"
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(store_made, home)
            envs[side] = child_env(tree, PROGRAMME_HOME=str(home), PROGRAMME_PLANS=str(plans))
            cmds[side] = [*PROGRAMME, "report", plan.id, "--format", "html", "--as-of",
                          now.isoformat(), "-o", str(work / f"cli-{n}-{side.replace(' ', '-')}.html")]
            run(cmds[side], envs[side], tree)  # first run: syncs, writes byte code (not counted)
        order = ["tj3", *sides, "tj3 without chart"]
        walls = {k: [] for k in order}
        cpus = {k: [] for k in order}
        for _ in range(args.runs):
            for name in order:
                if name in tjps:
                    wall, cpu = tj3_run(tjps[name], work / f"{name.replace(' ', '-')}-{n}")
                else:
                    t = run(cmds[name], envs[name], sides[name])
                    wall, cpu = t.wall, t.cpu
                walls[name].append(wall)
                cpus[name].append(cpu)
        matched = check_same_schedule(plan, work / f"tj3-{n}" / "tasks.html")
        matched_nochart = check_same_schedule(plan, work / f"tj3-without-chart-{n}" / "tasks.html")
        size_kb = (work / f"cli-{n}-ours.html").stat().st_size // 1024
        print(f"{n:>6} milestones ({size_kb} KB page; tj3 ends {matched}/{n} tasks on our due "
              f"dates, {matched_nochart}/{n} without the chart); median of {args.runs} turns, "
              f"wall / CPU seconds")
        print(f"        programme in-process   wall {inproc[0]:7.3f}   cpu {inproc[1]:7.3f}   "
              f"(this checkout, best of {args.runs})")
        for name in order:
            print(f"        {name:<22} wall {statistics.median(walls[name]):7.3f}   "
                  f"cpu {statistics.median(cpus[name]):7.3f}   "
                  f"(min {min(walls[name]):.3f}, max {max(walls[name]):.3f})")
        for tj in tjps:
            print(f"        {tj} / in-process pipeline: wall "
                  f"{statistics.median(walls[tj]) / inproc[0]:.0f}x, "
                  f"cpu {statistics.median(cpus[tj]) / inproc[1]:.0f}x")
            for side in sides:
                print(f"        {tj} / `programme report` ({side}): wall "
                      f"{median_ratio(walls[tj], walls[side])}, cpu {median_ratio(cpus[tj], cpus[side])}")
        if "ours before" in sides:
            print(f"        ours / ours before: wall "
                  f"{median_ratio(walls['ours'], walls['ours before'], 2)}, "
                  f"cpu {median_ratio(cpus['ours'], cpus['ours before'], 2)}")
        print(flush=True)
    print(f"files in {work}")


if __name__ == "__main__":
    main()
