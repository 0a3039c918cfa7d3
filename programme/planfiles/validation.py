"""Turn a raw plan into a Plan, collecting every mistake at once with where it is and what to do.

Validation never stops at the first problem: a lead fixing a plan wants the whole list. It never
raises either: whatever the input, the result is a Plan or a list of Problems.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from programme.contacts import is_email, mask_malformed
from programme.planfiles.rawplan import Raw
from programme.rules.chase import parse_window
from programme.rules.dates import DateError, parse_date, parse_due
from programme.rules.graph import ordering
from programme.rules.model import (
    PLAN_KINDS,
    REGIONS,
    Calendar,
    DueRule,
    Location,
    Milestone,
    Person,
    Phase,
    Plan,
    ReminderPolicy,
)
from programme.rules.plan_window import PlanWindow
from programme.rules.workdays import valid_timezone, working_calendar


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str
    milestone: str | None = None
    kind: str = "invalid"
    excerpt: str | None = None  # the line written and a caret under the place (YAML syntax)

    def __str__(self) -> str:
        where = f" [milestone {self.milestone}]" if self.milestone else ""
        return f"{self.location}:{where} {self.message}"


PLAN_FIELDS = ("id", "title", "kind", "lead", "sponsor", "subscribers", "start", "end",
               "timezone", "calendar", "people", "phases", "workstreams", "milestones",
               "reminders", "description", "rating_scale", "risks", "issues", "assumptions",
               "decisions", "dependencies", "budget", "checkin_link_days")
PERSON_FIELDS = ("id", "name", "contacts", "manager", "role")
SECTION_FIELDS = ("id", "title", "description", "milestones")
MILESTONE_FIELDS = ("id", "title", "owner", "due", "depends_on", "description", "evidence",
                    "phase", "reminders")
CALENDAR_FIELDS = ("region", "weekends", "closures")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)
_CONFIG = re.compile(r"^config:[^#\s][^#]*(#[^#\s]+)?$")  # an Apprise config file, #tags


def suggest(word: object, choices: list[str] | tuple[str, ...]) -> str:
    """' (did you mean 'x'?)' when something close exists, else ''."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def valid_contact(contact: object) -> bool:
    return isinstance(contact, str) and (is_email(contact) or bool(_URL.match(contact))
                                         or bool(_CONFIG.match(contact.strip())))


def _shown(value: object) -> object:
    """A value for a message: a contact-like text with its tokens masked."""
    return mask_malformed(value) if isinstance(value, str) else value


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # sound but probably not meant (kept only if sound)

    def at(self, raw: Any, key: str | int | None = None) -> Location:
        line = None
        if key is not None and hasattr(raw, "line_of"):
            line = raw.line_of(key)
        elif hasattr(raw, "line"):
            line = raw.line
        return Location(self.file, line)

    def add(self, location: Location, message: str, milestone: str | None = None,
            kind: str = "invalid") -> None:
        self.problems.append(Problem(location, message, milestone, kind))

    def unknown_fields(self, raw: dict, allowed: tuple[str, ...], what: str,
                       milestone: str | None = None) -> None:
        for key in raw:
            if key not in allowed:
                self.add(self.at(raw, key),
                         f"unknown field '{key}' in {what}{suggest(key, allowed)}; "
                         f"allowed: {', '.join(allowed)}", milestone, "unknown-field")

    def text(self, raw: dict, key: str, what: str, required: bool = True,
             milestone: str | None = None) -> str | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.add(self.at(raw), f"{what} has no '{key}'", milestone, "missing-field")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.add(self.at(raw, key), f"'{key}' of {what} should be text, not "
                     f"{type(value).__name__}", milestone)
            return None
        return str(value)

    def slug(self, raw: dict, key: str, what: str, milestone: str | None = None) -> str | None:
        value = self.text(raw, key, what, milestone=milestone)
        if value is not None and not _SLUG.match(value):
            self.add(self.at(raw, key), f"'{value}' is not a usable id for {what}: use lower-case "
                     "letters, digits and dashes (e.g. 'market-engagement')", milestone)
            return None
        return value

    def date(self, raw: dict, key: str, what: str, required: bool = False) -> date | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.add(self.at(raw), f"{what} has no '{key}' date", kind="missing-field")
            return None
        try:
            return parse_date(value)
        except DateError as exc:
            self.add(self.at(raw, key), f"bad date in '{key}' of {what}: {exc}", kind="bad-date")
            return None

    def items(self, raw: dict, key: str, what: str) -> list:
        """A list field; a lone scalar counts as a list of one."""
        value = raw.get(key)
        if value is None:
            return []
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return [value]
        if not isinstance(value, list):
            self.add(self.at(raw, key), f"'{key}' of {what} should be a list")
            return []
        return value

    def mapping(self, value: Any, where: Location, what: str) -> bool:
        if not isinstance(value, dict):
            self.add(where, f"{what} should be a mapping of fields, not {type(value).__name__}")
            return False
        return True


