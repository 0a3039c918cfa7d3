"""What a report says, as plain data: every section a template shows, built once from an
Assessment (and last week's, and the status history) so templates only lay it out.

No rule is decided here: states, ratings, forecasts, slips and the critical path all come from
the Assessment. This module only selects and orders rows (what was done in the period, what is
due in the next two weeks...) and measures plan-vs-baseline variance for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from programme.rules.assess import GroupView, MilestoneView, PlanState
from programme.rules.forecast import OWNER_FORECAST, TODAY
from programme.rules.model import LeadRating, Plan, Rating, Status, StatusEntry
from programme.rules.scales import definition
from programme.rules.workdays import working_calendar

PERIOD = timedelta(days=7)  # "done in the period": the week before the report
LOOKAHEAD = timedelta(days=14)  # "due in the next two weeks"


@dataclass(frozen=True)
class Snapshot:
    """Everything a report needs about one plan at one moment."""

    state: PlanState
    previous: PlanState | None = None  # the same plan assessed a week earlier, for the trend
    history: tuple[StatusEntry, ...] = ()  # status history of the period (the week before)
    plan_changes: tuple = ()  # changes to the plan's own definition in the period (planchanges.PlanChange)

    @property
    def plan(self) -> Plan:
        return self.state.plan


@dataclass(frozen=True)
class Row:
    """One milestone as the reports show it."""

    id: str
    title: str
    owner: str  # the person's name (never their contacts: those carry tokens)
    phase: str | None
    due: date
    forecast: date | None
    baseline: date | None
    slip: int
    days_to_due: int
    state: str
    states: tuple[str, ...]
    rating: Rating | None
    critical: bool
    status: str
    reason: str | None
    note: str | None
    done_on: date | None
    driver: str | None  # why the forecast moved, in words
    variance: int | None  # working days from the baseline due date to the forecast

    @property
    def rating_label(self) -> str:
        return self.rating.label if self.rating is not None else "–"


@dataclass(frozen=True)
class PhaseRow:
    id: str
    title: str
    rating: Rating
    reasons: tuple[str, ...]
    done: int
    total: int
    due: date | None
    forecast: date | None
    end_slip: int
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Report:
    plan: Plan
    as_of: datetime
    today: date
    period_start: date
    lead_name: str
    sponsor_name: str | None
    rating: Rating
    reasons: tuple[str, ...]
    previous_rating: Rating | None
    trend: str | None  # "better", "worse", "unchanged" or None without last week's figures
    lead_rating: LeadRating | None
    lead_differs: bool
    done: int
    total: int
    end_due: date | None
    end_forecast: date | None
    end_slip: int
    rows: tuple[Row, ...]
    done_in_period: tuple[Row, ...]
    due_next: tuple[Row, ...]
    overdue: tuple[Row, ...]
    blocked: tuple[Row, ...]
    slips: tuple[Row, ...]
    critical_path: tuple[Row, ...]
    variance: tuple[Row, ...]  # milestones whose forecast differs from their baseline due date
    new_since_baseline: tuple[Row, ...]
    baseline_taken: bool
    phases: tuple[PhaseRow, ...]
    rating_scale: str = "three-point"
    rating_definition: str | None = None  # the published definition of the rating on its scale
    raid: RaidSummary | None = None  # None when the plan has no RAID log
    plan_changes: tuple = ()  # the plan's own definition: due dates moved, added, dropped...

    @property
    def by_id(self) -> dict[str, Row]:
        return {r.id: r for r in self.rows}


def driver_text(view: MilestoneView, titles: dict[str, str]) -> str | None:
    if view.driver is None:
        return None
    if view.driver == OWNER_FORECAST:
        return "the owner's own forecast"
    if view.driver == TODAY:
        return "still open past its due date"
    return f"waits for {titles.get(view.driver, view.driver)}"


def build(snapshot: Snapshot) -> Report:
    state = snapshot.state
    plan, a = state.plan, state.assessment
    cal = working_calendar(plan.calendar)
    baseline = state.baseline or {}
    people = plan.people

    def name(pid: str | None) -> str | None:
        if pid is None:
            return None
        return people[pid].name if pid in people else pid

    titles = {m.id: m.title for m in plan.milestones}
    rows: list[Row] = []
    for v in a.views():
        m = v.milestone
        base = baseline.get(m.id)
        variance = cal.between(base, v.forecast) if base and v.forecast else None
        rows.append(Row(
            id=m.id, title=m.title, owner=name(m.owner) or m.owner, phase=m.phase, due=m.due,
            forecast=v.forecast, baseline=base, slip=v.slip, days_to_due=v.days_to_due,
            state=v.state, states=v.states, rating=v.rating, critical=v.critical,
            status=v.status.status.value, reason=v.status.reason, note=v.status.note,
            done_on=v.status.done_on, driver=driver_text(v, titles), variance=variance))
    by_id = {r.id: r for r in rows}
    views = a.milestones

    period_start = a.today - PERIOD
    since = a.now - PERIOD
    done_ids: list[str] = []
    for e in snapshot.history:
        if (e.status == Status.DONE and since < e.at <= a.now and e.milestone_id in by_id
                and views[e.milestone_id].status.status == Status.DONE
                and e.milestone_id not in done_ids):
            done_ids.append(e.milestone_id)
    done_in_period = tuple(sorted((by_id[i] for i in done_ids),
                                  key=lambda r: (r.done_on or r.due, r.id)))

    horizon = a.today + LOOKAHEAD
    open_rows = [r for r in rows if views[r.id].is_open]
    due_next = tuple(sorted((r for r in open_rows if a.today <= r.due <= horizon),
                            key=lambda r: (r.due, r.id)))
    overdue = tuple(sorted((r for r in open_rows if views[r.id].overdue),
                           key=lambda r: (r.days_to_due, r.id)))
    blocked = tuple(r for r in open_rows if views[r.id].blocked)
    slips = tuple(sorted((r for r in open_rows if r.slip > 0), key=lambda r: (-r.slip, r.due, r.id)))
    critical = tuple(by_id[i] for i in a.critical_path if i in by_id)
    varied = tuple(r for r in rows if r.variance)
    new_since = tuple(r for r in rows if baseline and r.baseline is None)

    phases = tuple(_phase(g, by_id) for g in a.phases)
    previous = snapshot.previous.assessment.rating if snapshot.previous else None
    o = a.overall
    lead = state.lead_rating
    return Report(
        plan=plan, as_of=a.now, today=a.today, period_start=period_start,
        lead_name=name(plan.lead) or plan.lead, sponsor_name=name(plan.sponsor),
        rating=a.rating, reasons=o.reasons, previous_rating=previous,
        trend=trend(previous, a.rating),
        lead_rating=lead, lead_differs=lead is not None and lead.rating != a.rating,
        done=o.done, total=o.total, end_due=o.due, end_forecast=o.forecast, end_slip=o.end_slip,
        rows=tuple(rows), done_in_period=done_in_period, due_next=due_next, overdue=overdue,
        blocked=blocked, slips=slips, critical_path=critical, variance=varied,
        new_since_baseline=new_since, baseline_taken=bool(baseline), phases=phases,
        rating_scale=plan.rating_scale, rating_definition=definition(a.rating, plan.rating_scale),
        raid=raid_summary(snapshot) if state.raid else None,
        plan_changes=snapshot.plan_changes)


def trend(previous: Rating | None, current: Rating) -> str | None:
    """A higher Rating is a worse one (Green 0 ... Red 4)."""
    if previous is None:
        return None
    if previous == current:
        return "unchanged"
    return "worse" if current > previous else "better"


def _phase(g: GroupView, by_id: dict[str, Row]) -> PhaseRow:
    return PhaseRow(g.id, g.title, g.rating, g.reasons, g.done, g.total, g.due, g.forecast,
                    g.end_slip, tuple(by_id[i] for i in g.milestone_ids if i in by_id))


# -- the RAID log as reports show it ----------------------------------------------------------
@dataclass(frozen=True)
class RaidRow:
    kind: str
    id: str
    title: str
    owner: str  # the person's name
    status: str
    score: int | None
    likelihood: int | None
    impact: int | None
    next_date: date | None  # next review, or the date a decision is needed by
    overdue: bool
    response: str | None
    milestones: tuple[str, ...]  # titles of the milestones it affects
    decision: str | None


@dataclass(frozen=True)
class RaidSummary:
    items: tuple[RaidRow, ...]
    top_risks: tuple[RaidRow, ...]
    open_issues: tuple[RaidRow, ...]
    decisions_needed: tuple[RaidRow, ...]
    overdue_reviews: tuple[RaidRow, ...]


def raid_summary(snapshot: Snapshot) -> RaidSummary:
    """The top risks by score, open issues, decisions needed (who, by when) and overdue reviews,
    as rows; empty when the plan has no RAID log."""
    from programme.rules.raid import decisions_needed, open_issues, top_risks

    state = snapshot.state
    plan, today = state.plan, state.assessment.today
    titles = {m.id: m.title for m in plan.milestones}

    def row(v) -> RaidRow:
        owner = plan.people[v.item.owner].name if v.item.owner in plan.people else v.item.owner
        return RaidRow(v.item.kind, v.item.id, v.item.title, owner, v.status, v.score,
                       v.likelihood, v.impact, v.next_date, v.overdue(today), v.item.response,
                       tuple(titles.get(m, m) for m in v.item.milestones), v.decision)

    views = list(state.raid.values())
    return RaidSummary(
        items=tuple(row(v) for v in views), top_risks=tuple(row(v) for v in top_risks(views)),
        open_issues=tuple(row(v) for v in open_issues(views)),
        decisions_needed=tuple(row(v) for v in decisions_needed(views)),
        overdue_reviews=tuple(row(v) for v in views if v.overdue(today)))


# -- the PRINCE2-shaped highlight report --------------------------------------------------------
@dataclass(frozen=True)
class Tolerance:
    """One line of 'project tolerance status': where the plan stands against it, and on what."""

    area: str  # Time, Cost, Scope, Quality, Benefits, Risk
    status: str  # within tolerance, forecast to exceed, exceeded, not tracked...
    rating: Rating | None  # Green / Amber / Red for the line, None when not tracked
    detail: str


@dataclass(frozen=True)
class Highlight:
    report: Report
    raid: RaidSummary
    period_end: date
    next_period_end: date
    due_next_period: tuple[Row, ...]
    tolerances: tuple[Tolerance, ...]
    notes: tuple[tuple[date, str, str], ...]  # (day, milestone title, note) recorded in the period


def highlight(snapshot: Snapshot) -> Highlight:
    """The highlight report's facts: the PRINCE2 headings (period, status summary, this period,
    next period, tolerance status, key issues and risks, decisions, lessons) filled from the
    report, the RAID log and the plan's budget. No rule is decided here."""
    report = build(snapshot)
    raid = raid_summary(snapshot)
    today = report.today
    next_end = today + PERIOD
    due_next = tuple(r for r in report.rows if r.status not in ("done", "dropped")
                     and today <= (r.forecast or r.due) <= next_end)
    since = report.as_of - PERIOD
    titles = {m.id: m.title for m in report.plan.milestones}
    from programme.rules.workdays import plan_today

    notes = tuple((plan_today(e.at, report.plan.timezone), titles.get(e.milestone_id,
                                                                      e.milestone_id), e.note)
                  for e in snapshot.history if e.note and since < e.at <= report.as_of)
    return Highlight(report, raid, today, next_end, due_next,
                     _tolerances(report, raid), notes)


