"""Hypothesis strategies for whole plans as leads write them, and what their owners report.

- `plan_documents()`: the contents of a plan file (plain dicts, lists and strings, so
  `yaml.safe_dump` writes a file a lead could have written): 1-40 milestones in a random
  dependency graph, due dates absolute (ISO or written out) or relative ("+10 working days",
  "+2 weeks from start", "+3 working days after m4"), phases or workstreams, a region's bank
  holidays, odd weekends, closures, a few timezones; written in dependency order or shuffled.
- `plans()`: the same, validated into a `Plan` (the strategy fails loudly if validation does not
  accept what it drew: that is a bug in the strategy, not a plan to skip).
- `histories(plan, until)`: a status history as the store keeps it: started, done (on weekends
  and bank holidays too), blocked with a reason, dropped, reopened, owners' own forecasts, notes.
- `moments(plan)`: an instant to look at the plan, biased to the days rules trip over: weekends,
  bank holidays, closures, due dates, just after midnight and just before it in the plan's zone.
- `tracked_plans()`: all of it together, as a `TrackedPlan`.

Everything is drawn from Hypothesis, so failures shrink to a small plan and a short history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pendulum
import yaml
from hypothesis import strategies as st

from programme.planfiles.validation import DAY_NAMES, validate
from programme.planfiles.yamlfile import load_yaml
from programme.rules.model import REGIONS, Calendar, Plan, Status, StatusEntry
from programme.rules.workdays import plain_utc, working_calendar

FILE = "generated.yaml"
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
TIMEZONES = ("Europe/London", "Europe/London", "Europe/London", "UTC", "Europe/Dublin",
             "Atlantic/Stanley", "Europe/Gibraltar")
PEOPLE = {
    "ana": {"name": "Ana Lee", "contacts": ["ana@example.gov.uk"], "manager": "bob"},
    "bob": {"name": "Bob Khan", "contacts": ["bob@example.gov.uk"]},
    "cara": {"name": "Cara Jones", "contacts": ["cara@example.gov.uk"]},
    "sam": {"name": "Sam Patel", "contacts": ["sam@example.gov.uk"], "manager": "cara"},
    "tom": {"name": "Tom Reid", "contacts": ["slack://TokenA/TokenB/TokenC/#commissioning"]},
}
OWNERS = ("ana", "bob", "sam", "tom", "cara")
WEEKENDS = (None, ("saturday", "sunday"), ("sunday",), ("friday", "saturday"))
TITLES = ("Needs assessment", "Discovery day", "Four personas", "Market engagement event",
          "Options paper to the board", "Contract award", "Service assessment", "Go live",
          "Joint commissioning intent", "Pooled budget options")
UNITS = {"working days": (1, True), "days": (1, False), "weeks": (7, False)}


def _written_date(day: date, style: int) -> str:
    return (day.isoformat(), f"{day:%-d %b %Y}", f"{day:%A %-d %B %Y}")[style]


def _unit_text(unit: str, count: int) -> str:
    return unit if count != 1 else unit[:-1]  # "1 working day", "1 week"


# Strategies built once: making new ones inside the loop below cost more than drawing from them.
_INDEX = st.integers(0, 2**16)  # an index into a list drawn as it grows, taken modulo its length
_DEP_COUNT = st.integers(0, 3)
_KIND = st.sampled_from(("absolute", "from start", "after"))
_DAYS_LATER = st.integers(0, 45)
_DATE_STYLE = st.integers(0, 2)
_UNIT = st.sampled_from(sorted(UNITS))
_COUNT = {7: st.integers(0, 6), 1: st.integers(0, 30)}
_AFTER_WORD = st.sampled_from(("after", "from"))
_START_WORDS = st.sampled_from(("", " after start", " from start"))
_TITLE = st.sampled_from(TITLES)
_OWNER = st.sampled_from(OWNERS)
_SECTION = st.integers(0, 3)


def _pick(draw, options: list):
    return options[draw(_INDEX) % len(options)]


@st.composite
def plan_documents(draw, min_milestones: int = 1, max_milestones: int = 40) -> dict:
    n = draw(st.integers(min_milestones, max_milestones))
    start = draw(st.dates(date(2025, 1, 1), date(2028, 6, 30)))
    region = draw(st.sampled_from(sorted(REGIONS)))
    weekends = draw(st.sampled_from(WEEKENDS))
    closures = draw(st.lists(st.dates(start, start + timedelta(days=400)), max_size=3, unique=True))
    calendar_doc: dict = {"region": region}
    if weekends is not None:
        calendar_doc["weekends"] = list(weekends)
    if closures:
        calendar_doc["closures"] = [d.isoformat() for d in sorted(closures)]
    cal = working_calendar(Calendar(
        region=region, closures=frozenset(closures),
        weekends=frozenset(DAY_NAMES.index(d) for d in weekends or ("saturday", "sunday"))))

    ids = [f"m{i}" for i in range(n)]
    dues: dict[str, date] = {}
    entries: list[dict] = []
    for i, mid in enumerate(ids):
        earlier = ids[:i]  # depending only on earlier ones keeps the graph acyclic
        deps = list(dict.fromkeys(_pick(draw, earlier) for _ in range(draw(_DEP_COUNT)))) \
            if earlier else []
        kind = draw(_KIND)
        after = _pick(draw, earlier) if kind == "after" and earlier else None
        floor = max((dues[d] for d in [*deps, *([after] if after else [])]), default=start)
        if kind == "absolute":
            due = floor + timedelta(days=draw(_DAYS_LATER))
            text = _written_date(due, draw(_DATE_STYLE))
        else:
            unit = draw(_UNIT)
            size, working = UNITS[unit]
            count = draw(_COUNT[size])
            anchor = dues[after] if after else start

            def land(count: int, anchor: date = anchor, size: int = size,
                     working: bool = working) -> date:
                # as validation resolves it: working days in the plan's calendar, else days
                return cal.add(anchor, count * size) if working \
                    else anchor + timedelta(days=count * size)

            while land(count) < floor:  # never due before a dependency: validation rejects it
                count += 1
            due = land(count)
            if after:
                text = f"+{count} {_unit_text(unit, count)} {draw(_AFTER_WORD)} {after}"
            else:
                text = f"+{count} {_unit_text(unit, count)}{draw(_START_WORDS)}"
        dues[mid] = due
        listed = list(deps)  # validation adds the rule's anchor itself; sometimes it is written too
        if after and after not in listed and draw(st.booleans()):
            listed.append(after)
        entry = {"id": mid, "title": f"{draw(_TITLE)} ({mid})", "owner": draw(_OWNER),
                 "due": text}
        if listed:
            entry["depends_on"] = listed
        entries.append(entry)

    if draw(st.booleans()):  # written in some other order than dependencies first
        entries = draw(st.permutations(entries))
    section_key = draw(st.sampled_from(("phases", "workstreams")))
    sections = [f"{section_key[:-1]}-{k}" for k in range(draw(st.integers(0, 3)))]
    placed: dict[str, str | None] = {}
    for e in entries:
        k = draw(_SECTION) % (len(sections) + 1)  # 0: outside any phase
        placed[e["id"]] = sections[k - 1] if k else None
    doc: dict = {
        "id": "generated-plan", "title": "A generated plan", "kind": "programme",
        "lead": "cara", "sponsor": "sam", "subscribers": ["cara"], "start": start.isoformat(),
        "timezone": draw(st.sampled_from(TIMEZONES)), "calendar": calendar_doc,
        "people": {pid: dict(fields) for pid, fields in PEOPLE.items()},
    }
    if sections:
        doc[section_key] = [{"id": s, "title": s.replace("-", " ").title(),
                             "milestones": [e for e in entries if placed[e["id"]] == s]}
                            for s in sections]
    loose = [e for e in entries if placed[e["id"]] is None]
    if loose or not sections:
        doc["milestones"] = loose
    return doc


def as_yaml(doc: dict) -> str:
    """The plan file a lead would have written."""
    return yaml.dump(doc, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)


def validated(doc: dict) -> Plan:
    """The document read as the plan file it stands for (line marks and all), then validated."""
    plan, problems = validate(load_yaml(as_yaml(doc)), FILE)
    assert plan is not None, "the plan strategy drew an invalid plan:\n" + \
        "\n".join(str(p) for p in problems)
    return plan


def plans(min_milestones: int = 1, max_milestones: int = 40) -> st.SearchStrategy[Plan]:
    return plan_documents(min_milestones, max_milestones).map(validated)


def _span(plan: Plan) -> tuple[date, date]:
    return plan.start - timedelta(days=7), max(m.due for m in plan.milestones) + timedelta(days=30)


def _local(day: date, at: time, tz: str) -> datetime:
    return plain_utc(pendulum.datetime(day.year, day.month, day.day, at.hour, at.minute,
                                       at.second, tz=tz))


@st.composite
def moments(draw, plan: Plan) -> datetime:
    """An aware UTC instant around the plan's life, on a day chosen to be awkward."""
    first, last = _span(plan)
    cal = working_calendar(plan.calendar)
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    awkward = [d for d in days if not cal.is_working_day(d)]  # weekends, bank holidays, closures
    choices = [st.dates(first, last), st.sampled_from([m.due for m in plan.milestones])]
    if awkward:
        choices.append(st.sampled_from(awkward))
    day = draw(st.one_of(choices))
    at = draw(st.one_of(st.sampled_from((time(0, 0), time(0, 30), time(8, 59), time(9, 0),
                                         time(12, 0), time(16, 59), time(17, 0),
                                         time(23, 59, 59))),
                        st.times()))
    return _local(day, at.replace(microsecond=0), plan.timezone)


