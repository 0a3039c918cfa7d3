"""Bring-up helpers for the worker benchmarks (bench/track_day.py, bench/cluster.py): PostgreSQL
databases, Prefect API servers, `prefect server services start`, process workers, and the
Prefect REST calls they need, all on this machine's loopback interface.

Nothing here imports Prefect: the orchestrating process stays light and every Prefect process is
a real `prefect ...` command, started the way an operator starts it. CPU figures come from
/proc (Linux): a process's own time plus that of its children it has waited for, which is where
a process worker's flow runs (one `python -m prefect.engine` child each) end up.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_HOST = "127.0.0.1:5432"
TICK = os.sysconf("SC_CLK_TCK")
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def wait_for(check: Callable[[], object], timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- PostgreSQL ------------------------------------------------------------------------------

def sql(statement: str, database: str = "postgres", params: dict | None = None) -> list[tuple]:
    """One statement on the local PostgreSQL server (autocommit), rows if any."""
    import psycopg

    with psycopg.connect(f"postgresql://postgres@{PG_HOST}/{database}", autocommit=True) as conn:
        cur = conn.execute(statement, params)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []


def create_database(name: str) -> None:
    """A fresh database with pg_trgm (Prefect's PostgreSQL schema needs it)."""
    sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    sql(f'CREATE DATABASE "{name}"')
    sql("CREATE EXTENSION IF NOT EXISTS pg_trgm", database=name)


def drop_database(name: str) -> None:
    sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backend_pids(database: str) -> list[int]:
    return [r[0] for r in sql("SELECT pid FROM pg_stat_activity WHERE datname = %(d)s",
                              params={"d": database})]


# -- CPU from /proc --------------------------------------------------------------------------

def cpu_of(pid: int) -> tuple[float, float]:
    """(own CPU seconds, CPU seconds of the children it has reaped)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime) / TICK, (cutime + cstime) / TICK


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    out, todo = [], children(pid)
    while todo:
        child = todo.pop()
        out.append(child)
        todo += children(child)
    return out


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its reaped children, and its live descendants."""
    own, reaped = cpu_of(pid)
    return own + reaped + sum(cpu_of(c)[0] for c in descendants(pid))


class BackendCPU:
    """CPU of one database's PostgreSQL backends, sampled (a backend's last sample counts)."""

    def __init__(self, database: str):
        self.database = database
        self.seen: dict[int, float] = {}
        self.start: dict[int, float] = {}

    def sample(self) -> None:
        for pid in backend_pids(self.database):
            cpu = cpu_of(pid)[0]
            self.start.setdefault(pid, cpu)
            self.seen[pid] = cpu

    def reset(self) -> None:
        self.sample()
        self.start = dict(self.seen)

    def total(self) -> float:
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.seen.items())


def postgres_cpu() -> float:
    """CPU seconds of the whole PostgreSQL server so far (the postmaster reaps every backend):
    every database's, this machine's other users' too."""
    pids = sorted(Path("/var/run/postgresql").glob("*.pid"))
    if not pids:
        return 0.0
    return tree_cpu(int(pids[0].read_text().split()[0]))


# -- processes -------------------------------------------------------------------------------

@dataclass
class Processes:
    """The processes a bench started, each with its log; stopped in reverse order."""

    logs: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 - kept open for the child
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                                start_new_session=True)
        self.procs[name] = proc
        return proc

    def tail(self, name: str, chars: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self, name: str, timeout: float = 20) -> None:
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_tree(proc.pid)
            proc.wait()

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name)


def kill_tree(pid: int) -> list[int]:
    """SIGKILL a process and all its descendants (children first found, then killed at once,
    so none is re-parented unseen). The pids killed."""
    victims = [pid, *descendants(pid)]
    for victim in victims:
        try:
            cmd = Path(f"/proc/{victim}/cmdline").read_bytes().replace(b"\0", b" ")[:120]
            print(f"    kill {victim}: {cmd.decode(errors='replace')}", flush=True)
        except OSError:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
    return victims