def validate(raw: Any, file: str,
             warnings: list[Problem] | None = None) -> tuple[Plan | None, list[Problem]]:
    """Check a raw plan. Returns (plan, []) when it is sound, else (None, every problem found).
    A sound plan's warnings (what is allowed but probably not meant, such as a fixed due date
    on a bank holiday) are added to `warnings` when a list is given: they do not stop the plan."""
    c = _Checker(file)
    if not isinstance(raw, dict):
        c.add(Location(file, getattr(raw, "line", None) or 1),
              "a plan file must hold a mapping of plan fields (id, title, lead, start, people, "
              "milestones...)")
        return None, c.problems
    c.unknown_fields(raw, PLAN_FIELDS, "the plan")
    plan_id = c.slug(raw, "id", "the plan")
    title = c.text(raw, "title", "the plan")
    description = c.text(raw, "description", "the plan", required=False)
    kind = c.text(raw, "kind", "the plan", required=False) or "programme"
    if kind not in PLAN_KINDS:
        c.add(c.at(raw, "kind"), f"unknown plan kind '{kind}'{suggest(kind, PLAN_KINDS)}; "
              f"use one of: {', '.join(PLAN_KINDS)}")
    start = c.date(raw, "start", "the plan", required=True)
    end = c.date(raw, "end", "the plan")
    window = None if start is None else PlanWindow.of(kind, start, end)
    if window is not None:
        end = window.end
        if window.ends_before_it_starts:
            c.add(c.at(raw, "end"), f"the plan ends ({end}) before it starts ({start})",
                  kind="bad-date")
    timezone = c.text(raw, "timezone", "the plan", required=False) or "Europe/London"
    if not valid_timezone(timezone):
        c.add(c.at(raw, "timezone"), f"unknown timezone '{timezone}': use an IANA name such as "
              "Europe/London", kind="bad-timezone")
        timezone = "Europe/London"
    calendar = _calendar(c, raw)
    people = _people(c, raw)
    lead = _person_ref(c, raw, "lead", people, required=True)
    sponsor = _person_ref(c, raw, "sponsor", people, required=False)
    subscribers = []
    subs = c.items(raw, "subscribers", "the plan")
    for i, sub in enumerate(subs):
        if isinstance(sub, str) and (sub in people or valid_contact(sub)):
            subscribers.append(sub)
        else:
            c.add(Location(file, _line(raw.get("subscribers"), i) or _line(raw, "subscribers")),
                  f"subscriber {_shown(sub)!r} is neither a person in this plan nor a contact"
                  f"{suggest(sub, list(people))}", kind="unknown-person")
    reminders = _reminders(c, raw.get("reminders"), c.at(raw, "reminders"), None)
    link_days = raw.get("checkin_link_days", 30)
    if isinstance(link_days, bool) or not isinstance(link_days, int) or not 1 <= link_days <= 366:
        c.add(c.at(raw, "checkin_link_days"), "checkin_link_days should be a whole number of days "
              f"from 1 to 366 (how long a check-in link works), not {link_days!r}")
        link_days = 30
    phases, entries = _sections(c, raw)
    milestones = _milestones(c, entries, people, {p.id for p in phases}, calendar, window)
    from programme.planfiles import raid  # RAID log, rating scale and budget: planfiles/raid.py
    extras = raid.check(c, raw, people, entries)

    if c.problems or plan_id is None or title is None or start is None or lead is None:
        c.problems.sort(key=lambda p: p.location.line or 0)
        if not c.problems:
            c.add(Location(file, getattr(raw, "line", None)), "the plan is incomplete")
        return None, c.problems
    if warnings is not None:
        warnings.extend(sorted(c.warnings, key=lambda p: p.location.line or 0))
    return Plan(
        id=plan_id, title=title, kind=kind, lead=lead, start=start, people=people,
        milestones=milestones, sponsor=sponsor, subscribers=tuple(subscribers), end=end,
        timezone=timezone, calendar=calendar, phases=tuple(phases), description=description,
        reminders=reminders, source=Location(file, getattr(raw, "line", None)), checkin_link_days=link_days,
        **extras,
    ), []


