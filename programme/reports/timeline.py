"""The timeline picture: an SVG Gantt for the HTML report, a table of coloured cells for email.

Built as strings by hand (no plotting library, nothing fetched), every piece of plan text
escaped. The geometry (where a phase starts, where a marker sits) is drawing only: dates,
forecasts, ratings and the critical path all come from the Report, itself from the Assessment.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from programme.reports.context import Report, Row
from programme.rules.model import Rating

COLOURS = {
    Rating.GREEN: "#00703c", Rating.AMBER_GREEN: "#7a9a01", Rating.AMBER: "#e8a200",
    Rating.AMBER_RED: "#e0670b", Rating.RED: "#d4351c", None: "#b1b4b6",
}
TINTS = {
    Rating.GREEN: "#cce2d8", Rating.AMBER_GREEN: "#e3ebc2", Rating.AMBER: "#fbe7b3",
    Rating.AMBER_RED: "#f8d2b5", Rating.RED: "#f6d7d2", None: "#e8e9ea",
}
# dark text where light fills
TEXT_ON: dict[Rating | None, str] = {Rating.AMBER: "#0b0c0c", Rating.AMBER_GREEN: "#0b0c0c"}

WIDTH = 1000
LABEL = 300  # left column for labels
PAD = 16
ROW = 18
PHASE_ROW = 24
AXIS = 34
MAX_ROWS = 60  # more milestones than this: one row per phase, markers unlabelled


def colour(rating: Rating | None) -> str:
    return COLOURS.get(rating, COLOURS[None])


def tint(rating: Rating | None) -> str:
    return TINTS.get(rating, TINTS[None])


def text_colour(rating: Rating | None) -> str:
    return TEXT_ON.get(rating, "#ffffff")


def _a(value) -> str:
    return escape(str(value), quote=True)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class _Group:
    id: str
    title: str
    rating: Rating | None
    rows: tuple[Row, ...]


def _groups(report: Report) -> list[_Group]:
    groups = [_Group(p.id, p.title, p.rating, p.rows) for p in report.phases if p.rows]
    placed = {r.id for g in groups for r in g.rows}
    rest = tuple(r for r in report.rows if r.id not in placed)
    if rest:
        groups.append(_Group("_other", "Other milestones" if groups else report.plan.title,
                             report.rating if not groups else None, rest))
    return groups


def starts(report: Report) -> dict[str, date]:
    """Where each milestone's bar begins: when what it waits for lands, else the plan start."""
    by_id = report.by_id
    out: dict[str, date] = {}
    for m in report.plan.milestones:
        anchors = list(m.depends_on) + ([m.due_rule.after] if m.due_rule.after else [])
        landed = [by_id[a].forecast or by_id[a].due for a in anchors if a in by_id]
        start = max(landed) if landed else report.plan.start
        end = by_id[m.id].forecast or m.due
        out[m.id] = min(start, end, m.due)
    return out


