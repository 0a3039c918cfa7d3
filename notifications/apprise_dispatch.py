"""Dispatch through Apprise: a person's contacts are Apprise URLs, bare emails or config files.

* An Apprise URL (mailto://, workflows:// for Teams, slack://, ntfy://, json://, ...) is used as
  written.
* A bare email address goes through PROGRAMME_SMTP_URL (e.g.
  `mailto://smtp.example.gov.uk:587?from=programme@example.gov.uk&user=...&pass=...`, the
  address is added as `to=`); without it, to the local sink (see notifications.sink).
* `config:/path/to/teams.yml#tag1,tag2` loads an Apprise config file (YAML or text) and
  notifies the services with those tags (all of them without `#...`): a team's channels in
  one file, maintained outside the plan. Each service in it counts as one target: it is
  retried as a whole when any of its services fails.

A contact's URL (or config file) is parsed once per dispatcher: each of its services is kept
in an Apprise object of its own, with its throttle off (`request_rate_per_sec = 0`; Apprise's
default waits ~5.5 s between messages to one plugin) and its own result, so one target down
does not hide another's delivery. A parsed contact is used by one sending thread at a time
(a second thread sending to the same contact meanwhile parses its own). Email targets get the
HTML email (Apprise adds a plain-text alternative) or the plain-text email when the URL says
`format=text`; the local sink gets the plain-text email; every other service gets the short
chat form; only the forms a message's targets need are rendered, all of them before anything
is sent. Errors keep no secret: Apprise's messages are masked against the target's URL before
they leave here.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid
from pathlib import Path

import apprise
from apprise import NotifyFormat
from apprise.plugins.email import NotifyEmail
from apprise.plugins.email import base as _email_base

from programme.config import data_dir
from programme.contacts import is_email, mask_text, mask_url
from programme.usecases.dispatch import Delivery, Forms, Message

from . import notify, sink
from .render import render_lazily

LIVE, SINK = "live", "sink"
MAX_PARSED = 4096  # contacts whose parsed services a dispatcher keeps


class _MaskSecrets(logging.Filter):
    """Apprise logs the URLs it is given ("Unparseable URL slack://<tokens>"): mask them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask_text(record.getMessage()), None
        return True


logging.getLogger("apprise").addFilter(_MaskSecrets())

# A stable Message-ID per message (Message.reference). Apprise 2.0.1's email plugin sets a
# random one after any custom headers (a `Message-ID` header of ours would be a second one),
# through `make_msgid` in its module: that one call takes the message's id while this thread
# sends it, and is Apprise's own otherwise.
_message = threading.local()
_apprise_make_msgid = getattr(_email_base, "make_msgid", None)


def _make_msgid(idstring=None, domain=None):
    reference = getattr(_message, "reference", None)
    if reference is None:
        return make_msgid(idstring, domain)
    host = (domain or "").strip("[]") or "programme.invalid"
    return f"<{reference}@{host}>"


if _apprise_make_msgid is not None:
    _email_base.make_msgid = _make_msgid

IDEMPOTENCY_HEADER = "Idempotency-Key"


def delivery_mode(smtp_url: str | None) -> str:
    """PROGRAMME_DELIVERY=live|sink. Unset: live once an SMTP server is configured, else sink, so
    a fresh install sends nothing anywhere (not even to a Teams or Slack URL in a plan) and files
    every message in the local sink instead."""
    chosen = (os.environ.get("PROGRAMME_DELIVERY") or "").strip().lower()
    if chosen in (LIVE, SINK):
        return chosen
    if chosen:
        raise ValueError(f"PROGRAMME_DELIVERY={chosen!r}: use live or sink")
    return LIVE if smtp_url else SINK


@dataclass(frozen=True)
class _Sender:
    """One Apprise service of a contact, in an Apprise object of its own, and the body it takes."""

    apprise: apprise.Apprise
    form: str  # "html", "text" or "chat": see notifications.render
    body_format: str


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    error: str | None = None
    permanent: bool = False


