"""The local sink: where bare email addresses go when no mail server is configured.

A custom Apprise notification (`programmesink://`, made with `@apprise.decorators.notify`)
that files each message in a Maildir under the data folder (`$PROGRAMME_HOME/sink` by default),
so a fresh install shows exactly what would have been sent, readable with any mail client
(`mutt -f ~/.local/share/programme/sink`) or as plain files in sink/new/: an email as the real
MIME message (the HTML email with its plain-text alternative), a chat channel's message as the
short chat body it would get, filed under the channel's masked address.
"""

from __future__ import annotations

import email
import email.policy
import json
import mailbox
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import quote

import apprise

SCHEMA = "programmesink"  # Apprise schemas cannot contain "-" (2.0.1 rejects programme-sink://)


def sink_url(address: str, folder: Path) -> str:
    return f"{SCHEMA}://localhost/?to={quote(address, safe='@')}&dir={quote(str(folder), safe='')}"


_PACKED = "programme-sink-forms:"


def pack(text: str, html: str, chat: str) -> str:
    """Every form of a message, as one body for the sink (Apprise hands a service one body)."""
    return _PACKED + json.dumps({"text": text, "html": html, "chat": chat})


def _unpack(body: str) -> dict[str, str]:
    if body.startswith(_PACKED):
        forms = json.loads(body[len(_PACKED):])
        if isinstance(forms, dict):
            return {k: str(v) for k, v in forms.items()}
    return {"text": body}  # a plain body (a caller that sent one form)


@apprise.decorators.notify(on=SCHEMA, name="programme local sink")
def _file_message(body, title, notify_type, meta, *args, **kwargs) -> bool:
    query = meta.get("qsd", {})
    folder = Path(query.get("dir") or ".")
    forms = _unpack(body)
    message = EmailMessage()
    target = query.get("to", "")
    is_email = "@" in target and "://" not in target
    if is_email:
        message["To"] = target
    else:  # a channel that is not email (kept masked): say where it would have gone
        message["To"] = "undisclosed-recipients:;"
    message["X-Programme-Target"] = target
    message["X-Programme-Form"] = "email" if is_email else "chat"
    message["From"] = "programme (local sink) <programme@localhost>"
    message["Subject"] = title or "(no subject)"
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("programme")
    if is_email:
        message.set_content(forms.get("text", ""))
        if forms.get("html"):
            message.add_alternative(forms["html"], subtype="html")
    else:
        message.set_content(forms.get("chat") or forms.get("text", ""))
    for sub in ("tmp", "new", "cur"):  # Maildir(create=True) skips them when the folder exists
        (folder / sub).mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(str(folder), create=True)
    try:
        box.add(message)
    finally:
        box.close()
    return True


def read_sink(folder: Path) -> list[EmailMessage]:
    """Every message in the sink, oldest first (for `programme outbox` users and tests)."""
    if not (folder / "new").exists():
        return []
    box = mailbox.Maildir(str(folder), create=False, factory=None)
    try:
        found = [(key, email.message_from_bytes(box.get_bytes(key), policy=email.policy.default))
                 for key in box.iterkeys()]
    finally:
        box.close()
    found.sort(key=lambda kv: kv[0])
    return [m for _, m in found]


def text_of(message: EmailMessage) -> str:
    """The plain text a reader sees first: an email's text part, or a chat message's body."""
    part = message.get_body(("plain",))
    return part.get_content() if part is not None else ""