def _span(report: Report) -> tuple[date, date]:
    days = [report.plan.start, report.today]
    for r in report.rows:
        days.extend(d for d in (r.due, r.forecast, r.baseline) if d)
    first, last = min(days), max(days)
    margin = max(3, (last - first).days // 40)
    return first - timedelta(days=margin), last + timedelta(days=margin)


def _ticks(first: date, last: date, scale: float) -> list[tuple[date, str]]:
    """Axis labels at least ~56px apart: weeks (Mondays) or months."""
    span = (last - first).days
    if span * scale / 7 >= 56 or span <= 70:
        step = max(1, int(56 // (7 * scale)) + (1 if 56 % (7 * scale) else 0))
        d = first + timedelta(days=(7 - first.weekday()) % 7)
        out: list[tuple[date, str]] = []
        while d <= last:  # the year on the first label and wherever it changes
            new_year = not out or out[-1][0].year != d.year
            out.append((d, f"{d.day} {d:%b}" + (f" {d.year}" if new_year else "")))
            d += timedelta(days=7 * step)
        return out
    months_apart = max(1, int(56 // (30 * scale)) + 1)
    out, y, m = [], first.year, first.month + 1
    if m > 12:
        y, m = y + 1, 1
    while date(y, m, 1) <= last:
        d = date(y, m, 1)
        out.append((d, f"{d:%b %Y}" if m == 1 or not out else f"{d:%b}"))
        m += months_apart
        while m > 12:
            y, m = y + 1, m - 12
    return out


def svg(report: Report, max_rows: int = MAX_ROWS) -> str:
    """The Gantt picture, inline-ready (<svg> element with a <title> for screen readers)."""
    groups = _groups(report)
    compact = len(report.rows) > max_rows
    first, last = _span(report)
    chart = WIDTH - LABEL - PAD
    scale = chart / max(1, (last - first).days)

    def x(d: date) -> float:
        return round(LABEL + (d - first).days * scale + scale / 2, 1)

    begin = starts(report)
    height = AXIS + sum(PHASE_ROW + (0 if compact else ROW * len(g.rows)) for g in groups) + 44
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="tl-title" '
        'font-family="Arial, Helvetica, sans-serif" font-size="11">',
        f'<title id="tl-title">Timeline of {_a(report.plan.title)}: phases, milestone forecasts '
        f'by rating, baseline dates and the critical path, as of {report.today:%-d %B %Y}</title>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    for d, label in _ticks(first, last, scale):
        out.append(f'<line x1="{x(d)}" y1="{AXIS - 6}" x2="{x(d)}" y2="{height - 40}" '
                   'stroke="#e5e6e7" stroke-width="1"/>')
        anchor = "end" if x(d) > WIDTH - 28 else "middle"  # keep the last label inside
        out.append(f'<text x="{x(d)}" y="{AXIS - 12}" text-anchor="{anchor}" fill="#505a5f">'
                   f'{_a(label)}</text>')

    positions: dict[str, tuple[float, float]] = {}
    y = AXIS
    for g in groups:
        rows = g.rows
        g_start = min(begin[r.id] for r in rows)
        g_end = max((r.forecast or r.due) for r in rows)
        g_base = max((r.baseline or r.due) for r in rows)
        out.append(f'<g class="phase" data-phase="{_a(g.id)}">')
        out.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{PHASE_ROW}" fill="{tint(g.rating)}" '
                   'opacity="0.45"/>')
        out.append(f'<text x="6" y="{y + 16}" font-weight="bold" fill="#0b0c0c">'
                   f'<title>{_a(g.title)}</title>{_a(_short(g.title, 44))}</text>')
        out.append(f'<rect x="{x(g_start)}" y="{y + 15}" width="{max(2, x(g_base) - x(g_start))}" '
                   'height="4" fill="#b1b4b6"><title>baseline: until '
                   f'{g_base:%-d %b %Y}</title></rect>')
        out.append(f'<rect x="{x(g_start)}" y="{y + 5}" width="{max(2, x(g_end) - x(g_start))}" '
                   f'height="9" rx="2" fill="{colour(g.rating)}"><title>{_a(g.title)}: '
                   f'{g_start:%-d %b} to {g_end:%-d %b %Y} (forecast)</title></rect>')
        if compact:
            for r in rows:
                positions[r.id] = (x(r.forecast or r.due), y + PHASE_ROW / 2)
            out.extend(_marker(r, *positions[r.id], 4) for r in rows)
            y += PHASE_ROW
            out.append("</g>")
            continue
        y += PHASE_ROW
        for r in rows:
            mid = y + ROW / 2
            label = ("★ " if r.critical else "") + r.title
            out.append(f'<text x="14" y="{mid + 4}" fill="#0b0c0c"><title>{_a(r.title)} — '
                       f'{_a(r.owner)}</title>{_a(_short(label, 42))}</text>')
            b0 = begin[r.id]
            end = r.forecast or r.due
            out.append(f'<line x1="{x(b0)}" y1="{mid}" x2="{x(end)}" y2="{mid}" stroke="{tint(r.rating)}" '
                       'stroke-width="6"/>')
            base = r.baseline or r.due
            if base != end:
                out.append(f'<line x1="{x(base)}" y1="{mid}" x2="{x(end)}" y2="{mid}" '
                           'stroke="#6f777b" stroke-width="1" stroke-dasharray="2 2"/>')
            out.append(_baseline_marker(r, x(base), mid))
            positions[r.id] = (x(end), mid)
            out.append(_marker(r, *positions[r.id], 5))
            y += ROW
        out.append("</g>")

    path = [r.id for r in report.critical_path if r.id in positions]
    for a, b in itertools.pairwise(path):
        (x1, y1), (x2, y2) = positions[a], positions[b]
        out.append(f'<path class="critical-link" d="M{x1},{y1} H{max(x1, x2 - 6)} V{y2} H{x2}" '
                   'fill="none" stroke="#942514" stroke-width="1.5" stroke-dasharray="4 2">'
                   f'<title>critical path: {_a(a)} → {_a(b)}</title></path>')

    t = x(report.today)
    out.append(f'<line class="today" x1="{t}" y1="{AXIS - 4}" x2="{t}" y2="{y}" stroke="#1d70b8" '
               'stroke-width="2"/>')
    out.append(f'<text x="{t}" y="{y + 13}" text-anchor="middle" fill="#1d70b8" font-weight="bold">'
               f'today {report.today:%-d %b}</text>')
    out.append(_legend(y + 30))
    out.append("</svg>")
    return "\n".join(out)


def _marker(r: Row, cx: float, cy: float, size: int) -> str:
    fill = "none" if r.state == "dropped" else colour(r.rating)
    stroke = "#0b0c0c" if r.critical else "#ffffff"
    when = f"{r.forecast:%-d %b %Y}" if r.forecast else "dropped"
    return (f'<path class="marker" data-id="{_a(r.id)}" data-rating="{_a(r.rating_label)}" '
            f'd="M{cx},{cy - size} L{cx + size},{cy} L{cx},{cy + size} L{cx - size},{cy} Z" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.2"><title>{_a(r.title)}: '
            f'{_a(r.state)}, {_a(r.rating_label)}, forecast {when}</title></path>')


def _baseline_marker(r: Row, cx: float, cy: float) -> str:
    what = "baseline" if r.baseline else "due"
    day = r.baseline or r.due
    return (f'<path class="baseline" d="M{cx},{cy - 4} L{cx + 4},{cy} L{cx},{cy + 4} L{cx - 4},{cy} Z" '
            f'fill="#ffffff" stroke="#6f777b" stroke-width="1"><title>{what} {day:%-d %b %Y}'
            '</title></path>')


def _legend(y: float) -> str:
    parts, x = [], LABEL
    for rating in Rating:
        parts.append(f'<path d="M{x},{y - 5} L{x + 5},{y} L{x},{y + 5} L{x - 5},{y} Z" '
                     f'fill="{colour(rating)}"/><text x="{x + 9}" y="{y + 4}" fill="#0b0c0c">'
                     f'{rating.label}</text>')
        x += 22 + 7 * len(rating.label)
    parts.append(f'<path d="M{x},{y - 4} L{x + 4},{y} L{x},{y + 4} L{x - 4},{y} Z" fill="#ffffff" '
                 f'stroke="#6f777b"/><text x="{x + 9}" y="{y + 4}" fill="#0b0c0c">baseline</text>')
    x += 80
    parts.append(f'<line x1="{x - 5}" y1="{y}" x2="{x + 15}" y2="{y}" stroke="#942514" '
                 f'stroke-dasharray="4 2" stroke-width="1.5"/><text x="{x + 20}" y="{y + 4}" '
                 'fill="#0b0c0c">critical path</text>')
    return f'<g class="legend" font-size="10">{"".join(parts)}</g>'


# -- the e-mail version: a table of cells, one column a week ---------------------------------
@dataclass(frozen=True)
class Cell:
    bg: str | None  # fill colour when the phase runs that week
    mark: str  # "◆" per milestone forecast to land that week
    today: bool


@dataclass(frozen=True)
class BarRow:
    label: str
    rating: Rating | None
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class BarView:
    weeks: tuple[date, ...]  # Mondays
    rows: tuple[BarRow, ...]


def bars(report: Report, max_weeks: int = 20) -> BarView:
    first, last = _span(report)
    monday = first - timedelta(days=first.weekday())
    weeks = []
    d = monday
    while d <= last:
        weeks.append(d)
        d += timedelta(days=7)
    if len(weeks) > max_weeks:  # a window around today: 4 weeks back, the rest ahead
        this = report.today - timedelta(days=report.today.weekday())
        begin = max(0, min(weeks.index(this) - 4 if this in weeks else 0, len(weeks) - max_weeks))
        weeks = weeks[begin: begin + max_weeks]
    this_week = report.today - timedelta(days=report.today.weekday())
    begin_of = starts(report)
    rows = []
    for g in _groups(report):
        g_start = min(begin_of[r.id] for r in g.rows)
        g_end = max((r.forecast or r.due) for r in g.rows)
        cells = []
        for w in weeks:
            sunday = w + timedelta(days=6)
            active = g_start <= sunday and g_end >= w
            landing = sum(1 for r in g.rows if r.forecast and w <= r.forecast <= sunday)
            cells.append(Cell(colour(g.rating) if active else None,
                              "◆" * min(landing, 3) + ("+" if landing > 3 else ""), w == this_week))
        rows.append(BarRow(g.title, g.rating, tuple(cells)))
    return BarView(tuple(weeks), tuple(rows))