SINK_FORM = "sink"  # every form, for the sink to file as the real target would get it


class AppriseDispatcher:
    def __init__(self, smtp_url: str | None = None, sink_dir: Path | None = None,
                 timeout: float = 0, delivery: str | None = None):
        self.smtp_url = smtp_url if smtp_url is not None else os.environ.get("PROGRAMME_SMTP_URL")
        self.sink_dir = sink_dir or data_dir() / "sink"
        self.timeout = timeout
        self.delivery = delivery or delivery_mode(self.smtp_url)
        # Synchronous delivery in the calling thread: the concurrency is ours (a bounded pool
        # in programme.usecases.chase), and Apprise's own shared thread pool is not fork-safe
        # (a process forked after a send waits forever on its workers). For the same reason
        # Apprise's per-service deadline and `timeout` (whole-call limits, which Apprise enforces
        # by running the send on that pool) are off: each service's own socket timeouts bound
        # a send (mailto's connect and read timeout is 15 s, `cto=` in the URL).
        self.asset = apprise.AppriseAsset(async_mode=False, service_timeout=0)
        self._parsed: dict[str, list[list[_Sender]]] = {}  # contact -> idle parsed copies
        self._lock = threading.Lock()

    # -- targets ---------------------------------------------------------------------------------
    def resolve(self, contact: str) -> str:
        """The Apprise URL a contact is sent through."""
        contact = contact.strip()
        if self.delivery == SINK:  # nothing leaves the machine: file it under a safe label
            label = contact if is_email(contact) else mask_url(contact)
            return sink.sink_url(label, self.sink_dir)
        if is_email(contact):
            if not self.smtp_url:
                return sink.sink_url(contact, self.sink_dir)
            glue = "&" if "?" in self.smtp_url else "?"
            return f"{self.smtp_url}{glue}to={contact}"
        return contact

    def describe(self, contact: str) -> str:
        """Where a contact goes, safe to print."""
        url = self.resolve(contact)
        if url.startswith(sink.SCHEMA):
            label = contact if is_email(contact) else mask_url(contact)
            return f"{label} (local sink {self.sink_dir})"
        if url != contact:
            return f"{contact} (via {mask_url(self.smtp_url or '')})"
        return mask_url(contact)

    def _services(self, contact: str) -> tuple[list[apprise.Apprise], str | None]:
        """One Apprise object per service of a contact (its own body and its own result), or a
        permanent error."""
        if contact.startswith("config:") and self.delivery != SINK:
            path, _, tags = contact[len("config:"):].partition("#")
            config = apprise.AppriseConfig(asset=self.asset)
            if not Path(path).is_file() or not config.add(path):
                return [], f"Apprise config file not found or unreadable: {path}"
            ap = apprise.Apprise(asset=self.asset)
            ap.add(config)
            tag = [t.strip() for t in tags.split(",") if t.strip()] if tags else \
                apprise.common.MATCH_ALL_TAG
            services = list(ap.find(tag))
        else:
            service = apprise.Apprise.instantiate(self.resolve(contact), asset=self.asset)
            if service is None:
                return [], f"not a valid Apprise URL: {mask_url(contact)}"
            services = [service]
        if not services:
            return [], f"no service matches {mask_url(contact)}"
        out = []
        for service in services:
            service.request_rate_per_sec = 0
            one = apprise.Apprise(asset=self.asset)
            one.add(service)
            out.append(one)
        return out, None

    def _checkout(self, contact: str) -> tuple[list[_Sender], str | None]:
        """A parsed copy of a contact's services for this thread's use, or a permanent error."""
        with self._lock:
            idle = self._parsed.get(contact)
            if idle:
                return idle.pop(), None
        services, problem = self._services(contact)
        return [_Sender(one, *self._form(one[0])) for one in services], problem

    def _checkin(self, contact: str, senders: list[_Sender]) -> None:
        with self._lock:
            if contact not in self._parsed and len(self._parsed) >= MAX_PARSED:
                del self._parsed[next(iter(self._parsed))]  # the contact parsed longest ago
            self._parsed.setdefault(contact, []).append(senders)

    # -- sending ---------------------------------------------------------------------------------
    def render(self, name: str, items: list[dict], now: datetime) -> Forms:
        return render_lazily(name, items, now)

    def send(self, message: Message) -> Delivery:
        if not message.targets:
            return Delivery((), "no contact to send to", permanent=True)
        targets = [(contact, *self._checkout(contact)) for contact in message.targets]
        try:
            for _contact, senders, _problem in targets:  # a template error sends nothing
                for sender in senders:
                    self._body(sender, message)
            delivered, errors, permanent = [], [], True
            for contact, senders, problem in targets:
                outcome = _Outcome(False, problem, permanent=True) if problem else \
                    self._send_one(contact, senders, message)
                if outcome.ok:
                    delivered.append(contact)
                else:
                    errors.append(outcome.error or "not delivered")
                    permanent = permanent and outcome.permanent
        finally:
            for contact, senders, problem in targets:
                if not problem:
                    self._checkin(contact, senders)
        if not errors:
            return Delivery(tuple(delivered))
        return Delivery(tuple(delivered), "; ".join(errors), permanent=permanent)

    def _send_one(self, contact: str, senders: list[_Sender], message: Message) -> _Outcome:
        failures = []
        reference = message.reference
        for sender in senders:
            for service in sender.apprise:
                headers = getattr(service, "headers", None)
                if isinstance(headers, dict) and not isinstance(service, NotifyEmail):
                    if reference:  # json://, xml://, form:// webhooks
                        headers[IDEMPOTENCY_HEADER] = reference
                    else:
                        headers.pop(IDEMPOTENCY_HEADER, None)
            _message.reference = reference
            try:
                result = sender.apprise.notify(body=self._body(sender, message),
                                               title=message.subject,
                                               body_format=sender.body_format,
                                               timeout=self.timeout)
            finally:
                _message.reference = None
            if not result:
                failures.append(self._error(result, contact))
        if failures:  # a failure GOV.UK Notify refused for good is not retried
            return _Outcome(False, f"{mask_url(contact)}: " + "; ".join(failures),
                            permanent=all(notify.PERMANENT in f for f in failures))
        return _Outcome(True)

    @staticmethod
    def _body(sender: _Sender, message: Message) -> str:
        """The body handed to Apprise: the sink gets every form the real target would (an
        email's text and HTML, or a chat channel's short form) to file as that target gets it."""
        if sender.form == SINK_FORM:
            return sink.pack(message.forms.form("text"), message.forms.form("html"),
                             message.forms.form("chat"))
        return message.forms.form(sender.form)

    @staticmethod
    def _form(service) -> tuple[str, str]:
        """Which body a service gets, and in which Apprise format."""
        if getattr(service, "protocol", None) == sink.SCHEMA or \
                sink.SCHEMA in (getattr(service, "secure_protocol", None) or ()):
            return SINK_FORM, NotifyFormat.TEXT
        if getattr(service, "secure_protocol", None) == notify.SCHEMA:
            return notify.form_for(service), NotifyFormat.TEXT
        if isinstance(service, NotifyEmail):
            fmt = service.notify_format
            first = fmt[0] if isinstance(fmt, tuple) else fmt
            if first == NotifyFormat.TEXT:
                return "text", NotifyFormat.TEXT
            return "html", NotifyFormat.HTML
        return "chat", NotifyFormat.TEXT

    @staticmethod
    def _error(result, contact: str) -> str:
        lines = []
        for service_result in result:
            if service_result:
                continue
            logs = [e.message for e in service_result.logs()
                    if getattr(e, "level", "") in ("WARNING", "ERROR", "CRITICAL")]
            said = [m for m in logs if not m.startswith("Failed to send ")]  # the specific one
            lines.append((said or logs)[-1] if logs else f"{service_result.name}: "
                         f"{service_result.status.name.lower()}")
        text = "; ".join(lines) or f"{result.status.name.lower()}"
        return mask_text(text, [contact])
