"""Messages from templates: plain-text and HTML email, and a short form for chat channels.

Templates live in notifications/templates/; a file of the same name in the folder named by
PROGRAMME_TEMPLATES replaces the shipped one (subject.txt, email.txt, email.html, chat.txt).
HTML is autoescaped; the text forms are not. Templates only lay out the facts that
`programme.chasing.messages.item_context` took from the Assessment: no rule lives here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

SHIPPED = Path(__file__).parent / "templates"

# Facts added to item payloads after rows may already be queued: an older row renders with these.
ITEM_DEFAULTS = {"answer_label": "To answer", "checkin_link": None, "forecast_when": None,
                 "blocked_reason": None, "evidence": None, "waiting": []}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    chat: str


@lru_cache(maxsize=8)
def _environment(override: str | None):
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

    loaders = [FileSystemLoader(override)] if override else []
    loaders.append(FileSystemLoader(str(SHIPPED)))
    return Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined, trim_blocks=False, keep_trailing_newline=True)


def environment():
    return _environment(os.environ.get("PROGRAMME_TEMPLATES") or None)


def render(name: str, items: list[dict], now: datetime) -> Rendered:
    """One message for one recipient listing all their items (in the order given)."""
    import pendulum

    from programme.chasing.messages import day_words

    shown = []
    todays: dict[str, object] = {}
    for item in items:
        today = todays.get(item["timezone"])
        if today is None:
            today = todays[item["timezone"]] = pendulum.instance(now).in_timezone(
                item["timezone"]).date()
        as_of = datetime.fromisoformat(item["as_of"]).date()
        shown.append({**ITEM_DEFAULTS, **item,
                      "late": day_words(as_of, today) if as_of != today else None})
    plans = list(dict.fromkeys(i["plan_title"] for i in items))
    zones = list(dict.fromkeys(i["timezone"] for i in items))
    env = environment()
    ctx = {"name": name, "items": shown, "plans": plans, "timezone": ", ".join(zones)}
    subject = " ".join(env.get_template("subject.txt").render(ctx).split())
    ctx["subject"] = subject
    return Rendered(subject, env.get_template("email.txt").render(ctx),
                    env.get_template("email.html").render(ctx),
                    env.get_template("chat.txt").render(ctx).strip())