@st.composite
def histories(draw, plan: Plan, until: datetime | None = None,
              max_entries: int = 60) -> tuple[StatusEntry, ...]:
    """Entries oldest first (ties in the order drawn, as the store's sequence keeps them), all at
    or before `until` when given."""
    first = datetime.combine(plan.start - timedelta(days=5), time(9), tzinfo=UTC)
    last = until or datetime.combine(_span(plan)[1], time(17), tzinfo=UTC)
    if last < first:
        return ()
    ids = [m.id for m in plan.milestones]
    entry = st.builds(
        lambda mid, status, seconds, forecast, reason, note: (mid, status, seconds, forecast,
                                                               reason, note),
        st.sampled_from(ids), st.sampled_from(list(Status)),
        st.integers(0, int((last - first).total_seconds())),
        st.none() | st.integers(-10, 40), st.none() | st.sampled_from(
            ("waiting for the data-sharing agreement", "no budget code yet")),
        st.none() | st.sampled_from(("41 responses so far", "ICB legal want another week")))
    drawn = draw(st.lists(entry, max_size=min(max_entries, 3 * len(ids))))
    by_id = plan.by_id
    out = []
    for mid, status, seconds, offset, reason, note in sorted(drawn, key=lambda e: e[2]):
        m = by_id[mid]
        out.append(StatusEntry(
            milestone_id=mid, status=status, at=first + timedelta(seconds=seconds), by=m.owner,
            forecast=m.due + timedelta(days=offset) if offset is not None else None,
            note=note, reason=reason if status == Status.BLOCKED else None))
    return tuple(out)


@dataclass(frozen=True)
class TrackedPlan:
    document: dict  # the plan file's contents
    plan: Plan
    history: tuple[StatusEntry, ...]  # all recorded at or before `now`
    now: datetime  # aware, UTC


@st.composite
def tracked_plans(draw, min_milestones: int = 1, max_milestones: int = 40) -> TrackedPlan:
    doc = draw(plan_documents(min_milestones, max_milestones))
    plan = validated(doc)
    now = draw(moments(plan))
    return TrackedPlan(doc, plan, draw(histories(plan, until=now)), now)
