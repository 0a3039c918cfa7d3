"""CLI cold start: `programme status <plan>` and the portfolio `programme status`, before and after.

Each command runs as a fresh process, the sides taking turns, --runs times after a warm-up; the
median wall time of each is reported, and the ratio this checkout ÷ --before pair by pair.

  plan       `programme status commissioning-academy-100-day` on each checkout's own plans/
             folder, beside `prefect version` (target: status at most 0.3x prefect version)
  portfolio  with --portfolio PLANSxMILESTONES (e.g. 50x300): that many generated plans
             (bench/generate.py, seeds 1..PLANS) in a temporary plans folder, `programme status`
             with no plan (every plan). The first run syncs every plan into the empty store: it
             is timed once and reported apart; the runs after it are the ones compared.

PROGRAMME_HOME is a temporary folder per checkout (synced first, so status measures reading the
plans and the store, not the first migration). Byte code is cached for both sides (see
bench/checkouts.py).

    python bench/cli_startup.py [--plan commissioning-academy-100-day] [--runs 7]
    python bench/cli_startup.py --before /tmp/before --portfolio 50x300 --runs 7
    python bench/cli_startup.py --importtime     # and the slowest imports of `programme status`
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkouts import HERE, PROGRAMME, child_env, machine, run, summary

TARGET = 0.3


def import_times(cmd: list[str], env: dict[str, str], cwd: Path, top: int = 15) -> str:
    """The slowest imports (cumulative, microseconds) of one run, from python -X importtime."""
    done = subprocess.run([sys.executable, "-X", "importtime", *cmd], env=env, cwd=cwd,
                          capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m[2]), len(m[3]) // 2, m[4]))
    total = sum(c for c, depth, _ in rows if depth == 0)
    lines = [f"total imported: {total / 1e6:.3f} s"]
    for cumulative, depth, name in sorted(rows, reverse=True)[:top]:
        lines.append(f"  {cumulative / 1e6:7.3f} s  {'  ' * depth}{name}")
    return "\n".join(lines)


def write_portfolio(folder: Path, spec: str) -> tuple[int, int]:
    from generate import generate_yaml

    count, milestones = (int(x) for x in spec.lower().split("x"))
    folder.mkdir(parents=True)
    for seed in range(1, count + 1):
        (folder / f"generated-{milestones}-{seed}.yaml").write_text(
            generate_yaml(milestones, seed), encoding="utf-8")
    return count, milestones


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default="commissioning-academy-100-day")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", type=Path, help="a checkout of the earlier code to compare")
    parser.add_argument("--portfolio", metavar="PLANSxMILESTONES",
                        help="time the portfolio status on generated plans instead of one plan")
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()

    sides = {"after": HERE}
    if args.before:
        sides["before"] = args.before.resolve()
    print(machine())
    with tempfile.TemporaryDirectory(prefix="cli-startup-") as tmp:
        work = Path(tmp)
        generated = None
        if args.portfolio:
            generated = work / "plans"
            count, milestones = write_portfolio(generated, args.portfolio)
            print(f"portfolio: {count} generated plans x {milestones} milestones")
        cmds, envs = {}, {}
        for side, tree in sides.items():
            plans = generated or tree / "plans"
            envs[side] = child_env(tree, PROGRAMME_HOME=str(work / f"home-{side}"),
                                   PROGRAMME_PLANS=str(plans),
                                   PREFECT_HOME=str(work / f"prefect-{side}"))
            cmds[side] = [*PROGRAMME, "status"] + ([] if generated else [args.plan])
            if not generated:
                run([*PROGRAMME, "sync", args.plan], envs[side], tree)
            first = run(cmds[side], envs[side], tree)  # syncs (portfolio); writes byte code
            if generated:
                print(f"{side}: first run (syncs {count} plans into an empty store) "
                      f"{first.wall:.2f} s wall, {first.cpu:.2f} s CPU")
            run(cmds[side], envs[side], tree)  # warm: byte code and caches as a user has them
        if not generated:
            cmds["prefect version"] = [shutil.which("prefect") or "prefect", "version"]
            envs["prefect version"] = envs["after"]
            run(cmds["prefect version"], envs["after"], HERE)
        walls: dict[str, list[float]] = {k: [] for k in cmds}
        cpus: dict[str, list[float]] = {k: [] for k in cmds}
        for _ in range(args.runs):
            for name, cmd in cmds.items():
                t = run(cmd, envs[name], sides.get(name, HERE))
                walls[name].append(t.wall)
                cpus[name].append(t.cpu)
        what = "programme status" + ("" if generated else f" {args.plan}")
        for name in cmds:
            label = f"{what} ({name})" if name in sides else name
            print(summary(label, walls[name]) + f"; CPU median {statistics.median(cpus[name]):.3f} s")
        if "before" in sides:
            pairs = [a / b for a, b in zip(walls["after"], walls["before"], strict=True)]
            cpu_pairs = [a / b for a, b in zip(cpus["after"], cpus["before"], strict=True)]
            print(f"after / before, pair by pair: wall median {statistics.median(pairs):.2f}x "
                  f"(min {min(pairs):.2f}, max {max(pairs):.2f}); CPU median "
                  f"{statistics.median(cpu_pairs):.2f}x")
        if not generated:
            ratio = statistics.median(walls["after"]) / statistics.median(walls["prefect version"])
            print(f"status / prefect version {ratio:.2f} (target <= {TARGET}): "
                  f"{'met' if ratio <= TARGET else 'MISSED'}")
        if args.importtime:
            print("\nprogramme status (after), slowest imports (cumulative):")
            code = (f"import sys; sys.argv = {['programme', *cmds['after'][3:]]!r}; "
                    "from programme.cli import main; main()")
            print(import_times(["-c", code], envs["after"], HERE))


if __name__ == "__main__":
    main()
