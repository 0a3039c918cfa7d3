"""GOV.UK Notify as a channel, against a real local HTTP server speaking Notify's API (the
client's base URL pointed at it): the request bodies for an email and a text message, the JWT
in the Authorization header (checked with PyJWT against the key), a 429 retried through the
outbox until it is accepted, and a 400 ending as failed with Notify's own message. The store
runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pendulum
import pytest
from factory import PEOPLE, make_plan, ms

from notifications.apprise_dispatch import AppriseDispatcher
from notifications.notify import notify_url
from programme.store import Store
from programme.store.outbox import FAILED, PENDING, SENT, Outbox
from programme.usecases.chase import dispatch_pending, run_chase
from programme.usecases.workspace import Workspace

NOW = pendulum.datetime(2026, 8, 19, 10, tz="Europe/London")  # Wed: 'report' is 3 days overdue
SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"programme_test-{SERVICE_ID}-{SECRET}"
EMAIL_TEMPLATE, SMS_TEMPLATE = str(uuid.uuid4()), str(uuid.uuid4())
RATE_LIMITED = (429, {"errors": [{"error": "RateLimitError", "message": "Exceeded rate limit for "
                                  "key type LIVE of 3000 requests per 60 seconds"}],
                      "status_code": 429})
TEAM_ONLY = (400, {"errors": [{"error": "BadRequestError", "message": "Can't send to this "
                               "recipient using a team-only API key"}], "status_code": 400})


@dataclass
class NotifyServer:
    """POST /v2/notifications/email and /sms as Notify answers them (201 and a notification),
    or with the scripted (status, body) answers queued in `answers`, first come first served."""

    requests: list[dict] = field(default_factory=list)
    answers: list[tuple[int, dict]] = field(default_factory=list)
    port: int = 0
    _httpd: ThreadingHTTPServer | None = None

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                size = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(size))
                server.requests.append({"path": self.path, "json": body,
                                        "authorization": self.headers.get("Authorization", ""),
                                        "content_type": self.headers.get("Content-type", "")})
                if server.answers:
                    status, answer = server.answers.pop(0)
                elif self.path in ("/v2/notifications/email", "/v2/notifications/sms"):
                    status, answer = 201, {"id": str(uuid.uuid4()), "reference": None,
                                           "content": {"body": body["personalisation"]["body"]},
                                           "template": {"id": body["template_id"], "version": 1}}
                else:
                    status, answer = 404, {"errors": [{"error": "NotFound",
                                                       "message": "no such endpoint"}]}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()


@pytest.fixture
def notify(monkeypatch):
    server = NotifyServer()
    server.start()
    monkeypatch.setenv("PROGRAMME_NOTIFY_BASE_URL", f"http://127.0.0.1:{server.port}")
    monkeypatch.setenv("PROGRAMME_NOTIFY_API_KEY", API_KEY)
    monkeypatch.setenv("PROGRAMME_NOTIFY_EMAIL_TEMPLATE", EMAIL_TEMPLATE)
    monkeypatch.setenv("PROGRAMME_NOTIFY_SMS_TEMPLATE", SMS_TEMPLATE)
    yield server
    server.stop()


@pytest.fixture
def ws(store_url, tmp_path):
    workspace = Workspace(Store(store_url), tmp_path)
    yield workspace
    workspace.store.close()


def notify_plan():
    people = dict(PEOPLE)
    people["ana"] = replace(people["ana"], contacts=(notify_url("email", "ana@example.gov.uk"),))
    people["bo"] = replace(people["bo"], contacts=(notify_url("sms", "07700900123"),))
    return make_plan(ms("report", date(2026, 8, 14), title="Needs report"), people=people)


def rows(ws):
    return {r.recipient: r for r in Outbox(ws.store).rows(plan_id="p")}


def test_email_and_text_message_go_to_notify_with_the_right_bodies_and_a_signed_jwt(ws, notify):
    before = int(time.time())
    result = run_chase(ws, notify_plan(), NOW, AppriseDispatcher(delivery="live"))
    assert (result.sent, result.failed) == (2, 0), result.errors
    by_path = {r["path"]: r for r in notify.requests}
    assert set(by_path) == {"/v2/notifications/email", "/v2/notifications/sms"}
    email = by_path["/v2/notifications/email"]["json"]
    assert email["email_address"] == "ana@example.gov.uk"
    assert email["template_id"] == EMAIL_TEMPLATE
    assert email["personalisation"]["subject"].startswith("Overdue: Needs report")
    body = email["personalisation"]["body"]
    assert body.startswith("Hello Ana Lee,") and "due Friday 14 August, 3 working days overdue" \
        in body and "Check in: http://127.0.0.1:8765/c/p/report/" in body  # the plain-text email
    sms = by_path["/v2/notifications/sms"]["json"]
    assert sms["phone_number"] == "07700900123" and sms["template_id"] == SMS_TEMPLATE
    text = sms["personalisation"]["body"]
    assert text.startswith("Escalated to you: Needs report") and "\n" not in text.strip()
    assert len(text) < len(body)  # the short form
    for request in notify.requests:
        scheme, token = request["authorization"].split(" ", 1)
        assert scheme == "Bearer"
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        assert claims["iss"] == SERVICE_ID
        assert before - 5 <= claims["iat"] <= int(time.time()) + 5
        assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
        assert request["content_type"] == "application/json"
    assert {r.state for r in rows(ws).values()} == {SENT}


def test_a_429_is_retried_through_the_outbox_and_then_accepted(ws, notify):
    notify.answers.append(RATE_LIMITED)
    dispatcher = AppriseDispatcher(delivery="live")
    plan = make_plan(ms("report", date(2026, 8, 14), title="Needs report"),
                     people={**PEOPLE, "ana": replace(PEOPLE["ana"], contacts=(
                         notify_url("email", "ana@example.gov.uk"),)), "bo": replace(
                         PEOPLE["bo"], contacts=())})
    first = run_chase(ws, plan, NOW, dispatcher)
    ana = rows(ws)["ana"]
    assert first.failed >= 1 and ana.state == PENDING and ana.attempts == 1
    assert "Exceeded rate limit for key type LIVE" in ana.last_error
    assert SECRET not in ana.last_error and SERVICE_ID not in ana.last_error
    assert dispatch_pending(ws, dispatcher, NOW).sent == 0  # not due again yet
    later = dispatch_pending(ws, dispatcher, NOW.add(minutes=2))
    assert later.sent == 1
    assert rows(ws)["ana"].state == SENT
    emails = [r for r in notify.requests if r["path"] == "/v2/notifications/email"]
    assert len(emails) == 2 and emails[0]["json"] == emails[1]["json"]


def test_a_400_ends_as_failed_at_once_with_notifys_message(ws, notify):
    notify.answers.append(TEAM_ONLY)
    plan = replace(notify_plan(), people={**notify_plan().people, "bo": replace(
        PEOPLE["bo"], contacts=())})
    result = run_chase(ws, plan, NOW, AppriseDispatcher(delivery="live"))
    ana = rows(ws)["ana"]
    assert ana.state == FAILED and ana.attempts == 1  # retrying cannot help
    assert "GOV.UK Notify refused the email (400): Can't send to this recipient using a " \
           "team-only API key" in ana.last_error
    assert API_KEY not in ana.last_error and SECRET not in ana.last_error
    assert any("team-only" in e for e in result.errors)
    assert dispatch_pending(ws, AppriseDispatcher(delivery="live"),
                            NOW.add(hours=7)).sent == 0
    assert len(notify.requests) == 1


def test_without_an_api_key_nothing_is_sent_and_the_row_says_why(ws, notify, monkeypatch):
    monkeypatch.delenv("PROGRAMME_NOTIFY_API_KEY")
    run_chase(ws, notify_plan(), NOW, AppriseDispatcher(delivery="live"))
    ana = rows(ws)["ana"]
    assert ana.state == FAILED and "PROGRAMME_NOTIFY_API_KEY is not set" in ana.last_error
    assert notify.requests == []
