"""A recording dispatcher for unit tests: accepts everything (or fails the targets in `down`),
renders with the shipped templates, remembers every message."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from programme.usecases.dispatch import Delivery, Forms, Message

from .render import render_lazily


@dataclass
class RecordingDispatcher:
    down: set[str] = field(default_factory=set)
    sent: list[Message] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def render(self, name: str, items: list[dict], now: datetime) -> Forms:
        return render_lazily(name, items, now)

    def send(self, message: Message) -> Delivery:
        ok = tuple(t for t in message.targets if t not in self.down)
        with self._lock:
            if ok:
                self.sent.append(message)
        failed = [t for t in message.targets if t in self.down]
        return Delivery(ok, f"{len(failed)} target(s) down" if failed else None)
