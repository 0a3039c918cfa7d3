"""Check-in → the dependent owner's "you can start" email at the SMTP server, on the served
stack: a Prefect server on its own PostgreSQL database, `programme serve` with its task worker,
the programme's store on PostgreSQL, a real SMTP server (aiosmtpd). Two routes side by side in
the same run, check-ins taken in turn:

* task: the check-in hands the follow-up to the task worker (`follow_up_checkin.delay()`), as
  the web service, the API and `programme update` do now, in a process that has made
  check-ins before (the web service);
* task-cli: the same from `programme update PLAN M --done` as a new process each time, timed
  from its start (Python, imports and Prefect's first connection included);
* trigger: the route it replaced: the check-in only emits its event; an automation starts a
  deployment served by its own process (a bench-only deployment, same follow-up body), with
  Prefect's default settings;
* trigger-poll1: the same with PREFECT_RUNNER_POLL_FREQUENCY=1 (the runner's poll every second,
  not in Prefect's documentation).

Each check-in is timed from the call that records it (what the web service's POST handler and
`programme update` call) to the email's arrival, one at a time; the call's own duration too.

    python bench/followup_latency.py [--checkins 30] [--routes task task-cli trigger trigger-poll1]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

ROUTES = {"task": "latency-task", "task-cli": "latency-cli", "trigger": "latency-trigger",
          "trigger-poll1": "latency-poll1"}


def plan_yaml(plan_id: str, n: int) -> str:
    lines = [f"id: {plan_id}", f"title: {plan_id}", "lead: lead", "start: 2026-01-05", "people:",
             "  lead: {name: Lead, contacts: [lead@example.gov.uk]}"]
    for i in range(n):
        lines.append(f"  owner-{i}: {{name: Owner {i}, contacts: [{plan_id}-{i}@example.gov.uk]}}")
    lines.append("milestones:")
    for i in range(n):
        lines.append(f"  - {{id: first-{i}, title: First {i}, owner: lead, due: 2027-12-01}}")
        lines.append(f"  - {{id: next-{i}, title: Next {i}, owner: owner-{i}, due: 2027-12-10, "
                     f"depends_on: [first-{i}]}}")
    return "\n".join(lines) + "\n"


# -- the replaced route, for this benchmark only -----------------------------------------------

@cache
def _legacy_flow():
    """Built on first use: importing Prefect fixes its settings, and this process learns its
    PREFECT_API_URL only once the served stack is up."""
    from prefect import flow

    @flow(name="bench-legacy-follow-up", log_prints=False)
    def legacy_follow_up(plan_id: str, milestone_id: str, rating_before: str | None = None,
                         at: str | None = None) -> dict:
        """The event-triggered follow-up, with the background task's body."""
        from tasks.followup import follow_up_checkin

        return follow_up_checkin.fn(plan_id, milestone_id, rating_before or None, at)

    return legacy_follow_up


def __getattr__(name: str):  # the deployment's entrypoint: bench/followup_latency.py:legacy_follow_up
    if name == "legacy_follow_up":
        return _legacy_flow()
    raise AttributeError(name)


def serve_legacy(name: str, plan_id: str) -> None:
    """Serve the bench-only deployment, triggered by the check-in events of `plan_id` only."""
    from prefect import serve
    from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger

    trigger = DeploymentEventTrigger(
        name=name, expect={"programme.milestone.*"},
        match={"prefect.resource.id": f"programme.milestone.{plan_id}.*"},
        parameters={"plan_id": "{{ event.payload.plan }}",
                    "milestone_id": "{{ event.payload.milestone }}",
                    "rating_before": "{{ event.payload.rating_before }}",
                    "at": "{{ event.payload.at }}"})
    deployment = _legacy_flow().to_deployment(name=name, triggers=[trigger])
    deployment.entrypoint = "bench/followup_latency.py:legacy_follow_up"
    serve(deployment, print_starting_message=False)


def legacy_ready(api: str, name: str) -> bool:
    from served import api_post, deployment_names

    if name not in deployment_names(api):
        return False
    return any(a.get("enabled") and a["name"] == name for a in api_post(api, "/automations/filter"))


# -- the run -----------------------------------------------------------------------------------