def base_env() -> dict[str, str]:
    """This environment without any Prefect or programme setting, this checkout first on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PROGRAMME_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


QUIET_SERVER = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false",
                "PREFECT_LOGGING_LEVEL": "WARNING"}


def prefect(*args: str) -> list[str]:
    return [sys.executable, "-m", "prefect", *args]


def start_api(procs: Processes, name: str, port: int, env: dict[str, str],
              services: bool = True, timeout: float = 180) -> str:
    """`prefect server start` (with `--no-services` when services run elsewhere); the API URL
    once healthy."""
    api = f"http://127.0.0.1:{port}/api"
    proc = procs.start(name, prefect("server", "start", "--host", "127.0.0.1", "--port", str(port),
                                     *([] if services else ["--no-services"])), env)
    try:
        wait_for(lambda: proc.poll() is not None or healthy(api), timeout, f"{name} at {api}")
    except TimeoutError as e:
        raise RuntimeError(f"{e}\n{procs.tail(name)}") from None
    if proc.poll() is not None:
        raise RuntimeError(f"{name} exited ({proc.returncode}):\n{procs.tail(name)}")
    return api


# -- the Prefect REST API --------------------------------------------------------------------

def healthy(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def call(api: str, method: str, path: str, body: object | None = None, timeout: float = 30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{api}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{method} {path}: {e.code} {e.read()[:500]!r}") from None
    return json.loads(raw) if raw else None


def create_pool(api: str, env: dict[str, str], pool: str) -> None:
    """A process work pool with Prefect's default job template (the CLI writes it)."""
    subprocess.run(prefect("work-pool", "create", pool, "--type", "process", "--overwrite"),
                   env={**env, "PREFECT_API_URL": api}, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def programme_deploy(api: str, env: dict[str, str], pool: str, plans: Path) -> tuple[float, str]:
    """`programme deploy --pool POOL --plans DIR` against `api`: (seconds, what it printed)."""
    t = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "programme", "deploy", "--pool", pool,
                           "--plans", str(plans)], env={**env, "PREFECT_API_URL": api}, cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"programme deploy failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return time.monotonic() - t, done.stdout + done.stderr


def tracking_deployments(api: str) -> dict[str, str]:
    """{plan id: deployment id} of the `track-plan/<plan>` deployments `programme deploy` made."""
    out: dict[str, str] = {}
    while True:
        page = call(api, "POST", "/deployments/filter", {
            "flows": {"name": {"any_": ["track-plan"]}},
            "deployments": {"tags": {"all_": ["programme:deployed"]}},
            "limit": 200, "offset": len(out)})
        out.update({d["name"]: d["id"] for d in page})
        if len(page) < 200:
            return out


def create_run(api: str, deployment_id: str, parameters: dict, name: str | None = None) -> str:
    body: dict = {"parameters": parameters, "state": {"type": "SCHEDULED"}}
    if name:
        body["name"] = name
    return call(api, "POST", f"/deployments/{deployment_id}/create_flow_run", body)["id"]


def sweep_deployment(api: str) -> str:
    """The id of `programme deploy`'s `recover-runs/sweep` deployment."""
    [found] = call(api, "POST", "/deployments/filter", {
        "flows": {"name": {"any_": ["recover-runs"]}},
        "deployments": {"tags": {"all_": ["programme:deployed"]}}})
    return found["id"]


def flow_runs(api: str, flow: str = "track-plan") -> list[dict]:
    """Every flow run of a flow (paged)."""
    out: list[dict] = []
    while True:
        page = call(api, "POST", "/flow_runs/filter", {
            "flows": {"name": {"any_": [flow]}}, "sort": "ID_DESC",
            "limit": 200, "offset": len(out)})
        out += page
        if len(page) < 200:
            return out


def count_runs(api: str, states: list[str], flow: str = "track-plan") -> int:
    """How many runs of a flow are in one of these state types (a cheap poll)."""
    return call(api, "POST", "/flow_runs/count", {
        "flows": {"name": {"any_": [flow]}},
        "flow_runs": {"state": {"type": {"any_": states}}}})


def state_counts(runs: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for run in runs:
        key = run["state_type"] or "NONE"
        counts[key] = counts.get(key, 0) + 1
    return counts


def start_worker(procs: Processes, name: str, api: str, pool: str, limit: int,
                 env: dict[str, str]) -> subprocess.Popen:
    """`prefect worker start` on the pool, taking at most `limit` runs at once."""
    return procs.start(name, prefect("worker", "start", "--pool", pool, "--name", name,
                                     "--limit", str(limit)),
                       {**env, "PREFECT_API_URL": api})


def online_workers(api: str, pool: str) -> set[str]:
    try:
        workers = call(api, "POST", f"/work_pools/{pool}/workers/filter", {})
    except (OSError, RuntimeError):
        return set()
    return {w["name"] for w in workers if w.get("status") == "ONLINE"}


# -- a real SMTP server ----------------------------------------------------------------------

class Mailbox:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        from email import message_from_bytes

        message = message_from_bytes(envelope.content)
        with self.lock:
            self.ids.append(str(message.get("Message-ID")))
        return "250 OK"

    def counts(self, since: int = 0) -> tuple[int, int]:
        """Messages received from the `since`-th on, and how many of them repeat a Message-ID."""
        with self.lock:
            ids = self.ids[since:]
            return len(ids), len(ids) - len(set(ids))
