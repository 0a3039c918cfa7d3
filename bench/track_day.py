"""One day's tracking of a large portfolio on process workers: N generated plans (default 200 ×
60 milestones) as one work-pool run each, on a Prefect server on PostgreSQL, with 1 or 2
process workers on this machine, and optionally one worker killed (SIGKILL, with its children)
halfway through.

Each scenario gets a fresh Prefect database and a fresh copy of the programme's store (seeded
once with a busy programme's statuses: bench/generate.py), a real SMTP server (aiosmtpd, in this
process), the runs created at once for one morning (`as_of`), as a schedule would create them.
Printed per scenario: wall time from the runs' creation to the last one finished, runs
completed, reruns, CPU per plan in the workers (the flow-run processes are their children), the
Prefect server's and PostgreSQL's CPU, the emails received (and any twice), the outbox's state,
and what the Prefect database holds afterwards (rows, size, API requests).

    python bench/track_day.py [--plans 200] [--milestones 60] [--scenarios 1x4 2x2 2x2-kill]

A scenario is WORKERSxLIMIT, with -kill to SIGKILL the first worker once half the runs are
done. The deployments (one `track-plan/<plan>` per plan) and the automations that rerun a dead
worker's runs are made by `programme deploy` (flows/deploy.py, flows/recovery.py), with a
flow-run heartbeat every `--heartbeat` s (PROGRAMME_HEARTBEAT_SECONDS; a run silent for three
is crashed and rerun) and `--start-timeout` s for a run taken but never started. The Prefect
scheduler service is off: the bench creates the morning's run of each deployment itself, at
once, as the scheduler does at 09:00, and the runs it would create for the next 100 days are
not part of one day's cost.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stack as st

AS_OF = "2026-12-03T09:00"  # a Thursday morning in London
POOL = "bench-pool"


# -- plans and the seeded store --------------------------------------------------------------

def write_plans(folder: Path, count: int, milestones: int) -> list[str]:
    """Generated plan files; Teams contacts dropped (this machine reaches no Teams), so every
    message goes by email to the local SMTP server."""
    from generate import generate_raw, to_yaml

    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for seed in range(1, count + 1):
        raw = generate_raw(milestones, seed)
        for person in raw["people"].values():
            person["contacts"] = [c for c in person["contacts"] if "://" not in c]
        (folder / f"{raw['id']}.yaml").write_text(to_yaml(raw), encoding="utf-8")
        ids.append(raw["id"])
    return ids


def seed_store(url: str, plans_dir: Path, ids: list[str], today: datetime) -> int:
    """Each plan synced and given a busy programme's statuses (done, blocked, forecasts) as of
    the day before; the number of status entries."""
    from generate import generate_statuses

    from programme.store import Store
    from programme.usecases.workspace import Workspace

    ws = Workspace(Store(url), plans_dir)
    entries = 0
    for i, plan_id in enumerate(ids, start=1):
        plan = ws.plan(plan_id)
        ws.ensure_synced(plan, datetime.combine(plan.start, dtime(9), tzinfo=UTC))
        ws.store.baseline(plan, datetime.combine(plan.start, dtime(10), tzinfo=UTC), "bench")
        for mid, s in generate_statuses(plan, i, today=today.date()).items():
            when = (datetime.combine(s.done_on, dtime(12), tzinfo=UTC) if s.done_on
                    else today - timedelta(days=2))
            ws.store.record(plan.id, mid, s.status, when, by=s.by, reason=s.reason,
                            forecast=s.forecast)
            entries += 1
    ws.store.close()
    return entries


# -- one scenario ----------------------------------------------------------------------------

def scenario(spec: str, args, plans_dir: Path, ids: list[str], template: str, smtp_port: int,
             mailbox: st.Mailbox, work: Path) -> dict:
    workers_n, rest = spec.split("x")
    limit = int(rest.split("-")[0])
    kill = spec.endswith("-kill")
    tag = uuid.uuid4().hex[:8]
    prefect_db, programme_db = f"bench_prefect_{tag}", f"bench_programme_{tag}"
    st.create_database(prefect_db)
    st.sql(f'CREATE DATABASE "{programme_db}" TEMPLATE "{template}"')
    procs = st.Processes(work / spec / "logs")
    before_mail = mailbox.counts()[0]
    result: dict = {"scenario": spec, "workers": int(workers_n), "limit": limit, "kill": kill,
                    "server_env": args.server_env}
    try:
        env = st.base_env()
        server_env = {**env, **st.QUIET_SERVER, "PREFECT_HOME": str(work / spec / "server"),
                      "PREFECT_API_DATABASE_CONNECTION_URL":
                          f"postgresql+asyncpg://postgres@{st.PG_HOST}/{prefect_db}",
                      "PREFECT_SERVER_LOGGING_LEVEL": "INFO",  # one access-log line per request
                      "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
                      **dict(kv.split("=", 1) for kv in args.server_env)}
        port = st.free_port()
        api = st.start_api(procs, "server", port, server_env)
        client_env = {
            **env, "PREFECT_API_URL": api, "PREFECT_LOGGING_LEVEL": "WARNING",
            "PROGRAMME_PLANS": str(plans_dir), "PROGRAMME_HOME": str(work / spec / "home"),
            "PROGRAMME_DATABASE_URL": f"postgresql+psycopg://postgres@{st.PG_HOST}/{programme_db}",
            "PROGRAMME_SMTP_URL": f"mailto://127.0.0.1:{smtp_port}?from=programme@example.gov.uk",
            "PROGRAMME_DELIVERY": "live", "PROGRAMME_NOW": f"{AS_OF}:00+00:00",
            "PREFECT_WORKER_QUERY_SECONDS": str(args.query_seconds),
            "PREFECT_WORKER_PREFETCH_SECONDS": str(args.query_seconds)}
        deploy_s, deploy_out = st.programme_deploy(
            api, {**client_env, "PROGRAMME_HEARTBEAT_SECONDS": str(args.heartbeat),
                  "PROGRAMME_START_TIMEOUT_SECONDS": str(args.start_timeout)}, POOL, plans_dir)
        deployments = st.tracking_deployments(api)
        if args.automations == "off":
            for automation in st.call(api, "POST", "/automations/filter", {}):
                st.call(api, "PATCH", f"/automations/{automation['id']}", {"enabled": False})
        result["automations"] = args.automations
        result["deploy_s"] = round(deploy_s, 1)
        result["deploy_said"] = deploy_out.strip().splitlines()[-1:]
        assert set(deployments) == set(ids), f"{len(deployments)} deployments for {len(ids)} plans"
        names = [f"worker-{i + 1}" for i in range(int(workers_n))]
        workers = {n: st.start_worker(procs, n, api, POOL, limit,
                                      {**client_env, "PREFECT_HOME": str(work / spec / n)})
                   for n in names}
        def online() -> bool:
            for n, proc in workers.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{n} exited:\n{procs.tail(n)}")
            return st.online_workers(api, POOL) >= set(names)

        st.wait_for(online, 120, "the workers online")
        pg_cpu = {db: st.BackendCPU(db) for db in (prefect_db,)}
        pg_all0 = st.postgres_cpu()
        for b in pg_cpu.values():
            b.reset()
        server_cpu0 = st.tree_cpu(procs.procs["server"].pid)

        t0 = time.monotonic()
        for plan_id in ids:
            st.create_run(api, deployments[plan_id], {"plan_id": plan_id, "as_of": AS_OF},
                          name=f"{plan_id} {AS_OF[:10]}")
        created = time.monotonic() - t0
        killed_at, killed, worker_cpu = None, [], {n: 0.0 for n in names}
        sweep_id, next_sweep, sweeps = st.sweep_deployment(api), args.sweep_seconds, 0
        spawned: dict[str, set[int]] = {n: set() for n in names}  # each worker's flow-run pids
        last_print = 0.0
        while True:
            completed = st.count_runs(api, ["COMPLETED"])
            # Crashed is not final here: the recovery automation sets it back to Scheduled
            done = st.count_runs(api, ["COMPLETED", "FAILED", "CANCELLED"])
            for b in pg_cpu.values():
                b.sample()
            for n, proc in workers.items():
                if proc.poll() is None:
                    worker_cpu[n] = st.tree_cpu(proc.pid)
                    spawned[n] |= set(st.descendants(proc.pid))
            elapsed = time.monotonic() - t0
            if kill and killed_at is None and completed >= len(ids) // 2:
                killed = st.kill_tree(workers[names[0]].pid)
                killed_at = elapsed
                print(f"  {elapsed:6.1f} s: SIGKILL {names[0]} and its children ({len(killed)} "
                      f"processes)", flush=True)
            if args.sweep_seconds and elapsed >= next_sweep:
                st.create_run(api, sweep_id, {})
                sweeps, next_sweep = sweeps + 1, next_sweep + args.sweep_seconds
            if elapsed - last_print > 60:
                print(f"  {elapsed:6.1f} s: {completed} completed, {done} finished", flush=True)
                last_print = elapsed
            if done >= len(ids) or elapsed > args.timeout:
                break
            time.sleep(3)
        wall = time.monotonic() - t0
        server_cpu = st.tree_cpu(procs.procs["server"].pid) - server_cpu0
        pg_all = st.postgres_cpu() - pg_all0
        time.sleep(3)  # the last events reach the database
        result.update(collect(api, prefect_db, programme_db, procs))
        received, twice = mailbox.counts(since=before_mail)
        pid_of = {r["id"]: _pid(r) for r in result.pop("_runs")}
        per_worker = {n: sum(1 for pid in pid_of.values() if pid in spawned[n]) for n in names}
        result.update({
            "wall_s": round(wall, 1), "create_runs_s": round(created, 1),
            "killed_at_s": killed_at and round(killed_at, 1), "killed_processes": len(killed),
            "rerun_histories": [history(prefect_db, rid) for rid in result["rerun_ids"]],
            "worker_cpu_s": {n: round(c, 1) for n, c in worker_cpu.items()},
            "runs_by_worker": per_worker, "sweeps_started": sweeps,

            "server_cpu_s": round(server_cpu, 1),
            "pg_cpu_s": {"prefect_db_backends": round(pg_cpu[prefect_db].total(), 1),
                         "all_of_postgresql": round(pg_all, 1)},
            "emails": received, "emails_twice": twice})
        total_cpu = sum(worker_cpu.values())
        completed = result["states"].get("COMPLETED", 0)
        result["worker_cpu_per_plan_s"] = round(total_cpu / max(1, completed), 2)
        return result
    finally:
        procs.stop_all()
        for db in (prefect_db, programme_db):
            if not args.keep:
                st.drop_database(db)


def _pid(run: dict) -> int:
    """The pid of the run's process, from its infrastructure_pid ("host:pid")."""
    return int(str(run.get("infrastructure_pid") or ":0").rsplit(":", 1)[-1] or 0)


