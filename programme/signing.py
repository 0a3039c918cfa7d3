"""The server secret, and the tokens made from it: link tokens, their hashes, form signatures.

Why link tokens are derived, not drawn: a link must be issued when its message is queued (so a
resend after an outage carries the same link), yet the outbox row that holds the message is in
the database, and only a token's hash may be stored. So a link token is
HMAC-SHA256(secret, purpose, outbox key, person): 256 bits that nobody without the secret can
guess or forge, recomputed from the outbox row when the message is rendered at send time, and
never written down anywhere. The `links` table keeps only SHA-256(token) with who it was sent
to, for which plan and milestone, and when it expires, so the row can be revoked or expire on
its own. Changing the secret makes every link already sent unknown (a clear 404 page).

The secret is `PROGRAMME_SECRET_KEY`, or else a random one generated on first use into
`<data folder>/secret.key` with mode 0600 (created exclusively, so two processes starting at
once agree on one). Several web processes behind one proxy share it through the environment or
the data folder: nothing lives in a process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from programme.config import data_dir

SECRET_ENV = "PROGRAMME_SECRET_KEY"
PUBLIC_URL_ENV = "PROGRAMME_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8765"
SECRET_FILE = "secret.key"


def public_url() -> str:
    """Where the check-in service is reached from a person's mail client (no trailing slash)."""
    return (os.environ.get(PUBLIC_URL_ENV) or DEFAULT_PUBLIC_URL).rstrip("/")


def secret_key() -> bytes:
    """PROGRAMME_SECRET_KEY, or the data folder's secret file (made, 0600, on first use)."""
    explicit = os.environ.get(SECRET_ENV)
    if explicit:
        return explicit.encode()
    path = data_dir() / SECRET_FILE
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it meanwhile: use theirs
        return _read(path)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(48) + "\n")
    return _read(path)


def _read(path: Path) -> bytes:
    text = path.read_text().strip()
    if not text:  # written by another process this instant
        import time

        for _ in range(50):
            time.sleep(0.01)
            text = path.read_text().strip()
            if text:
                break
    return text.encode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def link_token(purpose: str, message_key: str, person: str, secret: bytes | None = None) -> str:
    """The token of the link of `purpose` sent to `person` with the outbox message `message_key`
    (43 URL-safe characters, 256 bits)."""
    mac = hmac.new(secret or secret_key(), "\n".join((purpose, message_key, person)).encode(),
                   hashlib.sha256)
    return _b64(mac.digest())


def new_token(prefix: str = "") -> str:
    """A random token (256 bits) for API bearer tokens."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the store keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()
