"""End to end on a real Prefect server (on this machine's PostgreSQL) with real process workers:
`programme deploy` of four small plans, two `prefect worker start --limit 2`; every plan's
tracking runs and sends by email to a real SMTP server. Then one worker and its flow-run
processes are killed with SIGKILL while its run is Running: the recovery automations of
`programme deploy` crash and rerun those runs on the other worker, every plan is tracked, every
due message is sent, none twice under different Message-IDs.

The first kill lands mid-send: the SMTP server holds the message it is handed until the worker
is dead, then accepts it, so the rerun sends it again, under the same Message-ID.
The thresholds are shortened for the test through the documented settings (heartbeat 30 s,
Prefect's minimum; silence 45 s; never-started 45 s: shorter ones crashed runs that were only
slow to start on a loaded 2-core machine). Meanwhile a run is left Pending, as a worker
that died after taking it leaves it: "never started" crashes it and it is rerun. (A real worker
killed holding runs it had not started is in the sweep's test below, with Late runs.) And a
healthy run that takes longer than the silence is left alone, by the automations here and by
the sweep below."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from chase.conftest import Received, SmtpServer
from conftest import IN_CI, _postgres_reachable
from served import (
    IN_WINDOW,
    Stack,
    api_post,
    children,
    prefect_server,
    start_serve,
    stop,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

FAST = {"PROGRAMME_HEARTBEAT_SECONDS": "30", "PROGRAMME_SILENCE_SECONDS": "45",
        "PROGRAMME_START_TIMEOUT_SECONDS": "45", "PREFECT_WORKER_QUERY_SECONDS": "1"}
NEXT_WEEK = "2026-12-10T10:00:00+00:00"  # a week after IN_WINDOW: new chases are due
IN_TWO_WEEKS = "2026-12-17T10:00:00+00:00"


class HoldingSmtp(SmtpServer):
    """aiosmtpd that, once `hold()` is called, takes the next message it is handed into its
    mailbox but keeps the answer back (no 250 yet) until `release()`: what a client sees when
    it dies just as the server accepts its message."""

    def __init__(self) -> None:
        super().__init__()
        self.holding, self._released = threading.Event(), threading.Event()
        self._armed = False
        self.held_message_id: str | None = None
        self.held_rcpt = ""

    def hold(self) -> None:
        self._armed = True

    def release(self) -> None:
        self._released.set()

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        server = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):
                msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with server._lock:
                    server.received.append(Received(tuple(envelope.rcpt_tos), msg))
                if server._armed and not server.holding.is_set():
                    server.held_message_id, server.held_rcpt = msg["Message-ID"], envelope.rcpt_tos[0]
                    server.holding.set()
                    while not server._released.is_set():
                        await asyncio.sleep(0.05)
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()


@pytest.fixture
def smtp():
    server = HoldingSmtp()
    server.start()
    yield server
    server.release()
    server.stop()


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    problem = _postgres_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {problem}")
        pytest.skip(problem)
    folder = tmp_path / "plans"
    folder.mkdir()
    for n in range(1, 5):
        (folder / f"plan-{n}.yaml").write_text(plan_yaml(n), encoding="utf-8")
    return folder


def plan_yaml(n: int) -> str:
    """A small plan whose owners are chased by email: 12 milestones in a chain, due every few
    days from early November to late December 2026 (some overdue at IN_WINDOW, more a week on)."""
    people = ["ana", "bob", "cara", "dev"]
    lines = [f"id: plan-{n}", f"title: Plan {n}", "lead: cara", "sponsor: sam",
             "start: 2026-10-05", "people:"]
    lines += [f"  {p}: {{name: {p.title()} {n}, contacts: [{p}{n}@example.gov.uk]}}"
              for p in [*people, "sam"]]
    lines.append("milestones:")
    for i in range(12):
        due = (date(2026, 11, 1) + timedelta(days=i * 4 + n)).isoformat()
        after = f", depends_on: [m{i - 1}]" if i else ""
        lines.append(f"  - {{id: m{i}, title: Milestone {i}, owner: {people[i % 4]}, "
                     f"due: {due}{after}}}")
    return "\n".join(lines) + "\n"


SLOW_PLAN = """import os
import time
from pathlib import Path

