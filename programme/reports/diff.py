"""`programme diff` as Markdown (a pull-request comment) and as JSON."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime


def render_diff_markdown(versions, as_of: datetime) -> str:
    from programme.reports.render import environment

    def slip(n: int | None, forecast: date | None) -> str:
        if n is None:
            return "–"
        landing = f", lands {forecast:%-d %b}" if forecast else ""
        return f"{n} wd late{landing}" if n else f"on time{landing}"

    return environment().get_template("diff.md.j2").render(
        v=versions, slip=slip, reminders=reminder_lines(versions.diff.reminders),
        as_of=f"{as_of:%Y-%m-%d %H:%M} UTC",
        path=lambda ids: " → ".join(ids) if ids else "–",
        ids=lambda ids: ", ".join(f"`{i}`" for i in ids),
        when=_when)


SHOWN = 3  # changes listed per kind, per person and milestone; the rest are counted


def _when(moment) -> str:
    return f"{moment:%a %-d %b %H:%M}" if moment else "–"


def reminder_lines(changes) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Per person (by name), per milestone: 'new reminder-5 Thu 10 Dec 08:30, ...; moved
    due-day Thu 26 Nov 08:30 → Thu 3 Dec 08:30; no longer chase-5 (Thu 10 Dec 08:30) and 2 more
    to Wed 27 Jan'."""
    people: dict[str, dict[str, list]] = {}
    for c in changes:
        people.setdefault(c.name, {}).setdefault(c.milestone_id, []).append(c)
    out = []
    for name in sorted(people):
        rows = []
        for mid, items in people[name].items():
            parts = []
            for kind, label in (("new", "new"), ("moved", "moved"), ("gone", "no longer")):
                some = [c for c in items if c.change == kind]
                if not some:
                    continue
                shown = [f"{c.step} {_when(c.before)} → {_when(c.after)}" if kind == "moved"
                         else f"{c.step} {_when(c.after)}" if kind == "new"
                         else f"{c.step} ({_when(c.before)})" for c in some[:SHOWN]]
                rest = some[SHOWN:]
                last = rest[-1].after or rest[-1].before if rest else None
                more = f" and {len(rest)} more to {last:%a %-d %b}" if rest else ""
                parts.append(f"{label} {', '.join(shown)}{more}")
            rows.append((mid, items[0].title, "; ".join(parts)))
        out.append((name, rows))
    return out


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "label"):  # a Rating
        return value.label
    return value


def diff_json(versions) -> dict:
    d = versions.diff
    return {"from": versions.before_label, "to": versions.after_label,
            "reminders_until": versions.until.isoformat(), "changed": d.changed,
            **_plain(asdict(d))}
