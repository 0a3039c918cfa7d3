"""Running tracking flows in this process (the embedded default), one plan after another."""

from __future__ import annotations

import time
from collections.abc import Callable

from .tracking import track_plan

GRAPH_WAIT = 30.0  # seconds at most to wait for the server to record every task run


def run_tracking(plan_ids: list[str], as_of: str | None, plans_dir: str | None, send: bool,
                 on_start: Callable[[str], None] = lambda _: None,
                 on_done: Callable[[str], None] = lambda _: None,
                 wait_for_graph: bool = True) -> list[dict]:
    """Track each plan; a failed plan is reported and does not stop the others."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    results, expected = [], {}
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        for plan_id in plan_ids:
            on_start(plan_id)
            state = track_plan(plan_id, as_of=as_of, plans_dir=plans_dir, send=send,
                               return_state=True)
            if state.is_completed():
                result = state.result()
                results.append(result)
                # sync, one per milestone, rate, queue, (send), publish
                expected[state.state_details.flow_run_id] = result["milestones"] + 4 + int(send)
            else:
                results.append({"plan": plan_id, "error": _why(state)})
            on_done(plan_id)
    if wait_for_graph and expected:
        complete = wait_for_task_runs(expected, GRAPH_WAIT)
        for result in results:
            result["graph_complete"] = complete
    return results


def wait_for_task_runs(expected: dict, timeout: float) -> bool:
    """Before the temporary server stops with the process: hand over the queued events, then
    poll (bounded) until it has recorded every task run of each flow run."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all(timeout=timeout)
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=list(expected))))
            final: dict = {}
            for run in runs:
                if run.state and run.state.is_final():
                    final[run.flow_run_id] = final.get(run.flow_run_id, 0) + 1
            if all(final.get(fid, 0) >= n for fid, n in expected.items()):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)


def _why(state) -> str:
    try:
        state.result()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return state.message or state.name
