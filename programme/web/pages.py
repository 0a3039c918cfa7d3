"""The pages behind the links: the check-in page (GET shows it, only a POST with a valid CSRF
token records), the report page and the lead's own rating form. Opening a link changes nothing,
so a mail scanner that fetches every link (GET or HEAD, as often as it likes) records nothing
and uses nothing up."""

from __future__ import annotations

import contextlib

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from programme.rules.messages import ACT_FOR, CHECKIN, RATING, REPORT, when_words
from programme.rules.model import Rating
from programme.rules.workdays import plan_today, working_calendar
from programme.signing import token_hash
from programme.store.links import AlreadyPosted, Links
from programme.usecases.checkin import CheckInError, record_checkin
from programme.usecases.links import LinkRefused, LinkUse, contact, open_link, path
from programme.web.answers import Problem, confirmation, day_words, read_form
from programme.web.service import Service

router = APIRouter(include_in_schema=False)
FIELDS = ("choice", "done_on", "evidence", "forecast", "reason", "note")


def _service(request: Request) -> Service:
    return request.app.state.service


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _page(service: Service, name: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(service.render(name, **context), status_code=status)


def refused_page(service: Service, refusal: LinkRefused, plan_title: str | None = None) -> HTMLResponse:
    return _page(service, "refused.html.j2", refusal.status, title=refusal.title,
                 detail=refusal.detail, contact=refusal.contact, plan_title=plan_title)


def _too_many(service: Service) -> HTMLResponse:
    return _page(service, "refused.html.j2", 429, title="Too many tries",
                 detail="Links were tried from here too often. Wait a minute, then open the link "
                        "from your message again.", contact=None)


def _forbidden(service: Service, plan) -> HTMLResponse:
    return _page(service, "refused.html.j2", 403, title="This form has expired or was not ours",
                 detail="The page was open too long, or the form did not come from this "
                        "service. Open the link from your message again and answer there.",
                 contact=contact(plan))


def _open(service: Service, ws, request: Request, token: str, plan_id: str,
          milestone_id: str | None, purposes: tuple[str, ...]):
    """The link in use, or the response refusing it (a failure counts against the address)."""
    address = _client(request)
    if service.limiter.blocked(address):
        return None, _too_many(service)
    try:
        return open_link(ws, token, plan_id, milestone_id, purposes,
                         service.now()), None
    except LinkRefused as refusal:
        service.limiter.failed(address)
        return None, refused_page(service, refusal)


def _checkin_page(service: Service, ws, use: LinkUse, token: str, *, values: dict | None = None,
                  errors: list[Problem] | None = None, status: int = 200) -> HTMLResponse:
    now = service.now()
    plan, m = use.plan, use.milestone
    assert m is not None, "a check-in link is for a milestone"
    a = ws.state(plan, now, sync=False).assessment  # a GET writes nothing, not even a sync
    view = a.milestones[m.id]
    cal = working_calendar(plan.calendar)
    waiting = []
    for other in plan.milestones:
        if m.id in other.depends_on and a.milestones[other.id].is_open:
            owner = plan.people.get(other.owner)
            waiting.append({"title": other.title, "owner": owner.name if owner else other.owner,
                            "due": day_words(other.due)})
    st = view.status
    status_words = st.status.value.capitalize()
    if st.reason:
        status_words += f": {st.reason}"
    if st.forecast and st.forecast != m.due:
        status_words += f" (new date {day_words(st.forecast)})"
    form_key, csrf = service.csrf.issue(use.token_hash)
    today = plan_today(now, plan.timezone)
    lead = plan.people.get(plan.lead)
    errors = errors or []
    return _page(
        service, "checkin.html.j2", status, plan=plan, m=m, person=use.person,
        acting_for=use.acting_for_owner, owner_name=use.owner.name if use.owner else m.owner,
        when=when_words(cal, m.due, today).removeprefix("due "), status_words=status_words,
        waiting=waiting, today=today.isoformat(), today_words=day_words(today),
        has_forecast=bool(st.forecast and st.forecast != m.due), due_words=day_words(m.due),
        values=values or {"choice": "", "done_on": "", "evidence": "", "forecast": "",
                          "reason": "", "note": ""},
        errors=errors, error_for={**dict.fromkeys(FIELDS, ""),
                                  **{e.field.split("-")[0]: e.message for e in errors}},
        csrf=csrf, form_key=form_key, lead_name=lead.name if lead else plan.lead,
        action=path(use.link.purpose, plan.id, m.id, token), plan_title=plan.title,
        timezone=plan.timezone)


@router.api_route("/c/{plan_id}/{milestone_id}/{token}", methods=["GET", "HEAD"])
def checkin_page(plan_id: str, milestone_id: str, token: str, request: Request) -> Response:
    service = _service(request)
    ws = service.workspace()  # one per request: the plan files are read once, as they are now
    use, refusal = _open(service, ws, request, token, plan_id, milestone_id, (CHECKIN, ACT_FOR))
    if refusal is not None:
        return refusal
    return _checkin_page(service, ws, use, token)


@router.post("/c/{plan_id}/{milestone_id}/{token}")
async def checkin_post(plan_id: str, milestone_id: str, token: str, request: Request) -> Response:
    form = dict(await request.form())
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_checkin_post, plan_id, milestone_id, token, request, form)


