"""Where a digest goes: its subscribers, the outbox rows that would carry it, the local sink.

Until the outbox dispatcher (#3) renders digest rows itself, `programme digest --send` files
the digest in the local sink folder. `digest_items` already gives the rows a flow would queue:
one per subscriber per plan per day, so the outbox's unique key sends each digest once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..model import Plan
from .render import Digest

DIGEST_STEP = "digest"
DIGEST_MILESTONE = "_digest"  # outbox rows are per milestone; a digest belongs to the whole plan


@dataclass(frozen=True)
class Subscriber:
    id: str
    name: str
    contacts: tuple[str, ...]


def subscribers(plan: Plan) -> list[Subscriber]:
    """The plan's subscribers: people by id (their contacts), or bare addresses as written."""
    out = []
    for entry in plan.subscribers:
        person = plan.people.get(entry)
        if person is not None:
            out.append(Subscriber(person.id, person.name, tuple(person.contacts)))
        else:
            out.append(Subscriber(entry, entry, (entry,)))
    return out


def digest_key(plan_id: str, day: date, recipient: str) -> str:
    return f"{plan_id}/{DIGEST_MILESTONE}/{DIGEST_STEP}@{day.isoformat()}/{recipient}"


def digest_items(plan: Plan, digest: Digest, day: date) -> list:
    """Outbox rows for this digest, one per subscriber with somewhere to send it."""
    from ..store.outbox import OutboxItem

    payload = {"kind": "digest", "plan_id": plan.id, "plan_title": plan.title,
               "subject": digest.subject, "text": digest.text, "html": digest.html,
               "chat": digest.chat}
    return [OutboxItem(key=digest_key(plan.id, day, s.id), plan_id=plan.id,
                       milestone_id=DIGEST_MILESTONE, step=DIGEST_STEP, anchor=day, recipient=s.id,
                       recipient_name=s.name, role="subscriber", contacts=s.contacts, payload=payload)
            for s in subscribers(plan) if s.contacts]


def write_to_sink(digest: Digest, name: str, day: date, folder: Path | None = None) -> list[Path]:
    """Until the outbox sends digests: write them where an operator can open them."""
    if folder is None:
        from ..config import data_dir

        folder = data_dir() / "sink" / "digests"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix, text in ((".html", digest.html),
                         (".txt", f"Subject: {digest.subject}\n\n{digest.text}"),
                         (".chat.txt", digest.chat)):
        path = folder / f"{name}-{day.isoformat()}{suffix}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
