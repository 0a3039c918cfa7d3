"""Plain data views of an assessment (for --json, artifacts and templates)."""

from __future__ import annotations

from typing import Any

from programme.rules.assess import PlanState
from programme.rules.scales import definition


def milestone_json(state: PlanState, mid: str) -> dict[str, Any]:
    v = state.assessment.milestones[mid]
    m = v.milestone
    base = state.baseline.get(mid) if state.baseline else None
    return {
        "id": m.id, "title": m.title, "owner": m.owner, "phase": m.phase,
        "due": m.due.isoformat(), "forecast": v.forecast.isoformat() if v.forecast else None,
        "baseline_due": base.isoformat() if base else None,
        "slip_working_days": v.slip, "working_days_to_due": v.days_to_due,
        "status": v.status.status.value, "state": v.state, "states": list(v.states),
        "rating": v.rating.label if v.rating is not None else None,
        "blocked_reason": v.status.reason, "owner_forecast":
            v.status.forecast.isoformat() if v.status.forecast else None,
        "done_on": v.status.done_on.isoformat() if v.status.done_on else None,
        "depends_on": list(m.depends_on), "critical": v.critical, "driver": v.driver,
    }


def plan_json(state: PlanState) -> dict[str, Any]:
    a = state.assessment
    o = a.overall
    lead = state.lead_rating
    return {
        "plan": state.plan.id, "title": state.plan.title, "as_of": a.now.isoformat(),
        "today": a.today.isoformat(), "rating": o.rating.label, "rag": o.rating.rag,
        "rating_scale": state.plan.rating_scale,
        "rating_definition": definition(o.rating, state.plan.rating_scale),
        "rating_reasons": list(o.reasons),
        "lead_rating": {"rating": lead.rating.label, "commentary": lead.commentary,
                        "at": lead.at.isoformat(), "by": lead.by} if lead else None,
        "done": o.done, "total": o.total,
        "end_due": o.due.isoformat() if o.due else None,
        "end_forecast": o.forecast.isoformat() if o.forecast else None,
        "end_slip_working_days": o.end_slip, "critical_path": list(a.critical_path),
        "phases": [{"id": g.id, "title": g.title, "rating": g.rating.label,
                    "reasons": list(g.reasons), "done": g.done, "total": g.total,
                    "forecast": g.forecast.isoformat() if g.forecast else None,
                    "end_slip_working_days": g.end_slip} for g in a.phases],
        "milestones": [milestone_json(state, mid) for mid in a.milestones],
    }


def portfolio_json(states: list[PlanState]) -> dict[str, Any]:
    return {"plans": [plan_json(s) for s in states]}
