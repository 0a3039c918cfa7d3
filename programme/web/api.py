"""The JSON API under /api/v1 (OpenAPI at /openapi.json, docs at /docs).

A bearer token from `programme token create --person ID` acts as its person: anyone in a plan's
people may read it; the plan's lead may check in on any of its milestones, an owner on their
own. Errors are JSON saying what and where: {"error": ..., "where": ...} with 401 (no or bad
token), 403 (not yours), 404 (no such plan or milestone for you), 422 (the check-in cannot be
recorded). A check-in goes through the same use case as the page and the command line.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from programme.rules.model import Plan, Status
from programme.signing import token_hash
from programme.store.links import ApiTokens
from programme.usecases.checkin import CheckIn, CheckInError, record_checkin
from programme.usecases.views import milestone_json, plan_json
from programme.usecases.workspace import Workspace, WorkspaceError
from programme.web.service import Service

bearer = HTTPBearer(auto_error=False, description="A token from `programme token create`.")


class ApiError(Exception):
    def __init__(self, status: int, message: str, where: str):
        super().__init__(message)
        self.status, self.message, self.where = status, message, where


class ErrorBody(BaseModel):
    error: str = Field(description="What is wrong, in one line.")
    where: str = Field(description="Where: the header, path part or body field concerned.")


class CheckInBody(BaseModel):
    """One check-in. Give a status, a forecast date or a note (or several)."""

    status: Literal["not started", "in progress", "done", "blocked", "dropped"] | None = None
    forecast: date | None = Field(None, description="The owner's own date for it.")
    clear_forecast: bool = Field(False, description="Take the owner's forecast back: the due "
                                 "date stands again (not with forecast).")
    note: str | None = Field(None, max_length=4000)
    reason: str | None = Field(None, max_length=2000, description="Why it is blocked.")
    on: date | None = Field(None, description="The day it happened, when not today.")


class Who(BaseModel):
    person: str
    name: str


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No token, or not a valid one"},
    403: {"model": ErrorBody, "description": "The token's person may not do this"},
    404: {"model": ErrorBody, "description": "No such plan or milestone for this person"}}

router = APIRouter(prefix="/api/v1", tags=["plans"], responses=ERRORS)


def _service(request: Request) -> Service:
    return request.app.state.service


def person(request: Request,
           credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
    """The person the bearer token acts as."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ApiError(401, "send a bearer token: Authorization: Bearer <token from "
                            "`programme token create`>", "Authorization header")
    service = _service(request)
    row = ApiTokens(service.store).active(token_hash(credentials.credentials), service.now())
    if row is None:
        raise ApiError(401, "this token is not known, has expired or was revoked",
                       "Authorization header")
    return row.person


def _plan(ws: Workspace, plan_id: str, who: str) -> Plan:
    try:
        plan = ws.plan(plan_id)
    except WorkspaceError:
        plan = None
    if plan is None or who not in plan.people:
        raise ApiError(404, f"no plan '{plan_id}' for {who}", "path: plan_id")
    return plan


def _milestone(plan: Plan, milestone_id: str) -> None:
    if milestone_id not in plan.by_id:
        raise ApiError(404, f"no milestone '{milestone_id}' in plan '{plan.id}'",
                       "path: milestone_id")


def _entry_json(e) -> dict[str, Any]:
    return {"at": e.at.isoformat(), "status": e.status.value,
            "previous": e.previous.value if e.previous else None, "by": e.by, "source": e.source,
            "forecast": e.forecast.isoformat() if e.forecast else None, "note": e.note,
            "reason": e.reason, "happened_on": e.happened_on.isoformat() if e.happened_on else None,
            "forecast_cleared": e.forecast_cleared}


@router.get("/plans", summary="The plans this person is in")
def list_plans(request: Request, who: str = Depends(person)) -> dict[str, Any]:
    service = _service(request)
    plans = [p for p in service.workspace().plans() if who in p.people]
    return {"person": who, "plans": [
        {"id": p.id, "title": p.title, "lead": p.lead, "you_lead": p.lead == who,
         "you_own": [m.id for m in p.milestones if m.owner == who]} for p in plans]}


@router.get("/plans/{plan_id}", summary="A plan's status (as `programme status --json`)")
def plan_status(plan_id: str, request: Request, who: str = Depends(person)) -> dict[str, Any]:
    service = _service(request)
    ws = service.workspace()
    plan = _plan(ws, plan_id, who)
    return plan_json(ws.state(plan, service.now()))


@router.get("/plans/{plan_id}/milestones/{milestone_id}", summary="A milestone and its history")
def milestone(plan_id: str, milestone_id: str, request: Request,
              who: str = Depends(person)) -> dict[str, Any]:
    service = _service(request)
    ws = service.workspace()
    plan = _plan(ws, plan_id, who)
    _milestone(plan, milestone_id)
    state = ws.state(plan, service.now())
    return {"plan": plan.id, "milestone": milestone_json(state, milestone_id),
            "history": [_entry_json(e) for e in ws.store.history(plan.id, milestone_id)]}


@router.post("/plans/{plan_id}/milestones/{milestone_id}/checkins", status_code=201,
             summary="Record a check-in",
             responses={422: {"model": ErrorBody, "description": "It cannot be recorded"}})
def post_checkin(plan_id: str, milestone_id: str, body: CheckInBody, request: Request,
                 who: str = Depends(person)) -> dict[str, Any]:
    service = _service(request)
    ws = service.workspace()
    plan = _plan(ws, plan_id, who)
    _milestone(plan, milestone_id)
    m = plan.by_id[milestone_id]
    if who != plan.lead and who != m.owner:
        owner = plan.people.get(m.owner)
        raise ApiError(403, f"only the milestone's owner ({owner.name if owner else m.owner}) or "
                            f"the plan's lead may check in on '{milestone_id}'", "Authorization header")
    for name in ("note", "reason"):
        if "\x00" in (getattr(body, name) or ""):
            raise ApiError(422, f"{name} may not contain NUL characters", f"body: {name}")
    checkin = CheckIn(milestone_id, Status(body.status) if body.status else None, body.forecast,
                      body.note, body.reason, body.on, who, "api",
                      clear_forecast=body.clear_forecast)
    try:
        recorded, said = record_checkin(ws, plan, checkin, service.now(), service.follow_up(ws))
    except CheckInError as exc:
        raise ApiError(422, str(exc), "body") from None
    return {"recorded": _entry_json(recorded.entry),
            "startable": [m.id for m in recorded.startable],
            "rating": {"before": recorded.before.rating.label, "after": recorded.after.rating.label},
            "follow_ups": said, "warnings": list(recorded.warnings)}
