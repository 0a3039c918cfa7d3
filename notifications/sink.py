"""The local sink: where bare email addresses go when no mail server is configured.

A custom Apprise notification (`programmesink://`, made with `@apprise.decorators.notify`)
that files each message in a Maildir under the data folder (`$PROGRAMME_HOME/sink` by default),
so a fresh install shows exactly what would have been sent, readable with any mail client
(`mutt -f ~/.local/share/programme/sink`) or as plain files in sink/new/.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import quote

import apprise

from programme.config import data_dir, ensure_data_dir

SCHEMA = "programmesink"  # Apprise schemas cannot contain "-" (2.0.1 rejects programme-sink://)


def sink_url(address: str, folder: Path) -> str:
    return f"{SCHEMA}://localhost/?to={quote(address, safe='@')}&dir={quote(str(folder), safe='')}"


@apprise.decorators.notify(on=SCHEMA, name="programme local sink")
def _file_message(body, title, notify_type, meta, *args, **kwargs) -> bool:
    query = meta.get("qsd", {})
    folder = Path(query.get("dir") or ".")
    message = EmailMessage()
    target = query.get("to", "")
    if "@" in target and "://" not in target:
        message["To"] = target
    else:  # a channel that is not email (kept masked): say where it would have gone
        message["To"] = "undisclosed-recipients:;"
    message["X-Programme-Target"] = target
    message["From"] = "programme (local sink) <programme@localhost>"
    message["Subject"] = title or "(no subject)"
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("programme")
    message.set_content(body)
    if folder.resolve().parent == data_dir().resolve():
        ensure_data_dir()  # the data folder is made 0700: the sink holds copies of messages
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
