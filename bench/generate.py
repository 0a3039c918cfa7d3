"""Generated plans of any size, for benchmarks that need thousands of milestones.

One seeded generator feeds three outputs that describe the same plan, so a benchmark can time
exactly the stage it cares about:

    generate_raw(n, seed)   -> dict   the plan as a plan file says it (dates as text, rules as text)
    generate_yaml(n, seed)  -> str    that dict in the real plan-file format (plans/*.yaml)
    generate_plan(n, seed)  -> Plan   the validated model, built directly (no parsing, no validation)
    generate_statuses(plan, seed, today) -> {milestone id: CurrentStatus}  reported statuses

The plan looks like a real, large programme: 50-200 people with a management tree, phases of
consecutive milestones, due dates spread over about two years, each milestone depending on 0-3
earlier ones within a window (so the graph is acyclic and local, like real plans), due dates
written as ISO dates, written dates ('15 Oct 2026') or rules ('+5 working days after X').

Run it to write a plan file:  python bench/generate.py 10000 --seed 1 > /tmp/plan.yaml
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from programme.rules.model import (
    Calendar,
    CurrentStatus,
    DueRule,
    Milestone,
    Person,
    Phase,
    Plan,
    ReminderPolicy,
    Status,
)
from programme.rules.workdays import working_calendar

START = date(2026, 4, 1)
SPAN_DAYS = 730  # due dates spread over about two years from the start
END = START + timedelta(days=SPAN_DAYS + 90)  # room for late rules and dependency lags
WINDOW = 40  # a milestone depends only on milestones among the previous WINDOW
CLOSURES = (date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31),
            date(2027, 12, 29), date(2027, 12, 30), date(2027, 12, 31))

_FIRST = ("ana", "ben", "chloe", "david", "ella", "femi", "grace", "hassan", "isla", "jamal",
          "kate", "liam", "maya", "nadia", "owen", "priya", "quinn", "rachel", "sam", "tom",
          "uma", "victor", "wen", "yusuf", "zara")
_LAST = ("shah", "reid", "chen", "okafor", "ellis", "begum", "osei", "lowe", "mensah", "adeyemi",
         "whitfield", "patel", "jones", "smith", "khan", "murphy", "walsh", "evans", "hughes",
         "campbell")
_ROLES = ("Commissioning Manager", "Contracts Officer", "Finance Business Partner",
          "Public Health Principal", "Procurement Lead", "Service Manager", "Data Analyst",
          "Engagement Officer", "Head of Service", "Legal Adviser")
_VERBS = ("Agree", "Draft", "Publish", "Review", "Sign off", "Launch", "Complete", "Test",
          "Procure", "Mobilise", "Consult on", "Evaluate")
_NOUNS = ("market position statement", "service specification", "needs assessment",
          "business case", "evaluation model", "contract variation", "data sharing agreement",
          "engagement plan", "equality impact assessment", "mobilisation plan",
          "provider shortlist", "outcomes framework", "budget profile", "risk register")
_PHASES = ("Analyse", "Plan", "Do", "Review", "Mobilise", "Procure", "Transition", "Evaluate")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class _Generated:
    raw: dict
    plan: Plan


def generate_raw(n: int, seed: int = 0) -> dict:
    """The plan as its file says it: plain dicts and lists, dates and rules as text."""
    return _generate(n, seed).raw


def generate_plan(n: int, seed: int = 0) -> Plan:
    """The same plan as a validated model, built directly (what validate() would return,
    without file locations)."""
    return _generate(n, seed).plan


def generate_yaml(n: int, seed: int = 0) -> str:
    """The same plan as plan-file YAML, laid out like plans/commissioning-academy-100-day.yaml."""
    return to_yaml(generate_raw(n, seed))


def generate_statuses(plan: Plan, seed: int = 0, today: date | None = None,
                      done_share: float = 0.3) -> dict[str, CurrentStatus]:
    """Reported statuses as a busy programme would have them on `today` (default: the day the
    earliest `done_share` of milestones fall due): those milestones done (a few late), about 1%
    blocked, 5% with an owner's forecast (most of them late), 10% in progress."""
    rng = random.Random(seed * 7919 + 17)
    by_due = sorted(plan.milestones, key=lambda m: m.due)
    n_done = int(len(by_due) * done_share)
    if today is None:
        today = by_due[min(n_done, len(by_due) - 1)].due if by_due else plan.start
    out: dict[str, CurrentStatus] = {}
    for m in by_due[:n_done]:
        late = rng.random() < 0.15
        done_on = min(m.due + timedelta(days=rng.randint(1, 10)) if late else m.due, today)
        out[m.id] = CurrentStatus(Status.DONE, done_on=done_on, by=m.owner)
    for m in by_due[n_done:]:
        r = rng.random()
        if r < 0.01:
            out[m.id] = CurrentStatus(Status.BLOCKED, reason="waiting for a decision", by=m.owner)
        elif r < 0.06:
            shift = rng.randint(-3, 20)
            out[m.id] = CurrentStatus(Status.IN_PROGRESS, forecast=m.due + timedelta(days=shift),
                                      by=m.owner)
        elif r < 0.16:
            out[m.id] = CurrentStatus(Status.IN_PROGRESS, by=m.owner)
    return out