def _line(container: Any, index: int | str) -> int | None:
    return container.line_of(index) if hasattr(container, "line_of") else None


def _calendar(c: _Checker, raw: dict) -> Calendar:
    value = raw.get("calendar")
    if value is None:
        return Calendar()
    if not c.mapping(value, c.at(raw, "calendar"), "'calendar'"):
        return Calendar()
    c.unknown_fields(value, CALENDAR_FIELDS, "the calendar")
    region = value.get("region", "england-and-wales")
    if not isinstance(region, str) or region not in REGIONS:
        c.add(c.at(value, "region"), f"unknown region {region!r}{suggest(region, list(REGIONS))}; "
              f"use one of: {', '.join(REGIONS)}", kind="bad-region")
        region = "england-and-wales"
    weekends = set()
    for i, day in enumerate(c.items(value, "weekends", "the calendar") or ["saturday", "sunday"]):
        name = str(day).strip().lower()
        if name in DAY_NAMES:
            weekends.add(DAY_NAMES.index(name))
        else:
            c.add(Location(c.file, _line(value.get("weekends"), i) or _line(value, "weekends")),
                  f"unknown day {day!r} in weekends{suggest(name, DAY_NAMES)}")
    closures = set()
    for i, day in enumerate(c.items(value, "closures", "the calendar")):
        try:
            closures.add(parse_date(day))
        except DateError as exc:
            c.add(Location(c.file, _line(value.get("closures"), i) or _line(value, "closures")),
                  f"bad closure date: {exc}", kind="bad-date")
    if len(weekends) == 7:
        c.add(c.at(value, "weekends"), "every day is a weekend: the plan would have no working days")
        weekends = {5, 6}
    return Calendar(region=region, weekends=frozenset(weekends), closures=frozenset(closures))


def _people(c: _Checker, raw: dict) -> dict[str, Person]:
    value = raw.get("people")
    entries: list[tuple[Any, Location, str | None]] = []
    if value is None:
        c.add(c.at(raw), "the plan has no 'people': list the lead and every owner",
              kind="missing-field")
        return {}
    if isinstance(value, dict):  # YAML style: id -> fields
        for pid, fields in value.items():
            where = c.at(value, pid)
            if fields is None:
                fields = Raw(line=where.line)
            if isinstance(fields, str):  # `ana: Ana Smith`
                fields = Raw({"name": fields}, line=where.line)
            entries.append((fields, where, str(pid)))
    elif isinstance(value, list):
        for i, fields in enumerate(value):
            entries.append((fields, Location(c.file, _line(value, i) or _line(raw, "people")), None))
    else:
        c.add(c.at(raw, "people"), "'people' should be a mapping of person id to their details")
        return {}
    people: dict[str, Person] = {}
    managers: list[tuple[str, str, Location]] = []
    for fields, where, pid in entries:
        if not c.mapping(fields, where, "a person"):
            continue
        if pid is not None:
            if "id" in fields:
                c.add(c.at(fields, "id"), f"person '{pid}' is keyed by id already; drop 'id'")
            fields = Raw(fields, line=fields.line if hasattr(fields, "line") else where.line)
            fields["id"] = pid
        c.unknown_fields(fields, PERSON_FIELDS, f"person '{fields.get('id')}'")
        person_id = c.slug(fields, "id", "a person")
        name = c.text(fields, "name", f"person '{person_id}'")
        contacts = []
        for i, contact in enumerate(c.items(fields, "contacts", f"person '{person_id}'")):
            if valid_contact(contact):
                contacts.append(contact)
            else:
                c.add(Location(c.file, _line(fields.get("contacts"), i) or where.line),
                      f"malformed contact {_shown(contact)!r} for person '{person_id}': write an "
                      "email address (ana@example.gov.uk), an Apprise URL (workflows://... for "
                      "Teams, slack://..., mailto://...) or config:PATH#TAG", kind="bad-contact")
        manager = c.text(fields, "manager", f"person '{person_id}'", required=False)
        role = c.text(fields, "role", f"person '{person_id}'", required=False)
        if person_id is None:
            continue
        if person_id in people:
            c.add(where, f"duplicate person id '{person_id}'", kind="duplicate-id")
            continue
        people[person_id] = Person(person_id, name or person_id, tuple(contacts), manager, role)
        if manager:
            managers.append((person_id, manager, c.at(fields, "manager")))
    for person_id, manager, where in managers:
        if manager not in people:
            c.add(where, f"manager '{manager}' of '{person_id}' is not a person in this plan"
                  f"{suggest(manager, list(people))}", kind="unknown-person")
    _check_no_manager_loops(c, people, {pid: where for pid, _, where in managers})
    return people