def history(prefect_db: str, run_id: str) -> list[str]:
    """A run's states in order (state names: Scheduled, Pending, Submitting, Running, ...)."""
    return [r[0] for r in st.sql("SELECT name FROM flow_run_state WHERE flow_run_id = %(i)s "
                                 "ORDER BY timestamp", database=prefect_db, params={"i": run_id})]


def collect(api: str, prefect_db: str, programme_db: str, procs: st.Processes) -> dict:
    runs = st.flow_runs(api)
    durations = sorted(r["total_run_time"] for r in runs if r["state_type"] == "COMPLETED")
    pendings = st.sql("SELECT flow_run_id, count(*) FROM flow_run_state WHERE type = 'PENDING' "
                      "AND name = 'Pending' GROUP BY 1 HAVING count(*) > 1", database=prefect_db)
    q = {name: st.sql(f"SELECT count(*) FROM {table}", database=prefect_db)[0][0]
         for name, table in (("task_runs", "task_run"), ("flow_run_states", "flow_run_state"),
                             ("task_run_states", "task_run_state"), ("events", "events"),
                             ("event_resources", "event_resources"), ("logs", "log"))}
    size = st.sql("SELECT pg_database_size(%(d)s)", params={"d": prefect_db})[0][0]
    top_events = st.sql("SELECT event, count(*) FROM events GROUP BY event ORDER BY 2 DESC LIMIT 8",
                        database=prefect_db)
    rerun_by = {who: st.sql("SELECT count(DISTINCT flow_run_id) FROM flow_run_state WHERE "
                            "message LIKE %(m)s", database=prefect_db, params={"m": like})[0][0]
                for who, like in (("sweep", "rerun by the recovery sweep%"),
                                  ("automation", "rerun after a crash%"))}
    outbox = dict(st.sql("SELECT state, count(*) FROM outbox GROUP BY state", database=programme_db))
    server_log = (procs.logs / "server.log").read_text(errors="replace")
    requests = server_log.count(" HTTP/1.1\" ")
    return {
        "states": st.state_counts(runs), "runs": len(runs),
        "reruns": len(pendings),  # runs handed to a worker more than once
        "rerun_ids": [str(r[0]) for r in pendings], "rerun_by": rerun_by,
        "run_time_median_s": round(statistics.median(durations), 2) if durations else None,
        "run_time_p95_s": round(durations[int(0.95 * (len(durations) - 1))], 2) if durations else None,
        "prefect_rows": q, "prefect_db_mb": round(size / 2**20, 1),
        "top_events": {e: n for e, n in top_events}, "api_requests": requests,
        "outbox": outbox, "_runs": [r for r in runs if r["state_type"] == "COMPLETED"]}


