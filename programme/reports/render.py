"""Jinja2 rendering of reports and digests, with templates a lead can override.

Templates are looked up first in the folder named by PROGRAMME_TEMPLATES, then in the package,
so dropping a same-named file there replaces one template and leaves the others alone. HTML
templates are autoescaped; Markdown and text ones are not (their text must stay intact), and
the `cell` filter keeps a Markdown table whole whatever a title contains.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import pass_context

from programme import templating
from programme.reports.context import Report, Snapshot, build
from programme.reports.timeline import bars, colour, svg, text_colour, tint

FORMATS = ("md", "html")


@dataclass(frozen=True)
class Digest:
    """One digest in the three forms a message needs."""

    subject: str
    text: str
    html: str
    chat: str


def environment():
    """The Jinja environment for reports and digests (see programme.templating)."""
    return templating.environment(
        Path(__file__).parent / "templates", trim_blocks=True,
        filters={"day": _day, "short": _short_day, "cell": _cell, "wd": _wd, "one_line": _one_line,
                 "colour": colour, "tint": tint, "text_colour": text_colour, "plural": _plural})


@lru_cache(maxsize=4096)
def _day(value: date | None) -> str:
    return f"{value:%a %-d %b %Y}" if value else "–"


@pass_context
def _short_day(context, value: date | None) -> str:
    """'27 Apr', with the year when it is not the year of the report ('27 Apr 2028')."""
    if not value:
        return "–"
    report = context.get("r")
    today = getattr(report, "today", None) or context.get("today")
    return f"{value:%-d %b}" if today is not None and value.year == today.year else \
        f"{value:%-d %b %Y}"


def _wd(n: int) -> str:
    return f"{n} working day{'' if abs(n) == 1 else 's'}"


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _one_line(text: str | None) -> str:
    return " ".join(str(text or "").split())


def _cell(text) -> str:
    """Text safe inside a Markdown table cell: no line breaks, pipes escaped; else untouched."""
    return _one_line(text).replace("|", "\\|")


def _snapshot(data) -> Snapshot:
    return data if isinstance(data, Snapshot) else Snapshot(data)


def report_of(data) -> Report:
    """The Report for a Snapshot (or a bare PlanState: then no trend and no done-in-period)."""
    return build(_snapshot(data))


def render_report(data, fmt: str = "md") -> str:
    """The plan report as Markdown or as a standalone HTML page."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: use md or html")
    report = report_of(data)
    picture = svg(report) if fmt == "html" else ""
    from markupsafe import Markup

    return environment().get_template(f"report.{fmt}.j2").render(
        r=report, timeline=Markup(picture), generated=_generated(report.as_of))


TEMPLATES = ("report", "highlight")


def render_highlight(data, fmt: str = "md") -> str:
    """The PRINCE2-shaped highlight report as Markdown or a standalone HTML page."""
    from programme.reports.context import highlight

    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: use md or html")
    h = highlight(_snapshot(data))
    return environment().get_template(f"highlight.{fmt}.j2").render(
        h=h, generated=_generated(h.report.as_of))


def subject_for(report: Report) -> str:
    was = (f" (was {report.previous_rating.label})"
           if report.previous_rating is not None and report.previous_rating != report.rating else "")
    return _one_line(f"{report.plan.title}: {report.rating.label}{was} — week of "
                     f"{report.today:%-d %B %Y}")


def render_digest(data) -> Digest:
    """The weekly digest of one plan: e-mail HTML, its plain-text alternative, a chat line."""
    report = report_of(data)
    env = environment()
    context = dict(r=report, bars=bars(report), generated=_generated(report.as_of))
    return Digest(subject_for(report), env.get_template("digest.txt.j2").render(context),
                  env.get_template("digest.html.j2").render(context),
                  env.get_template("digest.chat.j2").render(context))


def render_portfolio(snapshots, title: str = "Portfolio digest", now: datetime | None = None,
                     progress=None) -> Digest:
    """One digest across plans, worst rating first; `progress(i)` is called per plan built."""
    reports = []
    for i, data in enumerate(snapshots):
        reports.append(report_of(data))
        if progress:
            progress(i)
    reports.sort(key=lambda r: (-int(r.rating), r.plan.id))
    when = now or max((r.as_of for r in reports), default=None)
    today = max((r.today for r in reports), default=None)
    totals = dict(
        plans=len(reports), milestones=sum(r.total for r in reports),
        done=sum(r.done for r in reports), overdue=sum(len(r.overdue) for r in reports),
        blocked=sum(len(r.blocked) for r in reports),
        done_in_period=sum(len(r.done_in_period) for r in reports),
        worse=sum(1 for r in reports if r.trend == "worse"))
    env = environment()
    context = dict(reports=reports, title=title, today=today, totals=totals,
                   generated=_generated(when) if when else "")
    worst = reports[0].rating.label if reports else "no plans"
    subject = _one_line(f"{title}: {len(reports)} plans, worst {worst}"
                        + (f" — week of {today:%-d %B %Y}" if today else ""))
    return Digest(subject, env.get_template("portfolio.txt.j2").render(context),
                  env.get_template("portfolio.html.j2").render(context),
                  env.get_template("portfolio.chat.j2").render(context))


def _generated(when: datetime) -> str:
    return f"{when.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