def _check_no_manager_loops(c: _Checker, people: dict[str, Person],
                            written: dict[str, Location]) -> None:
    """Managers form a chain that ends: escalation climbs it, so a loop (A's manager is B and
    B's is A, or longer) would leave nobody above. Each loop is named once, at its first
    person's `manager` line; a person who is their own manager is a loop of one."""
    graph = ordering({pid: (p.manager,) if p.manager in people else ()
                      for pid, p in people.items()})
    for loop in graph.cycles:
        chain = " → ".join([*loop, loop[0]])
        c.add(written.get(loop[0], Location(c.file)), f"managers go round in a loop: {chain} "
              "(each one's manager is the next); give one of them a manager outside the loop "
              "or none", kind="manager-loop")


def _person_ref(c: _Checker, raw: dict, key: str, people: dict, required: bool) -> str | None:
    value = c.text(raw, key, "the plan", required=required)
    if value is not None and value not in people:
        c.add(c.at(raw, key), f"{key} '{value}' is not a person in this plan"
              f"{suggest(value, list(people))}: add them under 'people'", kind="unknown-person")
        return None
    return value


def _reminders(c: _Checker, value: Any, where: Location, milestone: str | None) -> ReminderPolicy:
    if value is None:
        return ReminderPolicy()
    if not c.mapping(value, where, "'reminders'"):
        return ReminderPolicy()
    c.unknown_fields(value, ReminderPolicy.FIELDS, "reminders", milestone)
    out: dict[str, Any] = {}

    def count(key: str, minimum: int) -> None:
        v = value.get(key)
        if v is None:
            return
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            c.add(c.at(value, key), f"reminders '{key}' should be a whole number of working days "
                  f"(at least {minimum}), not {v!r}", milestone)
        else:
            out[key] = v

    for key in ("chase_every", "escalate_to_manager_after", "escalate_to_sponsor_after",
                "blocked_every"):
        count(key, 1)
    if "before" in value:
        before = value["before"]
        items = before if isinstance(before, list) else [before]
        if all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 250 for v in items):
            out["before"] = tuple(sorted(set(items), reverse=True))
        else:
            c.add(c.at(value, "before"), "reminders 'before' should list working days before the "
                  f"due date, e.g. [5, 1, 0], not {before!r}", milestone)
    if "window" in value:
        window = value["window"]
        try:
            out["window"] = parse_window(window)
        except ValueError:
            c.add(c.at(value, "window"), f"reminders 'window' should be like '09:00-17:00', not "
                  f"{window!r}", milestone)
    if "enabled" in value:
        if isinstance(value["enabled"], bool):
            out["enabled"] = value["enabled"]
        else:
            c.add(c.at(value, "enabled"), "reminders 'enabled' should be true or false", milestone)
    return ReminderPolicy(**out)