def machine() -> str:
    load = os.getloadavg()
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, load {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plans", type=int, default=200)
    parser.add_argument("--milestones", type=int, default=60)
    parser.add_argument("--scenarios", nargs="+", default=["1x4", "2x2", "2x2-kill"])
    parser.add_argument("--heartbeat", type=int, default=30,
                        help="flow-run heartbeat, seconds (Prefect allows 30 at least)")
    parser.add_argument("--start-timeout", type=int, default=120,
                        help="seconds a run taken by a worker may take to start")
    parser.add_argument("--query-seconds", type=float, default=2,
                        help="PREFECT_WORKER_QUERY_SECONDS (Prefect's default is 10)")
    parser.add_argument("--server-env", nargs="*", default=[], metavar="NAME=VALUE",
                        help="more settings for the Prefect server")
    parser.add_argument("--sweep-seconds", type=float, default=300,
                        help="start a run of recover-runs/sweep this often, as its schedule "
                             "(every 5 minutes) does on the server; 0: never")
    parser.add_argument("--automations", choices=["on", "off"], default="on",
                        help="off: disable the recovery automations after deploying, so only "
                             "the sweep can rerun a dead worker's runs")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--keep", action="store_true", help="keep the databases and files")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    work = Path(tempfile.mkdtemp(prefix="track-day-"))
    plans_dir = work / "plans"
    t = time.monotonic()
    ids = write_plans(plans_dir, args.plans, args.milestones)
    template = f"bench_programme_tmpl_{uuid.uuid4().hex[:8]}"
    st.create_database(template)
    entries = seed_store(f"postgresql+psycopg://postgres@{st.PG_HOST}/{template}", plans_dir, ids,
                         datetime.fromisoformat(AS_OF).replace(tzinfo=UTC))
    print(f"{len(ids)} plans × {args.milestones} milestones, {entries} status entries seeded in "
          f"{time.monotonic() - t:.0f} s; {machine()}", flush=True)
    mailbox = st.Mailbox()
    smtp_port = st.free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    results = []
    try:
        for spec in args.scenarios:
            print(f"scenario {spec} ({machine()})", flush=True)
            res = scenario(spec, args, plans_dir, ids, template, smtp_port, mailbox, work)
            res["machine"] = machine()
            results.append(res)
            print(json.dumps(res, indent=1), flush=True)
    finally:
        controller.stop()
        if not args.keep:
            st.drop_database(template)
    args.out.mkdir(exist_ok=True)
    out = args.out / f"track_day-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"\n{'scenario':<10} {'wall':>7} {'done':>9} {'reruns':>6} {'cpu/plan':>8} "
          f"{'server':>7} {'pg':>6} {'emails':>6} {'twice':>5}")
    for r in results:
        print(f"{r['scenario']:<10} {r['wall_s']:>6.0f}s {r['states'].get('COMPLETED', 0):>4}/"
              f"{r['runs']:<4} {r['reruns']:>6} {r['worker_cpu_per_plan_s']:>7.2f}s "
              f"{r['server_cpu_s']:>6.0f}s {r['pg_cpu_s']['all_of_postgresql']:>5.0f}s "
              f"{r['emails']:>6} {r['emails_twice']:>5}")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