def _tolerances(r: Report, raid: RaidSummary) -> tuple[Tolerance, ...]:
    from programme.rules.rating import END_SLIP_AMBER_RED

    lines = []
    if r.end_slip == 0:
        lines.append(Tolerance("Time", "within tolerance", Rating.GREEN,
                               f"the end is forecast {_day(r.end_forecast)}, on its due date"))
    else:
        over = r.end_slip > END_SLIP_AMBER_RED
        lines.append(Tolerance(
            "Time", "forecast to exceed tolerance" if over else "forecast late",
            Rating.RED if over else Rating.AMBER,
            f"the end is forecast {_day(r.end_forecast)}, {r.end_slip} working days after "
            f"{_day(r.end_due)} (the rating rules allow {END_SLIP_AMBER_RED})"))
    budget = r.plan.budget
    if budget is not None:
        forecast = budget.forecast if budget.forecast is not None else budget.amount
        variance = (forecast - budget.amount) / budget.amount * 100 if budget.amount else 0.0
        status, rating = (("within tolerance", Rating.GREEN) if variance <= 0 else
                          ("over budget, within tolerance", Rating.AMBER)
                          if variance <= budget.tolerance else
                          ("forecast to exceed tolerance", Rating.RED))
        spent = f"; {_money(budget.spent, budget.currency)} spent" if budget.spent is not None \
            else ""
        lines.append(Tolerance("Cost", status, rating,
                               f"forecast {_money(forecast, budget.currency)} against a budget of "
                               f"{_money(budget.amount, budget.currency)} ({variance:+.1f}%, "
                               f"tolerance {budget.tolerance:g}%){spent}"))
    dropped = sum(1 for row in r.rows if row.status == "dropped")
    added = len(r.new_since_baseline)
    scope = "unchanged" if not (dropped or added) else "changed"
    lines.append(Tolerance("Scope", scope, Rating.GREEN if scope == "unchanged" else Rating.AMBER,
                           f"{r.total} milestones counted; {added} added since the baseline, "
                           f"{dropped} dropped"))
    with_evidence = sum(1 for m in r.plan.milestones if m.evidence)
    lines.append(Tolerance("Quality", "not measured", None,
                           f"{with_evidence} of {len(r.plan.milestones)} milestones state their "
                           "evidence of done; the plan records no quality checks"))
    lines.append(Tolerance("Benefits", "not tracked", None,
                           "the plan file declares no benefits"))
    risks = [x for x in raid.items if x.kind == "risk" and x.status == "open"]
    if not raid.items:
        lines.append(Tolerance("Risk", "not tracked", None, "the plan has no RAID log"))
    else:
        high = [x for x in risks if (x.score or 0) >= HIGH_RISK]
        worst = max((x.score or 0 for x in risks), default=0)
        lines.append(Tolerance(
            "Risk", "high risks open" if high else "within tolerance",
            Rating.RED if high else Rating.AMBER if raid.overdue_reviews else Rating.GREEN,
            f"{len(risks)} open risks, highest score {worst} of 25; {len(high)} scoring "
            f"{HIGH_RISK} or more; {len(raid.overdue_reviews)} reviews overdue"))
    return tuple(lines)


HIGH_RISK = 15  # a risk scoring this or more (likelihood x impact) is 'high'


def _day(value: date | None) -> str:
    return f"{value:%a %-d %b %Y}" if value else "–"


def _money(value: float | None, currency: str) -> str:
    if value is None:
        return "–"
    sign = "£" if currency.upper() == "GBP" else f"{currency} "
    return f"{sign}{value:,.0f}"