def _sections(c: _Checker, raw: dict) -> tuple[list[Phase], list[tuple[Any, Location, str | None]]]:
    """Phases/workstreams, and every milestone entry with the section it was written under."""
    phases: list[Phase] = []
    entries: list[tuple[Any, Location, str | None]] = []
    seen: set[str] = set()
    for key, kind in (("phases", "phase"), ("workstreams", "workstream")):
        for i, section in enumerate(c.items(raw, key, "the plan")):
            where = Location(c.file, _line(raw.get(key), i) or _line(raw, key))
            if not c.mapping(section, where, f"a {kind}"):
                continue
            c.unknown_fields(section, SECTION_FIELDS, f"{kind} '{section.get('id')}'")
            section_id = c.slug(section, "id", f"a {kind}")
            title = c.text(section, "title", f"{kind} '{section_id}'", required=False)
            if section_id is None:
                continue
            if section_id in seen:
                c.add(where, f"duplicate {kind} id '{section_id}'", kind="duplicate-id")
                continue
            seen.add(section_id)
            phases.append(Phase(section_id, title or section_id, kind,
                                c.text(section, "description", kind, required=False)))
            for j, entry in enumerate(c.items(section, "milestones", f"{kind} '{section_id}'")):
                entries.append((entry, Location(c.file, _line(section.get("milestones"), j)),
                                section_id))
    for i, entry in enumerate(c.items(raw, "milestones", "the plan")):
        entries.append((entry, Location(c.file, _line(raw.get("milestones"), i)), None))
    return phases, entries


@dataclass(slots=True)
class _Entry:
    """One milestone as written: its fields, where it is, the section it is under, its id once
    checked (None when it has no usable one)."""

    raw: Any
    where: Location
    section: str | None
    id: str | None = None

    @property
    def what(self) -> str:
        return f"milestone '{self.id or '?'}'"


@dataclass(slots=True)
class _Draft:
    """A milestone that passed its own checks, waiting for the checks across milestones."""

    id: str
    title: str
    owner: str
    rule: DueRule | None
    depends_on: tuple[str, ...]
    phase: str | None
    description: str | None
    evidence: str | None
    reminders: ReminderPolicy
    location: Location
    raw: Any


def _milestones(c: _Checker, entries: list, people: dict, phase_ids: set[str], calendar: Calendar,
                window: PlanWindow | None) -> tuple[Milestone, ...]:
    """Each milestone on its own, then what holds across them: dependencies that exist, no cycle,
    due dates after their dependencies and inside the plan window."""
    drafts: dict[str, _Draft] = {}
    for raw, where, section in entries:
        draft = _milestone(c, raw, where, section, people, phase_ids, drafts)
        if draft is not None:
            drafts[draft.id] = draft

    _check_dependencies_exist(c, drafts)
    order = _check_no_cycles(c, drafts)
    dues: dict[str, date] = {}
    if window is not None:
        dues = _due_dates(drafts, order, window.start, calendar)
        roots = _Roots(drafts, dues, window)
        for d in drafts.values():  # in written order, so problems on one line keep that order
            if d.id in dues:
                _check_due_after_dependencies(c, d, dues, roots)
                _check_due_in_window(c, d, dues[d.id], window, roots)
                _check_due_on_a_working_day(c, d, dues[d.id], calendar)
        roots.report(c)
    if c.problems:  # a draft without a due rule has its problem listed, so none is left out below
        return ()
    return tuple(
        Milestone(id=d.id, title=d.title, owner=d.owner, due=dues[d.id], due_rule=d.rule,
                  depends_on=d.depends_on, phase=d.phase, description=d.description,
                  evidence=d.evidence, reminders=d.reminders, location=d.location)
        for d in drafts.values() if d.rule is not None
    )


def _milestone(c: _Checker, raw: Any, where: Location, section: str | None, people: dict,
               phase_ids: set[str], drafts: dict[str, _Draft]) -> _Draft | None:
    """One milestone's own checks, in the order its problems are listed; None when it cannot be
    kept (no usable id, or an id already taken)."""
    if not c.mapping(raw, where, "a milestone"):
        return None
    e = _Entry(raw, Location(c.file, getattr(raw, "line", None) or where.line), section)
    e.id = _check_id(c, e)
    _check_fields(c, e)
    title = _check_title(c, e)
    owner = _check_owner(c, e, people)
    rule = _check_due(c, e)
    depends_on = _check_depends_on(c, e)
    phase = _check_phase(c, e, phase_ids)
    reminders = _reminders(c, raw.get("reminders"), c.at(raw, "reminders"), e.id)
    if e.id is None or not _check_unique(c, e, drafts):
        return None
    if rule and rule.after and rule.after not in depends_on:
        depends_on.append(rule.after)
    description = c.text(raw, "description", "milestone", required=False)  # optional, text
    evidence = c.text(raw, "evidence", "milestone", required=False)
    return _Draft(e.id, title or e.id, owner or "", rule, tuple(dict.fromkeys(depends_on)), phase,
                  description, evidence, reminders, e.where, raw)