from programme.planfiles.authoring import Plan

# Slow to read the first time a flow run reads it (not when `programme deploy` does): a
# tracking run that takes longer than the silence, alive and sending heartbeats all along.
marker = Path({marker!r})
if os.environ.get("PREFECT__FLOW_RUN_ID") and not marker.exists():
    marker.touch()
    time.sleep({seconds})

plan = Plan(id="plan-slow", title="A slow plan", lead="cara", sponsor="sam", start="2026-10-05")
plan.person("cara", "Cara Slow", contacts=["cara-slow@example.gov.uk"])
plan.person("sam", "Sam Slow", contacts=["sam-slow@example.gov.uk"])
plan.milestone("m0", "Milestone 0", owner="cara", due="2026-11-20")
"""


def programme(stack: Stack, *args: str, code: int = 0) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "programme", *args], env=stack.client_env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == code, done.stdout + done.stderr
    return done


def tracking_deployments(api: str) -> dict[str, str]:
    """plan id -> deployment id, for `programme deploy`'s tracking deployments."""
    return {d["name"]: d["id"] for d in api_post(api, "/deployments/filter", {
        "deployments": {"tags": {"all_": ["programme:deployed"]}}})
        if d["entrypoint"] == "flows.tracking:track_plan"}


def start_runs(api: str, deployments: dict[str, str], as_of: str | None = None) -> dict[str, str]:
    """One tracking run per plan, now (as the schedule would at 09:00); plan id -> run id."""
    params = {"as_of": as_of} if as_of else {}
    return {plan: api_post(api, f"/deployments/{dep}/create_flow_run", {"parameters": params})["id"]
            for plan, dep in deployments.items()}


def runs(api: str, ids) -> list[dict]:
    return api_post(api, "/flow_runs/filter", {"flow_runs": {"id": {"any_": list(ids)}}})


def all_completed(api: str, ids) -> bool:
    found = runs(api, ids)
    failed = [r for r in found if r["state_type"] in ("FAILED", "CANCELLED")]
    assert not failed, [(r["name"], r["state"]["message"]) for r in failed]
    return len(found) == len(ids) and all(r["state_type"] == "COMPLETED" for r in found)


def start_worker(stack: Stack, name: str) -> subprocess.Popen:
    log = open(stack.logs / f"{name}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool",
                             "programme", "--limit", "2", "--name", name],
                            env={**stack.client_env, "PREFECT_LOGGING_LEVEL": "INFO"},
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    stack.workers.append(proc)
    return proc


def api_get(api: str, path: str):
    import json
    import urllib.request

    with urllib.request.urlopen(f"{api}{path}", timeout=10) as response:
        return json.loads(response.read())


def online_workers(api: str) -> set[str]:
    return {w["name"] for w in api_post(api, "/work_pools/programme/workers/filter")
            if w["status"] == "ONLINE"}


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def outbox_rows(url: str) -> list[tuple]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        found = list(conn.execute(text(
            "SELECT key, state, attempts, next_attempt_at, last_error FROM outbox")))
    engine.dispose()
    return found


