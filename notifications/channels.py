"""The dispatch interface: a rendered message for one recipient in, which targets took it out.

The chase run only knows this interface, so unit tests use `RecordingDispatcher` and everything
else uses `notifications.apprise_dispatch.AppriseDispatcher` (real channels, or the local sink).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol


class Forms(Protocol):
    """A message's subject and bodies: `form("text")` (plain-text email), `form("html")` (HTML
    email), `form("chat")` (the short form for chat channels). notifications.render renders
    each body on first use; a pre-rendered message has them all."""

    subject: str

    def form(self, name: str) -> str: ...


@dataclass(frozen=True)
class Message:
    recipient: str  # person id
    recipient_name: str
    targets: tuple[str, ...]  # contacts not yet delivered to: Apprise URLs, emails, config:...
    forms: Forms
    keys: tuple[str, ...] = ()  # the outbox keys it carries

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
    def send(self, message: Message) -> Delivery: ...


@dataclass
class RecordingDispatcher:
    """A fake for unit tests: accepts everything (or fails the targets in `down`), remembers all."""

    down: set[str] = field(default_factory=set)
    sent: list[Message] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send(self, message: Message) -> Delivery:
        ok = tuple(t for t in message.targets if t not in self.down)
        with self._lock:
            if ok:
                self.sent.append(message)
        failed = [t for t in message.targets if t in self.down]
        return Delivery(ok, f"{len(failed)} target(s) down" if failed else None)