def _check_id(c: _Checker, e: _Entry) -> str | None:
    """A milestone has an id of lower-case letters, digits and dashes (it is how others refer to
    it, in depends_on, check-in links and the store)."""
    return c.slug(e.raw, "id", "a milestone")


def _check_fields(c: _Checker, e: _Entry) -> None:
    """A milestone has only the milestone fields; a misspelt one is named with the likely fix."""
    c.unknown_fields(e.raw, MILESTONE_FIELDS, e.what, e.id)


def _check_title(c: _Checker, e: _Entry) -> str | None:
    """A milestone has a title, written as text."""
    return c.text(e.raw, "title", e.what, milestone=e.id)


def _check_owner(c: _Checker, e: _Entry, people: dict) -> str | None:
    """A milestone has an owner, and the owner is one of the plan's people."""
    owner = c.text(e.raw, "owner", e.what, milestone=e.id)
    if owner is not None and owner not in people:
        c.add(c.at(e.raw, "owner"), f"unknown owner '{owner}'{suggest(owner, list(people))}: "
              "add them under 'people' or fix the name", e.id, "unknown-owner")
    return owner


def _check_due(c: _Checker, e: _Entry) -> DueRule | None:
    """A milestone has a due date: a date, or (working) days after the plan start or after
    another milestone."""
    due = e.raw.get("due")
    if due is None:
        c.add(e.where, f"{e.what} has no 'due' date", e.id, "missing-field")
        return None
    try:
        return parse_due(due)
    except DateError as exc:
        c.add(c.at(e.raw, "due"), f"bad due date: {exc}", e.id, "bad-date")
        return None


def _check_depends_on(c: _Checker, e: _Entry) -> list[str]:
    """depends_on lists milestone ids (a lone id counts as a list of one)."""
    depends_on = []
    for dep in c.items(e.raw, "depends_on", e.what):
        if isinstance(dep, str):
            depends_on.append(dep)
        else:
            c.add(c.at(e.raw, "depends_on"), f"depends_on should list milestone ids, not {dep!r}",
                  e.id)
    return depends_on


def _check_phase(c: _Checker, e: _Entry, phase_ids: set[str]) -> str | None:
    """A milestone is in the phase or workstream it is written under, or the one its 'phase'
    names (not both), and that phase exists."""
    if e.raw.get("phase") is None:
        return e.section
    if e.section is not None:
        c.add(c.at(e.raw, "phase"), "milestone is written inside a phase and also names 'phase'; "
              "keep one", e.id)
    phase = c.text(e.raw, "phase", e.what, milestone=e.id)
    if phase is not None and phase not in phase_ids:
        c.add(c.at(e.raw, "phase"), f"unknown phase '{phase}'{suggest(phase, sorted(phase_ids))}",
              e.id)
    return phase


def _check_unique(c: _Checker, e: _Entry, drafts: dict[str, _Draft]) -> bool:
    """Milestone ids are unique in the plan; a second one is reported with where the first is."""
    if e.id not in drafts:
        return True
    c.add(e.where, f"duplicate milestone id '{e.id}' (first defined at {drafts[e.id].location})",
          e.id, "duplicate-id")
    return False


def _check_dependencies_exist(c: _Checker, drafts: dict[str, _Draft]) -> None:
    """Every dependency, in depends_on or as the anchor of a relative due date, is a milestone
    of this plan."""
    for d in drafts.values():
        for dep in d.depends_on:
            if dep not in drafts:
                c.add(c.at(d.raw, "depends_on" if "depends_on" in d.raw else "due"),
                      f"depends on unknown milestone '{dep}'{suggest(dep, list(drafts))}", d.id,
                      "unknown-dependency")


def _check_no_cycles(c: _Checker, drafts: dict[str, _Draft]) -> list[str]:
    """No milestone depends on itself through others; each cycle is named in full, at its first
    milestone. Returns the dependency order of the milestones not caught in a cycle."""
    graph = ordering({mid: d.depends_on for mid, d in drafts.items()})
    for cycle in graph.cycles:
        first = drafts[cycle[0]]
        c.add(first.location, "dependency cycle: " + " → ".join([*cycle, cycle[0]]) +
              " (each depends on the next); break it by removing one of these dependencies",
              first.id, "cycle")
    return graph.order


