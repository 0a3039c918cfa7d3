"""What every response of the check-in service carries, and what every form post must.

* Headers: a Content-Security-Policy that allows only the service's own origin (pages need no
  JavaScript; the report page, rendered for e-mail and files too, keeps its inline styles, and
  the API docs page runs Swagger UI's script served from here), `X-Frame-Options: DENY`,
  `Referrer-Policy: no-referrer` (a link's token is in its URL), `Cache-Control: no-store`,
  `X-Content-Type-Options: nosniff`.
* CSRF: each rendered form carries a signed token (itsdangerous, keyed with the server secret)
  binding the link it was rendered for and the form's idempotency key; a post without it, with
  another link's, a tampered or an expired one is refused with 403. Stateless, so any of
  several web processes can check what another rendered.
* Failed link lookups are rate-limited per client address: after `LIMIT` refusals in `WINDOW`
  seconds the address gets 429 for the rest of the window. Kept per process (a guard against
  guessing, which needs billions of tries against 256-bit tokens, not a record of anything), so
  behind N processes an address gets at most N × LIMIT.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

STRICT_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
              "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
REPORT_CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
              "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")

HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def csp_for(path: str) -> str:
    if path.startswith("/r/"):
        return REPORT_CSP
    if path in ("/docs", "/docs/oauth2-redirect") or path.startswith("/docs-assets/"):
        return DOCS_CSP
    return STRICT_CSP


class SecurityHeaders:
    """Pure ASGI middleware (no response buffering) adding the headers above to every answer."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = csp_for(scope.get("path", ""))

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"cache-control",)]
                headers += [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
                headers.append((b"content-security-policy", csp.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class Csrf:
    """Signed form tokens: `issue(link_hash)` gives a fresh form key and its CSRF token;
    `check(token, link_hash)` gives back the form key or None."""

    def __init__(self, secret: bytes, max_age: int = 7 * 24 * 3600):
        self.serializer = URLSafeTimedSerializer(secret, salt="programme-checkin-form")
        self.max_age = max_age

    def issue(self, link_hash: str) -> tuple[str, str]:
        form_key = secrets.token_urlsafe(18)
        return form_key, self.serializer.dumps({"l": link_hash[:32], "k": form_key})

    def check(self, token: str | None, link_hash: str, form_key: str | None) -> bool:
        if not token or not form_key:
            return False
        try:
            data = self.serializer.loads(token, max_age=self.max_age)
        except (BadSignature, SignatureExpired):
            return False
        return (isinstance(data, dict) and data.get("l") == link_hash[:32]
                and secrets.compare_digest(str(data.get("k", "")), form_key))


class FailureLimiter:
    """At most `limit` failed lookups per client address per `window` seconds."""

    def __init__(self, limit: int = 20, window: float = 60.0, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        q = self._failures.setdefault(address, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, address: str) -> bool:
        with self._lock:
            return len(self._recent(address, self.clock())) >= self.limit

    def failed(self, address: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent(address, now).append(now)
            if len(self._failures) > 10_000:  # forget the quietest addresses
                for key in [k for k, q in self._failures.items() if not q][:5_000]:
                    del self._failures[key]