def _checkin_post(plan_id: str, milestone_id: str, token: str, request: Request,
                  form: dict) -> Response:
    service = _service(request)
    address = _client(request)
    if service.limiter.blocked(address):
        return _too_many(service)
    link_hash = token_hash(token)
    form_key = str(form.get("form_key") or "")
    ws = service.workspace()
    if not service.csrf.check(str(form.get("csrf") or ""), link_hash, form_key):
        service.limiter.failed(address)
        try:
            plan = ws.plan(plan_id)
        except Exception:
            plan = None
        return _forbidden(service, plan)
    links = Links(service.store)
    earlier = links.form_result(form_key)
    if earlier:  # the same form again (double click, back button, a retry): show the first answer
        return _page(service, "confirmed.html.j2", result=earlier)
    use, refusal = _open(service, ws, request, token, plan_id, milestone_id, (CHECKIN, ACT_FOR))
    if refusal is not None:
        return refusal
    now = service.now()
    today = plan_today(now, use.plan.timezone)
    checkin, problems, values = read_form(form, use, today)
    if checkin is None:
        return _checkin_page(service, ws, use, token, values=values, errors=problems, status=400)
    try:
        recorded, said = record_checkin(ws, use.plan, checkin, now, service.follow_up(ws),
                                        form_key=form_key, link_hash=link_hash)
    except AlreadyPosted:
        return _page(service, "confirmed.html.j2",
                     result=links.form_result(form_key) or {
                         "headline": "Your answer was already received.", "next": [],
                         "again": None})
    except CheckInError as exc:
        return _checkin_page(service, ws, use, token, values=values,
                             errors=[Problem("choice-done", str(exc))],
                             status=400)
    result = confirmation(use, checkin, recorded, said, now)
    links.save_form_result(form_key, result, used=(link_hash, now))
    return _page(service, "confirmed.html.j2", result=result, plan_title=use.plan.title,
                 timezone=use.plan.timezone)


# -- the report page ---------------------------------------------------------------------------
@router.api_route("/r/{plan_id}/{token}", methods=["GET", "HEAD"])
def report_page(plan_id: str, token: str, request: Request) -> Response:
    service = _service(request)
    ws = service.workspace()
    use, refusal = _open(service, ws, request, token, plan_id, None, (REPORT, RATING))
    if refusal is not None:
        return refusal
    return HTMLResponse(_report_html(service, ws, use, token))


@router.post("/r/{plan_id}/{token}")
async def rating_post(plan_id: str, token: str, request: Request) -> Response:
    form = dict(await request.form())
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_rating_post, plan_id, token, request, form)


def _rating_post(plan_id: str, token: str, request: Request, form: dict) -> Response:
    service = _service(request)
    link_hash = token_hash(token)
    form_key = str(form.get("form_key") or "")
    if not service.csrf.check(str(form.get("csrf") or ""), link_hash, form_key):
        service.limiter.failed(_client(request))
        return _forbidden(service, None)
    ws = service.workspace()
    use, refusal = _open(service, ws, request, token, plan_id, None, (RATING,))
    if refusal is not None:
        return refusal
    values = {"rating": str(form.get("rating") or ""),
              "commentary": str(form.get("commentary") or "").replace("\x00", "").strip()}
    errors = []
    try:
        rating = Rating.parse(values["rating"])
    except (ValueError, KeyError):
        rating = None
        errors.append(Problem("rating-1", "Choose a delivery confidence rating"))
    if not values["commentary"]:
        errors.append(Problem("commentary", "Write a line of commentary to go with the rating"))
    if errors or rating is None:
        return HTMLResponse(_report_html(service, ws, use, token, values=values, errors=errors),
                            status_code=400)
    links = Links(service.store)
    # the rating and the form's idempotency key in one transaction: a resubmit records once
    with contextlib.suppress(AlreadyPosted):
        links.rate_once(form_key, link_hash, use.plan.id, rating, values["commentary"],
                        service.now(), use.person.id)
    saved = f"Your rating, {rating.label}, is recorded and shows in the next report and digest."
    return HTMLResponse(_report_html(service, ws, use, token, saved=saved))


def _report_html(service: Service, ws, use: LinkUse, token: str, *, values: dict | None = None,
                 errors: list | None = None, saved: str | None = None) -> str:
    from markupsafe import Markup

    from programme.reports import render_report
    from programme.usecases.digest import collect

    html = render_report(collect(ws, use.plan, service.now(), sync=False), "html")
    if use.link.purpose != RATING:
        return html
    form_key, csrf = service.csrf.issue(use.token_hash)
    form = service.render(
        "rating.html.j2", person=use.person, ratings=[r.label for r in reversed(Rating)],
        values=values or {"rating": "", "commentary": ""}, errors=errors or [], saved=saved,
        csrf=csrf, form_key=form_key, action=path(RATING, use.plan.id, None, token))
    return html.replace("</body>", Markup(form) + "</body>", 1)

