"""Several machines, tried on one: two Prefect API servers on one PostgreSQL database, sharing
events through Redis (`prefect-redis`), one `prefect server services start`, and a process
worker on each API server, brought up on this machine's loopback ports; then the example plans'
daily tracking run through it for a few working days, one worker killed (SIGKILL, with its
children) while it runs a plan, and everything torn down. docs/several-machines.md is the route
this script tries; it prints what it measured.

    pip install -e '.[cluster]'            # prefect-redis
    python bench/cluster.py [--days 3] [--no-kill] [--redis-db 13] [--keep]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust; pg_trgm available) and Redis on
127.0.0.1:6379. It uses two Redis databases (`--redis-db` for messaging, the next one for
Docket) and refuses to start if either holds keys (`--flush` empties them first); both are
emptied at the end. Messages go to the local sink (PROGRAMME_DELIVERY=sink): the example plans
name Teams and Slack addresses, and this machine sends nothing off it.

This process imports no Prefect: every Prefect process is a `prefect ...` command, as an
operator would start it on each machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stack as st

POOL = "programme"
REDIS = ("127.0.0.1", 6379)


def redis_settings(db: int) -> dict[str, str]:
    """What every Prefect server process (both API servers and the services) is given to share
    events, the messaging cache, causal ordering, concurrency leases and Docket through Redis."""
    host, port = REDIS
    return {
        "PREFECT_MESSAGING_BROKER": "prefect_redis.messaging",
        "PREFECT_MESSAGING_CACHE": "prefect_redis.messaging",
        "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
        "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
        "PREFECT_REDIS_MESSAGING_HOST": host,
        "PREFECT_REDIS_MESSAGING_PORT": str(port),
        "PREFECT_REDIS_MESSAGING_DB": str(db),
        "PREFECT_REDIS_MESSAGING_PUBLISHER_BATCH_SIZE": "1",  # default 5: events wait 2-10 s
        "PREFECT_SERVER_DOCKET_URL": f"redis://{host}:{port}/{db + 1}",
    }


def redis_client(db: int):
    import redis

    return redis.Redis(host=REDIS[0], port=REDIS[1], db=db)


def emit(api: str, event: str, resource: str) -> str:
    """An event posted to one API server (plain HTTP: what `emit_event` sends)."""
    event_id = str(uuid.uuid4())
    st.call(api, "POST", "/events", [{
        "id": event_id, "occurred": datetime.now(UTC).isoformat(), "event": event,
        "resource": {"prefect.resource.id": resource}, "payload": {}}])
    return event_id


def seen(api: str, event_id: str, event: str) -> bool:
    body = {"filter": {"event": {"name": [event]},
                       "occurred": {"since": (datetime.now(UTC) - timedelta(hours=1)).isoformat()}},
            "limit": 50}
    found = st.call(api, "POST", "/events/filter", body)
    return any(e["id"] == event_id for e in found.get("events", []))


def event_crossing(source: str, target: str, timeout: float = 60) -> float:
    """Seconds from an event posted to `source` to the same event read from `target`'s events
    API (Redis → the services' event persister → PostgreSQL → the other API server)."""
    name = "programme.bench.cluster-ping"
    t = time.monotonic()
    event_id = emit(source, name, f"programme.bench.{uuid.uuid4().hex[:8]}")
    st.wait_for(lambda: seen(target, event_id, name), timeout, f"the event through {target}",
                interval=0.1)
    return time.monotonic() - t


def working_days(start: date, n: int) -> list[date]:
    out, day = [], start
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def example_plan_ids(plans: Path) -> list[str]:
    from programme.store import Store
    from programme.usecases.workspace import Workspace

    ws = Workspace(Store("sqlite://"), plans)
    return sorted(p.id for p in ws.plans())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=3, help="working days of tracking")
    parser.add_argument("--first-day", type=date.fromisoformat, default=date(2026, 11, 30))
    parser.add_argument("--no-kill", action="store_true", help="leave both workers alive")
    parser.add_argument("--limit", type=int, default=2, help="runs per worker at once")
    parser.add_argument("--redis-db", type=int, default=13,
                        help="Redis database for messaging (the next one holds Docket)")
    parser.add_argument("--flush", action="store_true", help="empty those Redis databases first")
    parser.add_argument("--start-timeout", type=int, default=120,
                        help="seconds a run taken by a worker may take to start (then rerun)")
    parser.add_argument("--keep", action="store_true", help="keep the databases and logs")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per working day")
    args = parser.parse_args()

    dbs = (args.redis_db, args.redis_db + 1)
    for db in dbs:
        keys = redis_client(db).dbsize()
        if keys and not args.flush:
            sys.exit(f"Redis database {db} holds {keys} keys: pick another --redis-db, or --flush")
        redis_client(db).flushdb()

    work = Path(f"/tmp/cluster-{uuid.uuid4().hex[:8]}")
    tag = work.name.split("-")[1]
    prefect_db, programme_db = f"cluster_prefect_{tag}", f"cluster_programme_{tag}"
    procs = st.Processes(work / "logs")
    figures: dict = {"work": str(work)}
    plans = st.ROOT / "plans"
    ids = example_plan_ids(plans)
    try:
        st.create_database(prefect_db)
        st.create_database(programme_db)
        env = st.base_env()
        server_env = {**env, **st.QUIET_SERVER, **redis_settings(args.redis_db),
                      "PREFECT_API_DATABASE_CONNECTION_URL":
                          f"postgresql+asyncpg://postgres@{st.PG_HOST}/{prefect_db}",
                      "PREFECT_API_DATABASE_MIGRATE_ON_START": "false",
                      "PREFECT_SERVER_LOGGING_LEVEL": "INFO"}  # access log: requests per server

        t = time.monotonic()
        subprocess.run(st.prefect("server", "database", "upgrade", "-y"), check=True,
                       env={**server_env, "PREFECT_HOME": str(work / "migrate")},
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        figures["migrate_s"] = round(time.monotonic() - t, 1)

        apis = []
        for i in (1, 2):  # one after the other: two first starts at once raced (FACTS.md)
            t = time.monotonic()
            apis.append(st.start_api(procs, f"api-{i}", st.free_port(),
                                     {**server_env, "PREFECT_HOME": str(work / f"api-{i}")},
                                     services=False))
            figures[f"api_{i}_start_s"] = round(time.monotonic() - t, 1)
        api1, api2 = apis
        t = time.monotonic()
        services = procs.start("services", st.prefect("server", "services", "start"),
                               {**server_env, "PREFECT_HOME": str(work / "services")})
        # the event persister is one of the services: an event crosses once it runs
        figures["services_up_s"] = round(time.monotonic() - t + event_crossing(api1, api2, 120), 1)
        if services.poll() is not None:
            raise RuntimeError(procs.tail("services"))
        crossings = [event_crossing(a, b) for _ in range(5) for a, b in ((api1, api2), (api2, api1))]
        figures["event_crossing_s"] = {"median": round(statistics.median(crossings), 2),
                                       "max": round(max(crossings), 2), "n": len(crossings)}
        print(f"up: {json.dumps(figures)}", flush=True)

        client_env = {
            **env, "PREFECT_LOGGING_LEVEL": "WARNING",
            "PROGRAMME_PLANS": str(plans), "PROGRAMME_HOME": str(work / "home"),
            "PROGRAMME_DATABASE_URL": f"postgresql+psycopg://postgres@{st.PG_HOST}/{programme_db}",
            "PROGRAMME_DELIVERY": "sink",
            "PREFECT_WORKER_QUERY_SECONDS": "2", "PREFECT_WORKER_PREFETCH_SECONDS": "2"}
        # the pool, deployments and automations through API server 1; runs through both
        deploy_s, said = st.programme_deploy(
            api1, {**client_env, "PROGRAMME_HEARTBEAT_SECONDS": "30",
                   "PROGRAMME_START_TIMEOUT_SECONDS": str(args.start_timeout)}, POOL, plans)
        figures["deploy"] = {"s": round(deploy_s, 1), "said": said.strip().splitlines()[-1:]}
        deployments = st.tracking_deployments(api2)
        assert set(deployments) == set(ids), (sorted(deployments), ids)
        workers = {}
        for i, api in ((1, api1), (2, api2)):
            name = f"worker-{i}"
            workers[name] = st.start_worker(procs, name, api, POOL, args.limit,
                                            {**client_env, "PREFECT_HOME": str(work / name)})
        st.wait_for(lambda: st.online_workers(api1, POOL) >= set(workers), 120, "both workers")

        spawned: dict[str, set[int]] = {n: set() for n in workers}
        days = working_days(args.first_day, args.days)
        kill_day = None if args.no_kill else days[min(1, len(days) - 1)]
        killed_runs: list[str] = []
        per_day = []
        ours: set[str] = set()  # the runs made here (the scheduler makes next days' too)
        t_all = time.monotonic()
        for day in days:
            t = time.monotonic()
            as_of = f"{day.isoformat()}T09:00"
            made = [st.create_run((api1, api2)[i % 2], deployments[plan_id],
                                  {"plan_id": plan_id, "as_of": as_of},
                                  name=f"{plan_id} {day.isoformat()}")
                    for i, plan_id in enumerate(ids)]
            ours |= set(made)
            while True:
                runs = [r for r in st.flow_runs(api2) if r["id"] in made]
                for n, proc in workers.items():
                    if proc.poll() is None:
                        spawned[n] |= set(st.descendants(proc.pid))
                if day == kill_day and not killed_runs:
                    mine = [r for r in runs if r["state_type"] == "RUNNING"
                            and _pid(r) in spawned["worker-1"]]
                    if mine:
                        victims = st.kill_tree(workers["worker-1"].pid)
                        killed_runs = [r["id"] for r in mine]
                        figures["killed"] = {"day": day.isoformat(), "processes": len(victims),
                                             "runs_running": len(mine),
                                             "at_s": round(time.monotonic() - t, 1)}
                        print(f"  {day}: SIGKILL worker-1 and its children, "
                              f"{len(mine)} run(s) running", flush=True)
                # Crashed is not final: the recovery automation sets it back to Scheduled
                if all(r["state_type"] in ("COMPLETED", "FAILED", "CANCELLED") for r in runs) \
                        and len(runs) == len(made):
                    break
                if time.monotonic() - t > args.timeout:
                    break
                time.sleep(1)
            counts = st.state_counts(runs)
            per_day.append({"day": day.isoformat(), "runs": len(made), "states": counts,
                            "wall_s": round(time.monotonic() - t, 1)})
            print(f"  {day}: {counts} in {time.monotonic() - t:.0f} s", flush=True)
        figures["tracking_wall_s"] = round(time.monotonic() - t_all, 1)
        figures["days"] = per_day

        runs = [r for r in st.flow_runs(api1) if r["id"] in ours]
        by_pid = {_pid(r): r for r in runs}
        figures["runs_by_worker"] = {n: sum(1 for p in by_pid if p in pids)
                                     for n, pids in spawned.items()}
        figures["killed_runs"] = {rid: {
            "states": [row[0] for row in st.sql(
                "SELECT name FROM flow_run_state WHERE flow_run_id = %(i)s ORDER BY timestamp",
                database=prefect_db, params={"i": rid})],
            "heartbeats": st.sql(
                "SELECT count(*) FROM events WHERE event = 'prefect.flow-run.heartbeat' "
                "AND resource_id = %(r)s", database=prefect_db,
                params={"r": f"prefect.flow-run.{rid}"})[0][0]} for rid in killed_runs}
        figures["runs"] = st.state_counts(runs)
        figures["requests"] = {name: (procs.logs / f"{name}.log").read_text(errors="replace")
                               .count(' HTTP/1.1" ') for name in ("api-1", "api-2")}
        figures["outbox"] = dict(st.sql("SELECT state, count(*) FROM outbox GROUP BY state",
                                        database=programme_db))
        r = redis_client(args.redis_db)
        figures["redis"] = {"keys": r.dbsize(),
                            "streams": sorted(k.decode() for k in r.keys("*")
                                              if r.type(k) == b"stream")[:10]}
        figures["events"] = st.sql("SELECT count(*) FROM events", database=prefect_db)[0][0]
        figures["automations_fired"] = dict(st.sql(
            "SELECT resource->>'prefect.resource.name', count(*) FROM events "
            "WHERE event = 'prefect.automation.action.executed' GROUP BY 1", database=prefect_db))
        all_done = figures["runs"].get("COMPLETED", 0) == len(runs) == len(ids) * len(days)
        figures["all_completed"] = all_done
        print(json.dumps(figures, indent=1), flush=True)
        if not all_done:
            sys.exit(1)
    finally:
        procs.stop_all()
        if not args.keep:
            for db in (prefect_db, programme_db):
                st.drop_database(db)
        for db in dbs:
            redis_client(db).flushdb()


def _pid(run: dict) -> int:
    return int(str(run.get("infrastructure_pid") or ":0").rsplit(":", 1)[-1] or 0)


if __name__ == "__main__":
    main()
