"""Running tracking flows in this process (the embedded default), one plan after another."""

from __future__ import annotations

from collections.abc import Callable

from .tracking import track_plan


def run_tracking(plan_ids: list[str], as_of: str | None, plans_dir: str | None, send: bool,
                 on_start: Callable[[str], None] = lambda _: None,
                 on_done: Callable[[str], None] = lambda _: None) -> list[dict]:
    """Track each plan; a failed plan is reported and does not stop the others."""
    results = []
    for plan_id in plan_ids:
        on_start(plan_id)
        try:
            results.append(track_plan(plan_id, as_of=as_of, plans_dir=plans_dir, send=send))
        except Exception as exc:
            results.append({"plan": plan_id, "error": f"{type(exc).__name__}: {exc}"})
        on_done(plan_id)
    return results
