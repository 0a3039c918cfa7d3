"""Real servers for the chase tests: an SMTP server (aiosmtpd) and an HTTP server for json://
webhooks, both on 127.0.0.1 and a free port. The small plan with a full cast of roles that
these tests share is `make_plan` in tests/factory.py."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    rcpt: tuple[str, ...]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def body(self, kind: str) -> str:
        part = self.message.get_body(preferencelist=(kind,))
        return part.get_content() if part is not None and part.get_content_type() == f"text/{kind}" \
            else ""


@dataclass
class SmtpServer:
    """aiosmtpd on a fixed free port that can be stopped ("down") and started again."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    tls_context: object = None  # an ssl.SSLContext: STARTTLS required, mailtos:// URL
    _controller: object = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        server = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):
                msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with server._lock:
                    server.received.append(Received(tuple(envelope.rcpt_tos), msg))
                return "250 OK"

        tls = {"tls_context": self.tls_context, "require_starttls": True} if self.tls_context else {}
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **tls)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def take(self) -> list[Received]:
        with self._lock:
            out, self.received[:] = list(self.received), []
        return out

    @property
    def url(self) -> str:
        if self.tls_context:
            return f"mailtos://127.0.0.1:{self.port}?from=chaser@example.gov.uk&mode=starttls"
        return f"mailto://127.0.0.1:{self.port}?from=chaser@example.gov.uk"


@pytest.fixture
def smtp() -> SmtpServer:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@dataclass
class WebhookServer:
    posts: list[dict] = field(default_factory=list)
    port: int = 0
    _httpd: ThreadingHTTPServer | None = None

    def start(self) -> None:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                size = int(self.headers.get("Content-Length", 0))
                hook.posts.append({"path": self.path, "json": json.loads(self.rfile.read(size))})
                self.send_response(200)
                self.end_headers()

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
def webhook() -> WebhookServer:
    server = WebhookServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fast_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apprise builds an SSL context per email even on a plain connection; with the CA folder
    instead of the bundle OpenSSL loads certificates lazily (see bench/README.md)."""
    monkeypatch.setenv("SSL_CERT_FILE", "")  # empty, not /nonexistent: httpx would open that
    monkeypatch.setenv("SSL_CERT_DIR", "/etc/ssl/certs")
    monkeypatch.delenv("PROGRAMME_SMTP_URL", raising=False)
    monkeypatch.delenv("PROGRAMME_TEMPLATES", raising=False)