def claimers(url: str, contact: str) -> list[str]:
    """Who holds the outbox rows (`sending`) of the messages to `contact` now."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        found = list(conn.execute(text(
            "SELECT DISTINCT claimed_by FROM outbox WHERE state = 'sending' "
            "AND CAST(contacts AS TEXT) LIKE :contact"), {"contact": f"%{contact}%"}).scalars())
    engine.dispose()
    return found


def message_ids(smtp) -> Counter:
    return Counter(r.message["Message-ID"] for r in smtp.received)


def test_a_worker_killed_mid_run_loses_no_plan_and_sends_each_message_once(
        tmp_path: Path, plans: Path, smtp, pg_url: str):
    (plans / "plan-slow.py").write_text(SLOW_PLAN.format(
        marker=str(tmp_path / "slow-once"), seconds=70), encoding="utf-8")
    with prefect_server(tmp_path, plans, smtp.url, now=IN_WINDOW, database_url=pg_url,
                        env={**FAST, "PROGRAMME_PLAN_TIMEOUT": "120"}) as stack:
        deployed = programme(stack, "deploy")
        assert "work pool programme (process): created" in deployed.stdout
        assert "added: automation 'programme: no heartbeat'" in deployed.stdout
        deployments = tracking_deployments(stack.api)
        slow_plan = deployments.pop("plan-slow")  # its run comes later
        assert len(deployments) == 4
        first, second = start_worker(stack, "w1"), start_worker(stack, "w2")
        wait_for(lambda: online_workers(stack.api) == {"w1", "w2"}, 90, "both workers online",
                 interval=0.5)

        # A morning: every plan's run, shared by the two workers (each takes at most 2).
        started = time.monotonic()
        morning = start_runs(stack.api, deployments)
        try:
            wait_for(lambda: all_completed(stack.api, morning.values()), 150,
                     "every plan's tracking run", interval=1)
        except AssertionError:
            print(stack.tail())
            raise
        print(f"4 runs on 2 workers: {time.monotonic() - started:.1f} s")
        by_worker = Counter(r["labels"]["prefect.worker.name"]
                            for r in runs(stack.api, morning.values()))
        assert set(by_worker) == {"w1", "w2"}, by_worker
        sent_first = len(smtp.received)
        assert sent_first > 0
        unsent = [r for r in outbox_rows(pg_url) if r[1] != "sent"]
        assert unsent == []

        # The next week's run. The SMTP server holds the first message it is handed: the run
        # sending it is then mid-send, its recipients' rows claimed. Its worker and the worker's
        # flow-run processes are killed; the SMTP server then accepts the held message (as a
        # server does that answered 250 just as its client died): the one duplicate window.
        smtp.hold()
        later = start_runs(stack.api, deployments, as_of=NEXT_WEEK)
        wait_for(smtp.holding.is_set, 120, "a message handed to the SMTP server", interval=0.1)
        [sender] = wait_for(lambda: claimers(pg_url, smtp.held_rcpt), 30, "the sending run's claim")
        [victim_run] = runs(stack.api, [sender.removeprefix("flow-run:")])
        victim_name = victim_run["labels"]["prefect.worker.name"]
        victim, survivor = (first, second) if victim_name == "w1" else (second, first)
        survivor_name = "w2" if victim_name == "w1" else "w1"
        doomed = [victim.pid, *descendants(victim.pid)]
        for pid in doomed:
            os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        victim.wait()
        smtp.release()
        assert len(doomed) >= 2  # the worker and at least one flow-run process
        # Meanwhile a run a worker took and died holding before its process started (Pending,
        # Submitting), put in that state through the API as the dead worker left it: no
        # heartbeat ever comes; "never started" crashes it, "rerun crashed" puts it back.
        orphan = start_runs(stack.api, {"plan-1": deployments["plan-1"]}, as_of=IN_TWO_WEEKS)[
            "plan-1"]
        set_state(stack.api, orphan, "PENDING")
        # And a healthy run on the survivor that takes longer than the silence (its plan is slow
        # to read): "no heartbeat" must leave it alone.
        slow = start_runs(stack.api, {"plan-slow": slow_plan})["plan-slow"]
        try:
            wait_for(lambda: all_completed(stack.api, [victim_run["id"]]), 170,
                     f"the run {victim_name} was killed in", interval=1)
            recovered = time.monotonic() - killed
            wait_for(lambda: all_completed(stack.api, [*later.values(), orphan, slow]), 120,
                     f"every plan's run after {victim_name} died", interval=1)
        except AssertionError:
            print(stack.tail())
            raise
        [again] = runs(stack.api, [victim_run["id"]])
        print(f"killed {victim_name} mid-send; its run rerun on "
              f"{again['labels']['prefect.worker.name']} and done {recovered:.1f} s later, "
              f"started {again['run_count']} times; every plan tracked "
              f"{time.monotonic() - killed:.1f} s after the kill")
        assert again["labels"]["prefect.worker.name"] == survivor_name
        assert again["run_count"] >= 2
        assert survivor.poll() is None
        held_id = smtp.held_message_id
        assert message_ids(smtp)[held_id] == 2  # accepted, unrecorded, sent again: same Message-ID

        [pending] = runs(stack.api, [orphan])
        print(f"a run left Pending (taken, never started) rerun after "
              f"{pending['run_count']} start(s) on {pending['labels']['prefect.worker.name']}")
        assert pending["labels"]["prefect.worker.name"] == survivor_name
        messages = [st["message"] or "" for st in api_get(
            stack.api, f"/flow_run_states/?flow_run_id={orphan}")]
        # "never started" (or a sweep of the schedule's, if one came first)
        assert any("not started after" in m or "never started" in m for m in messages), messages
        [slow_done] = runs(stack.api, [slow])
        took = datetime.fromisoformat(slow_done["end_time"]) - datetime.fromisoformat(
            slow_done["start_time"])
        print(f"a healthy run of {took.total_seconds():.0f} s (silence 45 s) started "
              f"{slow_done['run_count']} time(s)")
        assert took > timedelta(seconds=60)
        assert slow_done["run_count"] == 1  # never crashed, never rerun
        assert not [st for st in api_get(stack.api, f"/flow_run_states/?flow_run_id={slow}")
                    if st["type"] == "CRASHED"]

        rows = outbox_rows(pg_url)
        states = Counter(r[1] for r in rows)
        assert states == {"sent": len(rows)}, states  # nothing lost, nothing left claimed
        assert len(smtp.received) > sent_first  # the second run sent new chases
        ids = message_ids(smtp)
        twice = {i: n for i, n in ids.items() if n > 1}
        print(f"outbox rows {len(rows)}, emails {len(smtp.received)}, distinct Message-IDs "
              f"{len(ids)}, resent (same Message-ID) {sum(twice.values()) - len(twice)}")
        # a resend (killed between the SMTP server's 250 and the outbox's commit) carries the
        # same Message-ID; a message never goes twice under different ones
        assert None not in ids
        bodies = Counter((tuple(r.rcpt), r.subject, r.body("plain")) for r in smtp.received)
        assert sum(bodies.values()) - len(bodies) == sum(twice.values()) - len(twice)


def deployments_now(api: str) -> list[dict]:
    return api_post(api, "/deployments/filter")


def live_tracking(api: str) -> Counter:
    """How many live (not paused) tracking schedules each plan has, whoever registered them."""
    return Counter(d["parameters"]["plan_id"] for d in deployments_now(api)
                   if d["entrypoint"].endswith("track_plan") and not d["paused"]
                   and any(s["active"] for s in d["schedules"]))


def automations(api: str) -> dict[str, bool]:
    return {a["name"]: a["enabled"] for a in api_post(api, "/automations/filter")}


def test_deploy_follows_the_plans_folder_and_a_second_deploy_changes_nothing(
        tmp_path: Path, plans: Path, smtp):
    (plans / "plan-3.yaml").unlink()
    (plans / "plan-4.yaml").unlink()
    with prefect_server(tmp_path, plans, smtp.url) as stack:
        dry = programme(stack, "deploy", "--dry-run")
        assert "work pool programme (process): would be created" in dry.stdout
        assert "would be added: track-plan/plan-1" in dry.stdout
        assert deployments_now(stack.api) == [] and automations(stack.api) == {}
        assert api_post(stack.api, "/work_pools/filter") == []  # --dry-run created nothing

        first = programme(stack, "deploy")
        assert sorted(line for line in first.stdout.splitlines() if line.startswith("added: ")
                      and "automation" not in line) == [
            "added: recover-runs/sweep", "added: track-plan/plan-1", "added: track-plan/plan-2",
            "added: weekly-digest/plan-1", "added: weekly-digest/plan-2",
            "added: weekly-digest/portfolio"]
        assert live_tracking(stack.api) == {"plan-1": 1, "plan-2": 1}
        assert set(automations(stack.api).values()) == {True} and len(automations(stack.api)) == 3
        [pool] = api_post(stack.api, "/work_pools/filter")
        assert (pool["name"], pool["type"]) == ("programme", "process")
        schedules = {(d["name"], s["schedule"]["cron"], s["schedule"]["timezone"])
                     for d in deployments_now(stack.api) for s in d["schedules"]}
        assert ("plan-1", "0 9 * * 1-5", "Europe/London") in schedules

        again = programme(stack, "deploy")
        assert "no changes: 6 deployments and 3 automations" in again.stdout, again.stdout

        # A plan file that does not load keeps its schedule; a plan file removed loses it.
        # A wrong plans folder is refused, not read as "every plan removed".
        wrong = programme(stack, "deploy", "--plans", str(tmp_path / "nowhere"), code=2)
        assert "no plans folder" in wrong.stderr
        (plans / "plan-1.yaml").write_text("id: plan-1\nmilestones: [\n", encoding="utf-8")
        broken = programme(stack, "deploy", code=3)  # partial: one file not loaded
        assert "no changes" in broken.stdout
        assert "plan-1.yaml" in broken.stderr and "deployments are kept" in broken.stderr
        (plans / "plan-1.yaml").write_text(plan_yaml(1), encoding="utf-8")
        (plans / "plan-2.yaml").unlink()
        dry = programme(stack, "deploy", "--dry-run")
        assert "would be removed: track-plan/plan-2" in dry.stdout
        assert live_tracking(stack.api) == {"plan-1": 1, "plan-2": 1}  # dry run: still there
        removed = programme(stack, "deploy")
        assert "removed: track-plan/plan-2" in removed.stdout
        assert "removed: weekly-digest/plan-2" in removed.stdout
        assert live_tracking(stack.api) == {"plan-1": 1}
        assert {d["name"] for d in deployments_now(stack.api)} == {"plan-1", "portfolio", "sweep"}


def test_serve_after_deploy_and_deploy_after_serve_never_leave_two_live_schedules(
        tmp_path: Path, plans: Path, smtp):
    with prefect_server(tmp_path, plans, smtp.url) as stack:
        programme(stack, "deploy")
        assert live_tracking(stack.api) == {f"plan-{n}": 1 for n in range(1, 5)}

        serving = start_serve(stack, worker=False)
        wait_for(lambda: live_tracking(stack.api) == {f"plan-{n}": 1 for n in range(1, 5)}, 60,
                 "one live schedule per plan after serve")
        owners = {d["name"] for d in deployments_now(stack.api) if not d["paused"]}
        assert "track-plan-1" in owners and "plan-1" not in owners  # the served one is live
        assert set(automations(stack.api).values()) == {False}  # deploy's recovery is off
        assert "paused 10 deployments of `programme deploy`" in (stack.logs / "serve.log").read_text()

        # Back to the workers while `programme serve` still runs (it pauses its own deployments
        # when it stops, too: Prefect's pause_on_shutdown).
        back = programme(stack, "deploy")
        assert "paused 9 deployments of `programme serve`" in back.stderr, back.stderr
        assert live_tracking(stack.api) == {f"plan-{n}": 1 for n in range(1, 5)}
        stop(serving)
        stack.serving = None
        assert live_tracking(stack.api) == {f"plan-{n}": 1 for n in range(1, 5)}
        owners = {d["name"] for d in deployments_now(stack.api) if not d["paused"]}
        assert "plan-1" in owners and "track-plan-1" not in owners
        assert set(automations(stack.api).values()) == {True}
        scheduled = api_post(stack.api, "/flow_runs/filter", {
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}})
        paused = {d["id"] for d in deployments_now(stack.api) if d["paused"]}
        assert [r for r in scheduled if r["deployment_id"] in paused] == []
        assert "no changes" in programme(stack, "deploy").stdout


def disable_automations(api: str) -> None:
    """Model the triggers service not seeing the runs (as when their Late events were lost)."""
    import json
    import urllib.request

    for a in api_post(api, "/automations/filter"):
        request = urllib.request.Request(f"{api}/automations/{a['id']}", method="PATCH",
                                         data=json.dumps({"enabled": False}).encode(),
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).close()


def sweep_now(api: str) -> dict:
    """A run of the `recover-runs/sweep` deployment, as its 5-minute schedule makes; waits for
    it and returns it."""
    [sweep] = [d for d in api_post(api, "/deployments/filter")
               if d["entrypoint"] == "flows.sweep:recover_runs"]
    run = api_post(api, f"/deployments/{sweep['id']}/create_flow_run", {})
    done = wait_for(lambda: next((r for r in runs(api, [run["id"]]) if r["state_type"] in (
        "COMPLETED", "FAILED", "CRASHED", "CANCELLED")), None), 120, "the recovery sweep's run",
        interval=1)
    assert done["state_type"] == "COMPLETED", done["state"]["message"]
    return done


def sweep_messages(api: str, run_id: str) -> list[str]:
    return [st["message"] or "" for st in api_get(api, f"/flow_run_states/?flow_run_id={run_id}")
            if "recovery sweep" in (st["message"] or "")]


def seconds_since(moment: datetime) -> float:
    """Seconds from `moment` (a time the Prefect server wrote, by this machine's clock: it runs
    here) to now."""
    from datetime import UTC

    return (datetime.now(UTC) - moment).total_seconds()


def test_the_sweep_reruns_the_runs_of_a_dead_worker_that_the_automations_never_saw(
        tmp_path: Path, plans: Path, smtp, pg_url: str):
    # The late-runs service on (Prefect's default): runs created while no worker has room go
    # Late first, the case in which the 200-plan benchmark lost the automations' events. The
    # automations are off, so only the sweep can bring the runs back.
    # And a healthy run that takes longer than the silence (its plan is slow to read) is left
    # alone: the sweep finds its heartbeats.
    (plans / "plan-slow.py").write_text(SLOW_PLAN.format(
        marker=str(tmp_path / "slow-once"), seconds=70), encoding="utf-8")
    with prefect_server(tmp_path, plans, smtp.url, now=IN_WINDOW, database_url=pg_url,
                        env={**FAST, "PROGRAMME_PLAN_TIMEOUT": "120"}) as stack:
        programme(stack, "deploy")
        disable_automations(stack.api)
        deployments = tracking_deployments(stack.api)
        slow_plan = deployments.pop("plan-slow")
        # A run left Running by a worker that died (its process gone, no heartbeat since): put
        # in that state through the API, as the dead worker left it.
        orphan = start_runs(stack.api, {"plan-4": deployments["plan-4"]}, as_of=NEXT_WEEK)["plan-4"]
        set_state(stack.api, orphan, "RUNNING")
        morning = start_runs(stack.api, deployments)
        wait_for(lambda: {r["state_name"] for r in runs(stack.api, morning.values())} == {"Late"},
                 90, "every run marked Late (no worker yet)", interval=1)

        # w1 takes runs and dies before starting them: they stay Pending (Submitting).
        first = start_worker(stack, "w1")
        taken = wait_for(lambda: [r for r in runs(stack.api, morning.values())
                                  if r["state_type"] == "PENDING"], 120,
                         "a Late run taken by w1, not started", interval=0.1)
        for pid in [first.pid, *descendants(first.pid)]:
            os.kill(pid, signal.SIGKILL)
        first.wait()
        killed = time.monotonic()
        start_worker(stack, "w2")
        stuck = {r["id"] for r in runs(stack.api, morning.values()) if r["state_type"] == "PENDING"}
        assert {r["id"] for r in taken} <= stuck
        slow = start_runs(stack.api, {"plan-slow": slow_plan})["plan-slow"]  # for w2, alive

        # The other runs complete on w2; w1's stay Pending and the orphan Running: nobody else
        # would ever take them.
        wait_for(lambda: sum(r["state_type"] == "COMPLETED" for r in runs(
            stack.api, morning.values())) == len(morning) - len(stuck), 150,
                 "every run but w1's done on w2", interval=1)
        assert {r["id"] for r in runs(stack.api, morning.values())
                if r["state_type"] == "PENDING"} == stuck
        assert runs(stack.api, [orphan])[0]["state_type"] == "RUNNING"
        # Past the start timeout and the silence (45 s each here), the sweep puts them back;
        # w2 runs them.
        wait_for(lambda: time.monotonic() - killed > 46, 60, "the start timeout", interval=1)
        started = datetime.fromisoformat(wait_for(lambda: runs(stack.api, [slow])[0]["start_time"],
                                                  60, "the slow run's start", interval=1))
        wait_for(lambda: seconds_since(started) > 47, 60, "the slow run past the silence",
                 interval=1)
        sweep = sweep_now(stack.api)
        [slow_seen] = runs(stack.api, [slow])
        judged = datetime.fromisoformat(sweep["end_time"])
        assert (judged - started).total_seconds() > 45  # it was old enough to be judged
        assert slow_seen["state_type"] == "RUNNING", slow_seen["state"]  # and still running
        assert sweep_messages(stack.api, slow) == []
        everything = [*morning.values(), orphan, slow]
        try:
            wait_for(lambda: all_completed(stack.api, everything), 150,
                     "every plan's run after the sweep", interval=1)
        except AssertionError:
            print(stack.tail())
            raise
        print(f"w1 killed holding {len(stuck)} Late run(s); every plan tracked "
              f"{time.monotonic() - killed:.1f} s later")
        for run_id in stuck:
            assert any("never started" in m for m in sweep_messages(stack.api, run_id))
            [again] = runs(stack.api, [run_id])
            assert again["labels"]["prefect.worker.name"] == "w2"
        assert any("no heartbeat" in m for m in sweep_messages(stack.api, orphan))
        assert runs(stack.api, [orphan])[0]["labels"]["prefect.worker.name"] == "w2"
        [slow_done] = runs(stack.api, [slow])
        assert slow_done["run_count"] == 1 and sweep_messages(stack.api, slow) == []
        assert datetime.fromisoformat(slow_done["end_time"]) - started > timedelta(seconds=60)
        assert sweep["state_type"] == "COMPLETED"
        rows = outbox_rows(pg_url)
        assert rows and Counter(r[1] for r in rows) == {"sent": len(rows)}
        ids = message_ids(smtp)
        assert None not in ids and max(ids.values()) == 1  # no kill mid-send here: none twice


def set_state(api: str, run_id: str, state_type: str) -> None:
    api_post(api, f"/flow_runs/{run_id}/set_state", {"state": {"type": state_type},
                                                    "force": True})


def test_the_sweep_judges_no_heartbeat_when_the_server_stores_no_events(
        tmp_path: Path, plans: Path, smtp, pg_url: str):
    # The event persister off: no heartbeat is stored, so "no heartbeat lately" proves nothing
    # and a Running run must not be rerun (it may be alive: rerunning it would run it twice).
    # A run taken and never started is still rerun: that rule needs no events. The two runs are
    # put in their states through the API, as a worker would. Silence 31 s (more than the 30 s
    # heartbeat), start timeout 10 s (the least Prefect takes for the automations); the sweep
    # itself waits 30 s for its own event before judging, so it judges past both.
    silence = 31
    with prefect_server(tmp_path, plans, smtp.url, now=IN_WINDOW, database_url=pg_url,
                        env={**FAST, "PROGRAMME_SILENCE_SECONDS": str(silence),
                             "PROGRAMME_START_TIMEOUT_SECONDS": "10"},
                        server_env={"PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false"}
                        ) as stack:
        programme(stack, "deploy")
        disable_automations(stack.api)
        deployments = tracking_deployments(stack.api)
        made = start_runs(stack.api, {p: deployments[p] for p in ("plan-1", "plan-2")})
        running, pending = made["plan-1"], made["plan-2"]
        set_state(stack.api, running, "RUNNING")
        set_state(stack.api, pending, "PENDING")
        start_worker(stack, "w1")
        sweep = sweep_now(stack.api)
        assert sweep["state_type"] == "COMPLETED"
        [seen] = runs(stack.api, [running])
        assert seen["state_type"] == "RUNNING"
        assert sweep_messages(stack.api, running) == []
        # not vacuous: the sweep judged after the silence, so only the guard kept the run
        judged = datetime.fromisoformat(sweep["end_time"])
        assert (judged - datetime.fromisoformat(seen["state"]["timestamp"])).total_seconds() > silence
        assert any("never started" in m for m in sweep_messages(stack.api, pending))
        log = (stack.logs / "w1.log").read_text()
        assert "not storing events" in log, log[-3000:]
        wait_for(lambda: all_completed(stack.api, [pending]), 120, "plan-2's rerun", interval=1)