def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    from importlib.metadata import version

    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"Prefect {version('prefect')}, load average {os.getloadavg()[0]:.1f} at the end")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkins", type=int, default=30, help="per route")
    parser.add_argument("--routes", nargs="+", default=list(ROUTES), choices=list(ROUTES))
    parser.add_argument("--serve-legacy", nargs=2, metavar=("NAME", "PLAN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_legacy:
        serve_legacy(*args.serve_legacy)
        return

    from chase.conftest import SmtpServer
    from served import PG_ADMIN_URL, served_stack, wait_for
    from sqlalchemy import create_engine, text

    n = args.checkins + 1  # one warm-up check-in per route, reported apart
    work = Path(tempfile.mkdtemp(prefix="bench-followup-"))
    plans = work / "plans"
    plans.mkdir()
    for route in args.routes:
        (plans / f"{ROUTES[route]}.yaml").write_text(plan_yaml(ROUTES[route], n), encoding="utf-8")
    schema = f"bench_followup_{os.getpid()}"
    admin = create_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    smtp = SmtpServer()
    smtp.start()
    legacy: list[subprocess.Popen] = []
    timings: dict[str, list[tuple[float, float]]] = {r: [] for r in args.routes}
    try:
        url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
        with served_stack(work, plans, smtp.url, database_url=url) as stack:
            for route in args.routes:
                if route.startswith("task"):
                    continue
                env = {**stack.client_env, "PYTHONPATH": str(ROOT)}
                if route == "trigger-poll1":
                    env["PREFECT_RUNNER_POLL_FREQUENCY"] = "1"
                log = open(stack.logs / f"legacy-{route}.log", "w")  # noqa: SIM115
                legacy.append(subprocess.Popen(
                    [sys.executable, __file__, "--serve-legacy", f"bench-{route}", ROUTES[route]],
                    env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
                wait_for(lambda route=route: legacy_ready(stack.api, f"bench-{route}"), 180,
                         f"the {route} deployment and its trigger", interval=1)
            os.environ.update(stack.client_env)
            from programme.compose import follow_ups
            from programme.rules.model import Status
            from programme.store import Store
            from programme.usecases.checkin import CheckIn, record_checkin
            from programme.usecases.workspace import Workspace, current_moment

            ws = Workspace(Store(), plans)
            for i in range(n):
                for route in args.routes:
                    plan = ws.plan(ROUTES[route])
                    address = f"{plan.id}-{i}@example.gov.uk"
                    started = time.monotonic()
                    if route == "task-cli":
                        subprocess.run([sys.executable, "-m", "programme", "update", plan.id,
                                        f"first-{i}", "--done", "--by", "lead"], check=True,
                                       env=stack.client_env, capture_output=True, timeout=120)
                    else:
                        record_checkin(ws, plan, CheckIn(f"first-{i}", Status.DONE, by="lead"),
                                       current_moment(),
                                       follow_ups(ws) if route == "task" else None)
                    returned = time.monotonic()
                    wait_for(lambda a=address: any(a in r.rcpt for r in smtp.received), 180,
                             f"the email to {address}", interval=0.01)
                    arrived = time.monotonic()
                    timings[route].append((returned - started, arrived - started))
                    print(f"{route:>13} {i:>2}: check-in {returned - started:5.2f} s, "
                          f"email {arrived - started:6.2f} s", flush=True)
    finally:
        for proc in legacy:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        smtp.stop()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    print(f"\n{args.checkins} check-ins per route after one warm-up each; {machine()}\n")
    print("| route | first (warm-up) | median | p95 | max | check-in call, median |")
    print("|---|---:|---:|---:|---:|---:|")
    for route, rows in timings.items():
        first, rest = rows[0], rows[1:]
        emails = [e for _, e in rest]
        print(f"| {route} | {first[1]:.2f} s | {statistics.median(emails):.2f} s | "
              f"{p95(emails):.2f} s | {max(emails):.2f} s | "
              f"{statistics.median(c for c, _ in rest):.2f} s |")
    if "task" in timings:
        met = p95([e for _, e in timings["task"][1:]]) < 2
        print(f"\ngoal (task route p95 < 2 s): {'met' if met else 'missed'}")
    print(f"logs: {work / 'logs'}")


if __name__ == "__main__":
    main()
