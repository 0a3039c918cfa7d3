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
                 "blocked_reason": None, "evidence": None, "waiting": [], "actions": [],
                 "report_key": None}

CHAT_LIMIT = 1000  # characters: what a Teams Workflows card shows through Apprise (FACTS.md)
# Each kind of item's colour in HTML; always beside its label, never instead of it.
COLOURS = {"reminder": "#1d70b8", "due-today": "#28a197", "overdue": "#d4351c",
           "escalated": "#4c2c92", "escalated-sponsor": "#4c2c92", "blocked": "#505a5f",
           "ready": "#00703c", "rating": "#003078"}


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
            if name == "chat":
                body = _chat(self._env, self._ctx)
            else:
                body = self._env.get_template(_TEMPLATE[name]).render(self._ctx)
            self._forms[name] = body
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
    """The template context: the items most urgent first (escalations, blocked, overdue, due
    today, ... reminders last; otherwise in the order given), each with its kind's label and
    colour, its link, and "as of" when sent on a later day than its facts were true."""
    import pendulum

    from programme.rules.messages import LABELS, REPORT, day_words, item_kind, urgency
    from programme.usecases.links import item_url, url

    shown = []
    todays: dict[str, date] = {}
    for item in sorted(items, key=lambda i: urgency(i.get("step", ""))):
        today = todays.get(item["timezone"])
        if today is None:
            today = todays[item["timezone"]] = pendulum.instance(now).in_timezone(
                item["timezone"]).date()
        as_of = datetime.fromisoformat(item["as_of"]).date()
        kind = item.get("kind") or item_kind(item.get("step", ""))
        shown.append({**ITEM_DEFAULTS, **item, "checkin_link": item_url(item), "kind": kind,
                      "label": LABELS.get(kind, item.get("headline", "")),
                      "colour": COLOURS.get(kind, "#1d70b8"),
                      "late": day_words(as_of, today) if as_of != today else None})
    plans = list(dict.fromkeys(i["plan_title"] for i in items))
    zones = list(dict.fromkeys(i["timezone"] for i in items))
    reports = {}
    for item in shown:  # each plan's report link for this reader, for the chat form's "the rest"
        if item.get("report_key") and item.get("link") and item["plan_id"] not in reports:
            reports[item["plan_id"]] = url(REPORT, item["report_key"], item["link"]["person"],
                                           item["plan_id"], None)
    milestones_only = all(i["kind"] != "rating" and not i.get("raid_kind") for i in shown)
    return {"name": name, "items": shown, "plans": plans, "timezone": ", ".join(zones),
            "reports": reports, "noun": "milestones" if milestones_only else "items",
            "noun_one": "milestone" if milestones_only else "item"}


def _chat(env, ctx: dict) -> str:
    """The chat form: as many of the most urgent items as fit in CHAT_LIMIT characters, then
    how many more there are and a link to them (the reader's report link of their plan). A
    body that still does not fit (one very long title) is cut at the limit."""
    template = env.get_template("chat.txt")
    items = ctx["items"]
    body = ""
    for count in range(len(items), 0, -1):
        rest = items[count:]
        rest_plans = list(dict.fromkeys(i["plan_id"] for i in rest))
        rest_link = ctx["reports"].get(rest_plans[0]) if len(rest_plans) == 1 else None
        body = template.render({**ctx, "chat_items": items[:count], "more": len(rest),
                                "rest_link": rest_link,
                                "rest_plan": rest[0]["plan_title"] if rest else None}).strip()
        if len(body) <= CHAT_LIMIT:
            return body
    return body if len(body) <= CHAT_LIMIT else body[:CHAT_LIMIT - 1] + "…"


def render_lazily(name: str, items: list[dict], now: datetime) -> LazyRendered:
    """One message for one recipient listing all their items (in the order given); each body
    rendered when first asked for."""
    return LazyRendered(name, items, now)


def render(name: str, items: list[dict], now: datetime) -> Rendered:
    """One message for one recipient listing all their items (in the order given), every form."""
    return LazyRendered(name, items, now).rendered()
