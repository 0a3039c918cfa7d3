"""Messages from templates: plain-text and HTML email, and a short form for chat channels.

Templates live in notifications/templates/; a file of the same name in the folder named by
PROGRAMME_TEMPLATES replaces the shipped one (subject.txt, email.txt, email.html, chat.txt).
HTML is autoescaped; the text forms are not. Templates only lay out the facts that
`programme.rules.messages.item_context` took from the Assessment: no rule lives here.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from programme import templating
from programme.usecases.dispatch import Rendered

SHIPPED = Path(__file__).parent / "templates"

# Facts added to item payloads after rows may already be queued: an older row renders with these.
ITEM_DEFAULTS: dict[str, Any] = {"answer_label": "To answer", "checkin_link": None, "forecast_when": None,
                 "blocked_reason": None, "evidence": None, "waiting": []}


FORMS = ("text", "html", "chat")
_TEMPLATE = {"text": "email.txt", "html": "email.html", "chat": "chat.txt"}


class LazyRendered:
    """One recipient's message whose bodies are rendered on first use: an email target needs the
    HTML (or the text) form, a chat channel the short one, so most messages render one of three.
    The subject is always needed (every channel gets a title) and is rendered at once, so a
    template error shows up before anything is sent. Used by one sending thread at a time."""

    __slots__ = ("_ctx", "_env", "_forms", "subject")

    def __init__(self, name: str, items: list[dict], now: datetime):
        self._env = environment()
        self._ctx = _context(name, items, now)
        self.subject = " ".join(self._env.get_template("subject.txt").render(self._ctx).split())
        self._ctx["subject"] = self.subject
        self._forms: dict[str, str] = {}

    def form(self, name: str) -> str:
        body = self._forms.get(name)
        if body is None:
            body = self._env.get_template(_TEMPLATE[name]).render(self._ctx)
            self._forms[name] = body = body.strip() if name == "chat" else body
        return body

    @property
    def text(self) -> str:
        return self.form("text")

    @property
    def html(self) -> str:
        return self.form("html")

    @property
    def chat(self) -> str:
        return self.form("chat")

    def rendered(self) -> Rendered:
        return Rendered(self.subject, *(self.form(f) for f in FORMS))


def environment():
    return templating.environment(SHIPPED)


def _context(name: str, items: list[dict], now: datetime) -> dict:
    import pendulum

    from programme.rules.messages import day_words
    from programme.usecases.links import item_url

    shown = []
    todays: dict[str, date] = {}
    for item in items:
        today = todays.get(item["timezone"])
        if today is None:
            today = todays[item["timezone"]] = pendulum.instance(now).in_timezone(
                item["timezone"]).date()
        as_of = datetime.fromisoformat(item["as_of"]).date()
        shown.append({**ITEM_DEFAULTS, **item, "checkin_link": item_url(item),
                      "late": day_words(as_of, today) if as_of != today else None})
    plans = list(dict.fromkeys(i["plan_title"] for i in items))
    zones = list(dict.fromkeys(i["timezone"] for i in items))
    return {"name": name, "items": shown, "plans": plans, "timezone": ", ".join(zones)}


def render_lazily(name: str, items: list[dict], now: datetime) -> LazyRendered:
    """One message for one recipient listing all their items (in the order given); each body
    rendered when first asked for."""
    return LazyRendered(name, items, now)


def render(name: str, items: list[dict], now: datetime) -> Rendered:
    """One message for one recipient listing all their items (in the order given), every form."""
    return LazyRendered(name, items, now).rendered()
