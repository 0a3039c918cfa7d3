"""The JSON API: bearer tokens act as their person (a lead for any milestone of their plans, an
owner for their own), errors are JSON saying what and where, and property-based tests generated
from the OpenAPI schema (schemathesis) find no server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from programme.rules.model import Status
from programme.store.links import ApiTokens
from tests.web.conftest import make_site, stop_server


@pytest.fixture
def api(tmp_path, monkeypatch):
    site = make_site(tmp_path, monkeypatch)
    tokens = ApiTokens(site.store)
    site.extra = {who: tokens.create(who, 30, site.clock.now)[1] for who in ("lee", "ana", "tom")}
    revoked_id, revoked = tokens.create("ana", 30, site.clock.now)
    tokens.revoke(revoked_id, site.clock.now)
    site.extra["revoked"] = revoked
    yield site
    site.client.close()
    stop_server(site.server, site.thread)


def _auth(site, who: str | None) -> dict:
    if who is None:
        return {}
    token = site.extra.get(who, who)
    return {"Authorization": f"Bearer {token}"}


CHECKIN = "/api/v1/plans/carers-support/milestones/needs-assessment/checkins"

# who calls, what, expected status, who the history records
MATRIX = [
    ("nobody", None, "post", 401, None),
    ("a revoked token", "revoked", "post", 401, None),
    ("a made-up token", "prg_not-a-real-token", "post", 401, None),
    ("another person in the plan", "tom", "post", 403, None),
    ("the owner", "ana", "post", 201, "ana"),
    ("the lead", "lee", "post", 201, "lee"),
    ("nobody", None, "read", 401, None),
    ("another person in the plan", "tom", "read", 200, None),
    ("the owner", "ana", "read", 200, None),
    ("the lead", "lee", "read", 200, None),
]


@pytest.mark.parametrize("name, who, action, status, recorded_by", MATRIX,
                         ids=[f"{m[2]} by {m[0]}" for m in MATRIX])
def test_who_may_do_what(api, name, who, action, status, recorded_by):
    if action == "post":
        response = api.client.post(CHECKIN, json={"status": "in progress", "note": "started"},
                                   headers=_auth(api, who))
    else:
        response = api.client.get("/api/v1/plans/carers-support/milestones/needs-assessment",
                                  headers=_auth(api, who))
    assert response.status_code == status, response.text
    body = response.json()
    if status >= 400:
        assert set(body) >= {"error", "where"} and body["error"]
        if status == 401:
            assert response.headers["www-authenticate"] == "Bearer"
    history = api.history("needs-assessment")
    if recorded_by:
        [entry] = history
        assert (entry.by, entry.source, entry.status) == (recorded_by, "api", Status.IN_PROGRESS)
        assert body["recorded"]["by"] == recorded_by
    else:
        assert history == []


def test_plans_status_and_milestone_views(api):
    auth = _auth(api, "ana")
    plans = api.client.get("/api/v1/plans", headers=auth).json()
    assert [p["id"] for p in plans["plans"]] == ["carers-support"]
    assert plans["plans"][0]["you_own"] == ["needs-assessment", "options-appraisal"]
    status = api.client.get("/api/v1/plans/carers-support", headers=auth).json()
    assert status["plan"] == "carers-support" and len(status["milestones"]) == 3
    api.client.post(CHECKIN, json={"status": "done", "on": "2026-11-30"}, headers=auth)
    one = api.client.get("/api/v1/plans/carers-support/milestones/needs-assessment", headers=auth).json()
    assert one["milestone"]["status"] == "done" and one["milestone"]["done_on"] == "2026-11-30"
    assert one["history"][-1]["source"] == "api"


def test_errors_say_what_and_where(api):
    auth = _auth(api, "lee")
    cases = [
        ("get", "/api/v1/plans/nope", None, 404, "path: plan_id"),
        ("get", "/api/v1/plans/carers-support/milestones/nope", None, 404, "path: milestone_id"),
        ("post", CHECKIN, {"status": "finished"}, 422, "body.status"),
        ("post", CHECKIN, {"status": "blocked"}, 422, "body"),
        ("post", CHECKIN, {}, 422, "body"),
        ("post", CHECKIN, {"status": "done", "on": "2027-01-01"}, 422, "body"),
        ("post", CHECKIN, {"forecast": "not a date"}, 422, "body.forecast"),
    ]
    for method, path, body, status, where in cases:
        response = api.client.request(method, path, json=body, headers=auth)
        assert response.status_code == status, (path, body, response.text)
        assert response.json()["where"] == where, (path, body, response.json())
    assert "needs a reason" in api.client.post(CHECKIN, json={"status": "blocked"},
                                               headers=auth).json()["error"]
    assert api.history() == []


def test_an_owner_can_take_their_forecast_back(api):
    auth = _auth(api, "ana")
    milestone = "/api/v1/plans/carers-support/milestones/needs-assessment"
    response = api.client.post(CHECKIN, json={"forecast": "2026-12-18"}, headers=auth)
    assert response.status_code == 201, response.text
    assert api.client.get(milestone, headers=auth).json()["milestone"]["owner_forecast"] == \
        "2026-12-18"
    response = api.client.post(CHECKIN, json={"clear_forecast": True}, headers=auth)
    assert response.status_code == 201, response.text
    assert response.json()["recorded"]["forecast_cleared"] is True
    assert api.client.get(milestone, headers=auth).json()["milestone"]["owner_forecast"] is None
    both = api.client.post(CHECKIN, json={"clear_forecast": True, "forecast": "2026-12-18"},
                           headers=auth)
    assert both.status_code == 422 and "not both" in both.json()["error"]


@pytest.fixture
def api_schema(api):
    return schemathesis.openapi.from_dict(api.client.get("/openapi.json").json())


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, suppress_health_check=list(HealthCheck), deadline=None)
def test_the_api_never_answers_with_a_server_error(case, api):
    for who in ("lee", None, "tom"):
        response = case.call(base_url=api.url, headers=_auth(api, who))
        assert response.status_code < 500, (case.path, case.body, response.text[:500])
        content_type = response.headers.get("content-type") or [""]
        assert content_type[0].startswith("application/json")
