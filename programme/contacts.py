"""People's contacts: a bare email address, an Apprise URL or `config:PATH#TAG`.

Apprise URLs carry tokens and passwords; `mask_url` and `mask_text` make them safe to show or
store.

A GOV.UK Notify API key (PROGRAMME_NOTIFY_API_KEY, or anything shaped like one) is masked by
`mask_text` wherever it appears.

`mask_url` keeps what tells a reader which channel it is (scheme, host, a mailbox's address)
and replaces everything that could be a credential: passwords, path segments (webhook tokens),
query values other than a few harmless ones. `mask_text` masks every known contact, and any
other URL-looking thing, inside an error message.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, urlsplit

_SAFE_QUERY = {"to", "from", "cc", "bcc", "format", "mode", "name", "tag", "smtp"}
_URL = re.compile(r"\b[a-z][a-z0-9+.-]{1,20}://[^\s'\"<>]+", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s/:]+@[^@\s/:]+\.[^@\s/:]+$")


def is_email(text: str) -> bool:
    """A bare email address (sent through PROGRAMME_SMTP_URL), as opposed to an Apprise URL."""
    return bool(_EMAIL.match(text.strip()))


def mask_url(url: str) -> str:
    """'slack://T000/B000/XXXX/#comms' -> 'slack://***'; bare emails are returned unchanged."""
    text = url.strip()
    if is_email(text):
        return text
    if text.startswith("config:"):
        path, _, tags = text[len("config:"):].partition("#")
        return f"config:{path}" + (f"#{tags}" if tags else "")
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "***"
    if not parts.scheme:
        return "***"
    if parts.scheme.lower() in ("mailto", "mailtos"):
        user = f"{parts.username}:***@" if parts.password else ""
        query = "&".join(f"{k}={v if k.lower() in _SAFE_QUERY else '***'}"
                         for k, v in parse_qsl(parts.query))
        return f"{parts.scheme}://{user}{host}{port}" + (f"?{query}" if query else "")
    if parts.scheme.lower() in ("http", "https", "json", "jsons", "xml", "xmls", "form", "forms"):
        return f"{parts.scheme}://{host}{port}/***" if parts.path.strip("/") or parts.query \
            else f"{parts.scheme}://{host}{port}"
    return f"{parts.scheme}://***"


# A GOV.UK Notify API key: key name, service id (UUID) and secret (UUID), joined by dashes.
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_NOTIFY_KEY = re.compile(rf"(?:[\w.-]*?-)?{_UUID}-{_UUID}", re.IGNORECASE)
NOTIFY_KEY_ENV = "PROGRAMME_NOTIFY_API_KEY"


def mask_text(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """`text` with each of `secrets`, the GOV.UK Notify API key and every URL in it masked."""
    key = os.environ.get(NOTIFY_KEY_ENV, "").strip()
    if key:
        text = text.replace(key, "***").replace(key[-36:], "***")
    text = _NOTIFY_KEY.sub("***", text)
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and not is_email(secret):
            text = text.replace(secret, mask_url(secret))
    return _URL.sub(lambda m: mask_url(m.group(0)) if "***" not in m.group(0) else m.group(0), text)
