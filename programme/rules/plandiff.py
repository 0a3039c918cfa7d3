"""What a change to a plan file changes, and what it does: the comparison behind `programme diff`.

Two versions of a plan, each assessed with the same stored statuses at the same moment and each
previewed over the same span, in; the differences out, as plain data for a pull-request comment:

* what changed: milestones added, removed or renamed, due dates moved, owners changed,
  dependencies added or dropped, plan settings changed. "Renamed" is a heuristic: a milestone
  gone and one new with the same title are taken to be one milestone with a new id. The store
  keys history by id, so a renamed milestone starts again as not started (its history stays
  with the old id);
* what it does: the forecast end and the critical path before and after, the slip of each
  milestone whose slip changed, the plan's rating before and after, and who gets new, moved or
  no longer due reminders (from the preview of each version: same step, same milestone, same
  person, another moment is "moved").

Pure: stdlib only, on Assessments and previews computed elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from programme.rules.assess import Assessment
from programme.rules.model import Milestone, Plan, Rating
from programme.rules.preview import Planned
from programme.rules.workdays import working_calendar

PLAN_SETTINGS = ("title", "kind", "lead", "sponsor", "start", "end", "timezone", "calendar",
                 "reminders", "subscribers")


@dataclass(frozen=True)
class Brief:
    """A milestone as a change list shows it."""

    id: str
    title: str
    owner: str  # the person's name
    due: date


@dataclass(frozen=True)
class Renamed:
    old: str
    new: str
    title: str


@dataclass(frozen=True)
class Moved:
    id: str
    title: str
    before: date
    after: date
    working_days: int  # later is positive
    follows: str | None = None  # the due rule is unchanged: it counts from this milestone


@dataclass(frozen=True)
class OwnerChange:
    id: str
    title: str
    before: str
    after: str


@dataclass(frozen=True)
class DependsChange:
    id: str
    title: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class SlipChange:
    id: str
    title: str
    before: int | None  # working days late; None when the milestone is not in that version
    after: int | None
    forecast_before: date | None
    forecast_after: date | None


@dataclass(frozen=True)
class ReminderChange:
    recipient: str
    name: str
    milestone_id: str
    title: str
    step: str
    change: str  # "new", "moved" or "gone"
    before: datetime | None
    after: datetime | None


@dataclass(frozen=True)
class PlanDiff:
    plan_id: str
    title: str
    new_plan: bool  # no earlier version: everything is added
    added: tuple[Brief, ...]
    removed: tuple[Brief, ...]
    renamed: tuple[Renamed, ...]
    retitled: tuple[tuple[str, str, str], ...]  # (id, title before, title after)
    moved: tuple[Moved, ...]
    owners: tuple[OwnerChange, ...]
    depends: tuple[DependsChange, ...]
    settings: tuple[str, ...]  # plan fields that changed (lead, calendar, reminders...)
    end_due: tuple[date | None, date | None]
    end_forecast: tuple[date | None, date | None]
    end_slip: tuple[int | None, int | None]
    end_moved: int | None  # working days the forecast end moved (later is positive)
    critical_path: tuple[tuple[str, ...], tuple[str, ...]]
    rating: tuple[Rating | None, Rating]
    reasons: tuple[tuple[str, ...], tuple[str, ...]]
    slips: tuple[SlipChange, ...]
    reminders: tuple[ReminderChange, ...]

    @property
    def changed(self) -> bool:
        return bool(self.new_plan or self.added or self.removed or self.renamed or self.retitled
                    or self.moved or self.owners or self.depends or self.settings)


def _name(plan: Plan, person: str) -> str:
    p = plan.people.get(person)
    return p.name if p else person


def _brief(plan: Plan, m: Milestone) -> Brief:
    return Brief(m.id, m.title, _name(plan, m.owner), m.due)


def renames(before: Plan, after: Plan) -> dict[str, str]:
    """old id -> new id for milestones gone and new with the same title (each title matched
    once, and only when it is unique on both sides)."""
    gone = [m for m in before.milestones if m.id not in after.by_id]
    new = [m for m in after.milestones if m.id not in before.by_id]
    out: dict[str, str] = {}
    for m in gone:
        same = [n for n in new if n.title.strip().lower() == m.title.strip().lower()]
        twins = [g for g in gone if g.title.strip().lower() == m.title.strip().lower()]
        if len(same) == 1 and len(twins) == 1 and same[0].id not in out.values():
            out[m.id] = same[0].id
    return out


def compare(before: Assessment | None, after: Assessment, before_preview: list[Planned],
            after_preview: list[Planned]) -> PlanDiff:
    """The differences between two assessed versions of a plan (before None: a new plan)."""
    new_plan = before is None
    a_plan = after.plan
    b_plan = before.plan if before else None
    renamed = renames(b_plan, a_plan) if b_plan else {}
    old_of = {new: old for old, new in renamed.items()}

    added, removed, retitled, moved, owners, depends = [], [], [], [], [], []
    cal = working_calendar(a_plan.calendar)
    for m in a_plan.milestones:
        old_id = old_of.get(m.id, m.id)
        old = b_plan.by_id.get(old_id) if b_plan else None
        if old is None or b_plan is None:
            added.append(_brief(a_plan, m))
            continue
        if old.title != m.title:
            retitled.append((m.id, old.title, m.title))
        if old.due != m.due:
            follows = m.due_rule.after if (m.due_rule.after and m.due_rule.text == old.due_rule.text
                                           .replace(old.due_rule.after or "", m.due_rule.after)) \
                else None
            moved.append(Moved(m.id, m.title, old.due, m.due, cal.between(old.due, m.due),
                               follows))
        if old.owner != m.owner:
            owners.append(OwnerChange(m.id, m.title, _name(b_plan, old.owner),
                                      _name(a_plan, m.owner)))
        was = {renamed.get(d, d) for d in old.depends_on}
        now = set(m.depends_on)
        if was != now:
            depends.append(DependsChange(m.id, m.title, tuple(d for d in m.depends_on
                                                              if d not in was),
                                         tuple(sorted(was - now))))
    if b_plan:
        removed = [_brief(b_plan, m) for m in b_plan.milestones
                   if m.id not in a_plan.by_id and m.id not in renamed]
    settings = tuple(f for f in PLAN_SETTINGS
                     if b_plan and getattr(b_plan, f) != getattr(a_plan, f))
    if b_plan and b_plan.people != a_plan.people:
        settings += ("people",)

    slips = []
    for m in a_plan.milestones:
        v = after.milestones[m.id]
        old_id = old_of.get(m.id, m.id)
        w = before.milestones.get(old_id) if before else None
        if w is None or w.slip != v.slip:
            slips.append(SlipChange(m.id, m.title, w.slip if w else None, v.slip,
                                    w.forecast if w else None, v.forecast))
    if before:
        slips += [SlipChange(b.id, b.title, before.milestones[b.id].slip, None,
                             before.milestones[b.id].forecast, None) for b in removed]

    b_over = before.overall if before else None
    ends = (b_over.forecast if b_over else None, after.overall.forecast)
    return PlanDiff(
        plan_id=a_plan.id, title=a_plan.title, new_plan=new_plan, added=tuple(added),
        removed=tuple(removed),
        renamed=tuple(Renamed(o, n, a_plan.by_id[n].title) for o, n in renamed.items()),
        retitled=tuple(retitled), moved=tuple(moved), owners=tuple(owners),
        depends=tuple(depends), settings=settings,
        end_due=(b_over.due if b_over else None, after.overall.due),
        end_forecast=ends,
        end_slip=(b_over.end_slip if b_over else None, after.overall.end_slip),
        end_moved=cal.between(ends[0], ends[1]) if ends[0] and ends[1] else None,
        critical_path=(before.critical_path if before else (), after.critical_path),
        rating=(before.rating if before else None, after.rating),
        reasons=(b_over.reasons if b_over else (), after.overall.reasons),
        slips=tuple(slips),
        reminders=tuple(reminder_changes(b_plan, a_plan, renamed, before_preview, after_preview)))


def reminder_changes(before: Plan | None, after: Plan, renamed: dict[str, str],
                     before_preview: list[Planned], after_preview: list[Planned]
                     ) -> list[ReminderChange]:
    """Who gets a notification the other version would not send, or at another moment: per
    person, in the order they go out."""
    def first(planned: list[Planned], ids: dict[str, str]) -> dict[tuple, Planned]:
        out: dict[tuple, Planned] = {}
        for p in planned:
            n = p.notification
            out.setdefault((ids.get(n.milestone_id, n.milestone_id), n.step, n.recipient), p)
        return out

    was = first(before_preview, renamed)
    now = first(after_preview, {})
    changes = []
    for ident in sorted(was.keys() | now.keys(),
                        key=lambda i: ((now.get(i) or was[i]).at, i)):
        b, a = was.get(ident), now.get(ident)
        if b is not None and a is not None and b.at == a.at:
            continue
        mid, step, person = ident
        plan = after if a is not None or before is None else before
        m = plan.by_id.get(mid) or (before.by_id.get(mid) if before else None)
        changes.append(ReminderChange(
            person, _name(plan, person), mid, m.title if m else mid, step,
            "new" if b is None else "gone" if a is None else "moved",
            b.at if b else None, a.at if a else None))
    return changes

