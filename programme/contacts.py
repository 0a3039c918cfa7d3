"""People's contacts: a bare email address, an Apprise URL or `config:PATH#TAG`.

Apprise URLs carry tokens and passwords; `mask_url` and `mask_text` make them safe to show or
store.

`mask_url` keeps what tells a reader which channel it is (scheme, host, a mailbox's address)
and replaces everything that could be a credential: passwords, path segments (webhook tokens),
query values other than a few harmless ones. `mask_text` masks every known contact, and any
other URL-looking thing, inside an error message.
"""

from __future__ import annotations

import hashlib
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


_WORD = re.compile(r"[A-Za-z0-9_-]{4,}")


def mask_malformed(text: str) -> str:
    """A contact that is neither an email address nor a usable URL, safe to show: its scheme
    and punctuation kept (so a missing '/' shows), every run of four or more letters and
    digits after the scheme (where tokens live) replaced. What looks like an email is kept."""
    text = text.strip()
    if "@" in text and not any(c in text for c in "/:?"):
        return text
    scheme = re.match(r"^[a-z][a-z0-9+.-]*", text, re.IGNORECASE)
    head = scheme.group(0) if scheme else ""
    return head + _WORD.sub("***", text[len(head):])


def contact_ref(contact: str) -> str:
    """How the outbox names a contact without holding its secret: the masked contact, plus a
    short fingerprint when masking hid something (two Slack webhooks both mask to
    'slack://***'). The real contact is read from the plan when the message is sent."""
    text = contact.strip()
    masked = mask_url(text)
    if masked == text:
        return masked
    return f"{masked} ~{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"


def mask_text(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """`text` with each of `secrets` and every URL in it masked."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and not is_email(secret):
            text = text.replace(secret, mask_url(secret))
    return _URL.sub(lambda m: mask_url(m.group(0)) if "***" not in m.group(0) else m.group(0), text)