def _due_dates(drafts: dict[str, _Draft], order: list[str], start: date,
               calendar: Calendar) -> dict[str, date]:
    """Each due date, in dependency order: the date written, else the days written after the plan
    start or after the anchor's due date (working days on the plan's calendar). A milestone whose
    rule or anchor is broken has none (its problem is reported already)."""
    cal = working_calendar(calendar)
    dues: dict[str, date] = {}
    for mid in order:
        rule = drafts[mid].rule
        if rule is None:
            continue
        if rule.absolute is not None:
            dues[mid] = rule.absolute
            continue
        anchor = start if rule.after is None else dues.get(rule.after)
        if anchor is None:
            continue
        dues[mid] = cal.add(anchor, rule.days) if rule.working else anchor + timedelta(days=rule.days)
    return dues


_LISTED = 6  # milestones named in a root-cause message; the rest are counted


class _Roots:
    """Where each worked-out due date comes from, so that one wrong date is reported once.

    A milestone due '+5 working days after X' takes its date from X, and X perhaps from W: its
    root is the first milestone up that chain with a date written (none when the chain starts
    at the plan start). When a written date is wrong (a typo puts `cabinet-decision` in 2028),
    the dates worked out from it fall outside the window and the milestones that depend on
    them come due before them: those are listed in one message at the root's line, naming it
    as the cause, instead of one message per line the lead never touched. Milestones due before
    the root or a date worked out from it are put down to the root only when something else
    says it is off (it or another date from it is outside the window, or two or more milestones
    come due before it): otherwise the one milestone's own written date may be the wrong one,
    and it is reported at its own line."""

    def __init__(self, drafts: dict[str, _Draft], dues: dict[str, date], window: PlanWindow):
        self.drafts, self.dues, self.window = drafts, dues, window
        self._root: dict[str, str | None] = {}
        self.outside: dict[str, list[_Draft]] = {}  # root -> worked-out dates outside the window
        self.before: dict[str, list[tuple[_Draft, str]]] = {}  # root -> (milestone, dependency)

    def root(self, mid: str) -> str | None:
        chain: list[str] = []
        node = mid
        while True:
            if node in self._root:
                found = self._root[node]
                break
            d = self.drafts.get(node)
            if d is None or d.rule is None or node in chain:
                found = None
                break
            chain.append(node)
            if d.rule.absolute is not None:
                found = node
                break
            if d.rule.after is None:  # counted from the plan start
                found = None
                break
            node = d.rule.after
        for each in chain:
            self._root[each] = found
        return found

    def wrong(self, mid: str | None) -> bool:
        """A written date outside the window: the likely cause of what follows from it."""
        return mid is not None and mid in self.dues and not self.window.holds(self.dues[mid])

    def fold_outside(self, d: _Draft) -> bool:
        """Keep a worked-out date outside the window for its root's message."""
        root = self.root(d.id)
        if d.rule is None or d.rule.absolute is not None or root is None or root == d.id:
            return False
        self.outside.setdefault(root, []).append(d)
        return True

    def fold_before(self, d: _Draft, dep: str) -> bool:
        """Keep 'due before its dependency' for the root's message (the dependency is the root
        or is worked out from it); whether it goes there is decided in `report`."""
        root = self.root(dep)
        if root is None or root == d.id:
            return False
        self.before.setdefault(root, []).append((d, dep))
        return True

    def report(self, c: _Checker) -> None:
        for root in dict.fromkeys([*self.outside, *self.before]):
            outside, before = self.outside.get(root, []), self.before.get(root, [])
            late = set(d.id for d, _ in before)
            if not self.wrong(root) and not outside and len(late) < 2:  # nothing says it is off
                for d, dep in before:
                    _before_dependency(c, d, dep, self.dues)
                continue
            if not self.wrong(root) and not before and len(outside) == 1:
                d = outside[0]  # one date too far on from a sound one: said on its own line
                c.add(c.at(d.raw, "due"), f"due {self.dues[d.id]} (worked out from '{root}', "
                      f"due {self.dues[root]}) is outside the plan window ({self.window})",
                      d.id, "outside-window")
                continue
            c.add(Location(c.file, self._line(c, root)), self._message(c, root, outside, before),
                  root, "root-cause")

    def _line(self, c: _Checker, mid: str) -> int | None:
        d = self.drafts[mid]
        return c.at(d.raw, "due").line or d.location.line

    def _message(self, c: _Checker, root: str, outside: list[_Draft],
                 before: list[tuple[_Draft, str]]) -> str:
        parts = []
        if outside:
            n = len(outside)
            parts.append(f"{n} due date{'s' if n != 1 else ''} {'fall' if n != 1 else 'falls'} "
                         f"outside the plan window ({self.window})")
        late = list(dict.fromkeys(d.id for d, _ in before))
        if late:
            n = len(late)
            parts.append(f"{n} milestone{'s' if n != 1 else ''} {'are' if n != 1 else 'is'} due "
                         f"before {'their dependencies' if n != 1 else 'its dependency'}")
        due, line = self.dues[root], self._line(c, root)
        window_years = {self.window.start.year, (self.window.end or self.window.start).year}
        if self.wrong(root):
            when = f"in {due.year}" if due.year not in window_years else f"on {due:%-d %B %Y}"
            cause = (f"because '{root}' (line {line}) is due {when}, outside the plan window: "
                     "fix that date")
        else:
            cause = (f"because they follow from '{root}' (line {line}), due {due:%-d %B %Y}: "
                     "check that date, or shorten the rules after it")
        following = [*[d.id for d in outside], *late]
        listed = ", ".join(f"'{mid}' (line {self._line(c, mid)})" for mid in following[:_LISTED])
        if len(following) > _LISTED:
            listed += f" and {len(following) - _LISTED} more"
        return f"{' and '.join(parts)} {cause}. {'They are' if len(following) > 1 else 'It is'}: " \
            f"{listed}"