# -- generation ------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _generate(n: int, seed: int) -> _Generated:
    rng = random.Random(seed)
    calendar = Calendar(region="england-and-wales", closures=frozenset(CLOSURES))
    cal = working_calendar(calendar)

    people_raw, people = _people(rng)
    ids = list(people)
    lead, sponsor = ids[0], ids[1]

    n_phases = max(1, min(24, n // 400 or 1, len(_PHASES) * 3))
    bounds = sorted(rng.sample(range(1, n), n_phases - 1)) if n > n_phases else []
    phase_of = []
    edges = [0, *bounds, n]
    phases_raw, phases = [], []
    for p in range(len(edges) - 1):
        pid = f"phase-{p + 1:02d}"
        title = f"{_PHASES[p % len(_PHASES)]} {p // len(_PHASES) + 1}"
        phases_raw.append({"id": pid, "title": title, "milestones": []})
        phases.append(Phase(pid, title, "phase"))
        phase_of.extend([p] * (edges[p + 1] - edges[p]))

    dues: list[date] = []
    milestones: list[Milestone] = []
    width = len(str(n))
    for i in range(n):
        mid = f"m{i + 1:0{width}d}"
        target = START + timedelta(days=int(SPAN_DAYS * i / max(1, n - 1)) + rng.randint(-10, 10))
        target = max(START, target)
        k = rng.choices((0, 1, 2, 3), weights=(15, 45, 28, 12))[0] if i else 0
        deps_idx = sorted(rng.sample(range(max(0, i - WINDOW), i), min(k, i)))
        deps = tuple(milestones[j].id for j in deps_idx)
        floor = max((dues[j] for j in deps_idx), default=START)
        rule, text = None, None
        if deps and rng.random() < 0.4:  # '+N working days after' the latest dependency
            anchor = max(deps_idx, key=lambda j: dues[j])
            days = rng.randint(1, 15)
            due = cal.add(dues[anchor], days)
            if due <= target + timedelta(days=30):
                text = f"+{days} working days after {milestones[anchor].id}"
                rule = DueRule(text=text, days=days, working=True, after=milestones[anchor].id)
        elif not deps and i < n // 50 + 3 and rng.random() < 0.5:  # early: '+N working days'
            days = rng.randint(2, 30)
            due = cal.add(START, days)
            text = f"+{days} working days"
            rule = DueRule(text=text, days=days, working=True)
        if rule is None:
            due = max(target, floor)
            if rng.random() < 0.25:
                text = f"{due.day} {_MONTHS[due.month - 1]} {due.year}"
            else:
                text = due.isoformat()
            rule = DueRule(text=text, absolute=due)
        dues.append(due)

        owner = rng.choice(ids)
        title = f"{rng.choice(_VERBS)} {rng.choice(_NOUNS)} {i + 1}"
        entry: dict = {"id": mid, "title": title, "owner": owner, "due": text}
        if deps:
            entry["depends_on"] = list(deps)
        description = evidence = None
        if rng.random() < 0.2:
            description = entry["description"] = f"Work needed for the {rng.choice(_NOUNS)}."
        if rng.random() < 0.1:
            evidence = entry["evidence"] = "Signed-off document in the programme folder."
        reminders = ReminderPolicy()
        if rng.random() < 0.02:
            entry["reminders"] = {"chase_every": 3, "before": [10, 5, 1]}
            reminders = ReminderPolicy(chase_every=3, before=(10, 5, 1))
        phases_raw[phase_of[i]]["milestones"].append(entry)
        milestones.append(Milestone(
            id=mid, title=title, owner=owner, due=due, due_rule=rule, depends_on=deps,
            phase=phases[phase_of[i]].id, description=description, evidence=evidence,
            reminders=reminders))

    plan_id = f"generated-{n}-{seed}"
    title = f"Generated programme of {n} milestones (seed {seed})"
    raw = {
        "id": plan_id,
        "title": title,
        "kind": "programme",
        "description": "A generated plan for benchmarks: not a real programme.",
        "lead": lead,
        "sponsor": sponsor,
        "start": START.isoformat(),
        "end": END.isoformat(),
        "timezone": "Europe/London",
        "calendar": {"region": "england-and-wales", "closures": [d.isoformat() for d in CLOSURES]},
        "subscribers": [sponsor, "programme.board@example.gov.uk"],
        "reminders": {"before": [5, 1, 0], "escalate_to_manager_after": 3, "window": "08:30-17:00"},
        "people": people_raw,
        "phases": phases_raw,
    }
    plan = Plan(
        id=plan_id, title=title, kind="programme", lead=lead, start=START, people=people,
        milestones=tuple(milestones), sponsor=sponsor,
        subscribers=(sponsor, "programme.board@example.gov.uk"), end=END,
        timezone="Europe/London", calendar=calendar, phases=tuple(phases),
        description=raw["description"],
        reminders=ReminderPolicy(before=(5, 1, 0), escalate_to_manager_after=3,
                                 window=("08:30", "17:00")),
    )
    return _Generated(raw, plan)


def _people(rng: random.Random) -> tuple[dict, dict[str, Person]]:
    count = rng.randint(50, 200)
    raw: dict = {}
    people: dict[str, Person] = {}
    for i in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        pid = f"{first}-{last}-{i + 1}"
        name = f"{first.title()} {last.title()}"
        contacts = [f"{first}.{last}.{i + 1}@example.gov.uk"]
        if rng.random() < 0.1:
            contacts.append(f"msteams://Token{i}A/Token{i}B/Token{i}C/")
        role = rng.choice(_ROLES)
        manager = list(people)[rng.randrange(min(i, 10 + i // 5))] if i else None
        entry: dict = {"name": name, "role": role, "contacts": contacts}
        if manager:
            entry["manager"] = manager
        raw[pid] = entry
        people[pid] = Person(pid, name, tuple(contacts), manager, role)
    return raw, people


# -- YAML ------------------------------------------------------------------------------------------

def to_yaml(raw: dict) -> str:
    """The raw plan as plan-file YAML (block style, milestones nested under their phase)."""
    lines = [f"# {raw['title']}", "# Generated by bench/generate.py: do not edit.", ""]
    for key in ("id", "title", "kind", "description", "lead", "sponsor", "start", "end",
                "timezone"):
        lines.append(f"{key}: {_scalar(raw[key])}")
    cal = raw["calendar"]
    lines += ["calendar:", f"  region: {cal['region']}", "  closures:"]
    lines += [f"    - {d}" for d in cal["closures"]]
    lines.append("subscribers:")
    lines += [f"  - {s}" for s in raw["subscribers"]]
    lines.append("reminders:")
    lines += [f"  {k}: {_scalar(v)}" for k, v in raw["reminders"].items()]
    lines += ["", "people:"]
    for pid, person in raw["people"].items():
        lines.append(f"  {pid}:")
        lines.append(f"    name: {_scalar(person['name'])}")
        lines.append(f"    role: {_scalar(person['role'])}")
        lines.append(f"    contacts: {_scalar(person['contacts'])}")
        if "manager" in person:
            lines.append(f"    manager: {person['manager']}")
    lines += ["", "phases:"]
    for phase in raw["phases"]:
        lines += [f"  - id: {phase['id']}", f"    title: {_scalar(phase['title'])}",
                  "    milestones:"]
        for m in phase["milestones"]:
            lines.append(f"      - id: {m['id']}")
            for key in ("title", "owner", "due", "depends_on", "description", "evidence",
                        "reminders"):
                if key in m:
                    lines.append(f"        {key}: {_scalar(m[key])}")
            lines.append("")
    return "\n".join(lines) + "\n"


def _scalar(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if text[:1] in "-[{&*!|>'\"%@`#," or any(c in text for c in ":#,[]{}"):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a generated plan file (YAML) to stdout.")
    parser.add_argument("milestones", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sys.stdout.write(generate_yaml(args.milestones, args.seed))


if __name__ == "__main__":
    main()
