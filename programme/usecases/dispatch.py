"""The dispatch interface the chase run sends through: a message for one recipient in, which
targets took it out.

Declared here, in the core, so the use cases never import a channel: the entry points (CLI,
flows) build a dispatcher from `notifications` and pass it in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Rendered:
    """A message rendered in every form (a digest is rendered before it is queued)."""

    subject: str
    text: str
    html: str
    chat: str

    def form(self, name: str) -> str:
        return str(getattr(self, name))


class Forms(Protocol):
    """A message's subject and bodies: `form("text")` (plain-text email), `form("html")` (HTML
    email), `form("chat")` (the short form for chat channels). notifications.render renders
    each body on first use; a pre-rendered message has them all."""

    @property
    def subject(self) -> str: ...

    def form(self, name: str) -> str: ...


@dataclass(frozen=True)
class Message:
    recipient: str  # person id
    recipient_name: str
    targets: tuple[str, ...]  # contacts not yet delivered to: Apprise URLs, emails, config:...
    forms: Forms
    keys: tuple[str, ...] = ()  # the outbox keys it carries

    @property
    def reference(self) -> str | None:
        """A stable id for this message, the same on every resend of the same outbox items:
        its email's Message-ID and its webhooks' Idempotency-Key, so a copy sent twice (see
        programme.store.outbox.DUPLICATE_WINDOW) is one message to a mail store or an API."""
        if not self.keys:
            return None
        return hashlib.sha256("\n".join(sorted(self.keys)).encode()).hexdigest()[:32]

    @property
    def subject(self) -> str:
        return self.forms.subject

    @property
    def text(self) -> str:  # plain-text email
        return self.forms.form("text")

    @property
    def html(self) -> str:  # HTML email
        return self.forms.form("html")

    @property
    def chat(self) -> str:  # the short form for chat channels
        return self.forms.form("chat")


@dataclass(frozen=True)
class Delivery:
    """Targets that accepted the message, and a (secret-free) error for the rest."""

    delivered: tuple[str, ...]
    error: str | None = None
    permanent: bool = False  # retrying cannot help (no contact, not a valid Apprise URL)

    @property
    def ok(self) -> bool:
        return self.error is None


class Dispatcher(Protocol):
    """Where messages go out: notifications.apprise_dispatch.AppriseDispatcher (real channels, or
    the local sink) and notifications.recording.RecordingDispatcher (a fake for unit tests)."""

    def render(self, name: str, items: list[dict], now: datetime) -> Forms:
        """One recipient's message listing all their items (each a queued item's payload)."""
        ...

    def send(self, message: Message) -> Delivery: ...