def _before_dependency(c: _Checker, d: _Draft, dep: str, dues: dict[str, date]) -> None:
    c.add(c.at(d.raw, "due"), f"due {dues[d.id]} is before its dependency '{dep}' "
          f"(due {dues[dep]}); move it later or drop the dependency", d.id,
          "due-before-dependency")


def _check_due_after_dependencies(c: _Checker, d: _Draft, dues: dict[str, date],
                                  roots: _Roots) -> None:
    """A milestone is not due before anything it depends on (unless that is because of a wrong
    date up the chain, which is reported once at that date: see _Roots)."""
    due = dues[d.id]
    for dep in d.depends_on:
        if dep in dues and dues[dep] > due and not roots.fold_before(d, dep):
            _before_dependency(c, d, dep, dues)


def _check_due_in_window(c: _Checker, d: _Draft, due: date, window: PlanWindow,
                         roots: _Roots) -> None:
    """A milestone is due inside the plan window (see programme.rules.plan_window); a date
    worked out from another milestone's is reported with that one (see _Roots)."""
    if not window.holds(due) and not roots.fold_outside(d):
        c.add(c.at(d.raw, "due"), f"due {due} is outside the plan window ({window})", d.id,
              "outside-window")


def _check_due_on_a_working_day(c: _Checker, d: _Draft, due: date, calendar: Calendar) -> None:
    """A date written for a milestone falls on a working day of the plan's calendar: one on a
    weekend, a bank holiday or a closure day is allowed (a warning, not an error), since it may
    be meant, but reminders and slips count working days, so it is usually a slip of the pen.
    Due dates worked out from rules are left alone: '+N working days' lands on a working day."""
    if d.rule is None or d.rule.absolute is None:
        return
    cal = working_calendar(calendar)
    if cal.is_working_day(due):
        return
    name = cal.holiday_name(due)
    why = ("a closure day in the plan's calendar" if name == "closure" else
           f"a bank holiday ({name})" if name else "a weekend")
    before, after = cal.add(due, -1), cal.next_working_day(due)
    c.warnings.append(Problem(
        c.at(d.raw, "due"), f"due {due:%A %-d %B %Y}, which is {why}: move it to a "
        f"working day ({before:%A %-d %B} or {after:%A %-d %B %Y}) unless that is meant",
        d.id, "due-not-working-day"))
