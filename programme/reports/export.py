"""Returns: a plan as GMPP-style rows (the project, its milestones, risks and issues), for CSV
files or one JSON document.

The project columns follow the headings of the published GMPP annual-report data (GMPP ID,
project name, description / aims, delivery confidence assessment, commentary, start and end
dates, schedule narrative, and the budget columns when the plan declares one) with the senior
responsible owner; milestones, risks and issues are their own tables, after the entities of the
Government's programme and project data standard. docs/returns.md maps every column to where
it comes from. Pure apart from reading the Snapshot: nothing here decides a rule.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from programme.reports.context import Snapshot, build, raid_summary
from programme.rules.scales import definition

PROJECT_COLUMNS = (
    "Project ID", "Project name", "Description / aims", "Delivery confidence assessment",
    "DCA scale", "DCA definition", "Commentary on the delivery confidence assessment",
    "Lead's own DCA", "Baseline start date", "Baseline end date", "Forecast start date",
    "Forecast end date", "Schedule narrative", "Senior responsible owner", "SRO role",
    "Project lead", "Budget baseline", "Budget forecast", "Budget variance (%)", "Currency",
    "As of",
)
MILESTONE_COLUMNS = (
    "Project ID", "Milestone ID", "Milestone name", "Phase", "Owner", "Baseline date",
    "Due date", "Forecast date", "Actual date", "Status", "Delivery confidence", "Depends on",
)
RISK_COLUMNS = (
    "Project ID", "Risk ID", "Risk title", "Owner", "Likelihood", "Impact", "Score", "Proximity",
    "Response", "Status", "Next review", "Milestones affected", "Description",
)
ISSUE_COLUMNS = (
    "Project ID", "Issue ID", "Issue title", "Owner", "Impact", "Status", "Next review",
    "Milestones affected", "Description",
)
TABLES = {"project": PROJECT_COLUMNS, "milestones": MILESTONE_COLUMNS, "risks": RISK_COLUMNS,
          "issues": ISSUE_COLUMNS}


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def rows(snapshot: Snapshot) -> dict[str, list[dict[str, str]]]:
    """The plan's return as tables of text cells, keyed like TABLES."""
    r = build(snapshot)
    plan, state = r.plan, snapshot.state
    baseline = state.baseline or {}
    sponsor = plan.people.get(plan.sponsor) if plan.sponsor else None
    lead = state.lead_rating
    commentary = "; ".join(r.reasons) or "no reasons below Green"
    if lead is not None:
        commentary = f"{commentary}. Lead's commentary: {lead.commentary}"
    narrative = (f"The end is forecast {_iso(r.end_forecast)}, "
                 + (f"{r.end_slip} working days after its due date {_iso(r.end_due)}"
                    if r.end_slip else f"on its due date {_iso(r.end_due)}")
                 + (f"; the critical path runs through {r.critical_path[-1].title}"
                    if r.critical_path else "")
                 + f". {r.done} of {r.total} milestones done, {len(r.overdue)} overdue, "
                 f"{len(r.blocked)} blocked.")
    budget = plan.budget
    variance = ""
    if budget is not None and budget.forecast is not None and budget.amount:
        variance = f"{(budget.forecast - budget.amount) / budget.amount * 100:.1f}"
    project = {
        "Project ID": plan.id, "Project name": plan.title,
        "Description / aims": " ".join((plan.description or "").split()),
        "Delivery confidence assessment": r.rating.label, "DCA scale": plan.rating_scale,
        "DCA definition": definition(r.rating, plan.rating_scale) or "",
        "Commentary on the delivery confidence assessment": commentary,
        "Lead's own DCA": lead.rating.label if lead else "",
        "Baseline start date": _iso(plan.start),
        "Baseline end date": _iso(max(baseline.values())) if baseline else _iso(r.end_due),
        "Forecast start date": _iso(plan.start), "Forecast end date": _iso(r.end_forecast),
        "Schedule narrative": narrative,
        "Senior responsible owner": sponsor.name if sponsor else "",
        "SRO role": (sponsor.role or "") if sponsor else "", "Project lead": r.lead_name,
        "Budget baseline": _num(budget.amount) if budget else "",
        "Budget forecast": _num(budget.forecast) if budget else "",
        "Budget variance (%)": variance, "Currency": budget.currency if budget else "",
        "As of": r.as_of.isoformat(),
    }
    milestones = [{
        "Project ID": plan.id, "Milestone ID": row.id, "Milestone name": row.title,
        "Phase": row.phase or "", "Owner": row.owner, "Baseline date": _iso(row.baseline),
        "Due date": _iso(row.due), "Forecast date": _iso(row.forecast),
        "Actual date": _iso(row.done_on), "Status": row.status,
        "Delivery confidence": row.rating_label if row.rating is not None else "",
        "Depends on": " ".join(plan.by_id[row.id].depends_on),
    } for row in r.rows]
    raid = raid_summary(snapshot)
    by_id = {i.id: i for i in plan.raid}
    risks = [{
        "Project ID": plan.id, "Risk ID": x.id, "Risk title": x.title, "Owner": x.owner,
        "Likelihood": str(x.likelihood or ""), "Impact": str(x.impact or ""),
        "Score": str(x.score or ""), "Proximity": _iso(by_id[x.id].proximity),
        "Response": x.response or "", "Status": x.status, "Next review": _iso(x.next_date),
        "Milestones affected": " ".join(by_id[x.id].milestones),
        "Description": " ".join((by_id[x.id].description or "").split()),
    } for x in raid.items if x.kind == "risk"]
    issues = [{
        "Project ID": plan.id, "Issue ID": x.id, "Issue title": x.title, "Owner": x.owner,
        "Impact": str(x.impact or ""), "Status": x.status, "Next review": _iso(x.next_date),
        "Milestones affected": " ".join(by_id[x.id].milestones),
        "Description": " ".join((by_id[x.id].description or "").split()),
    } for x in raid.items if x.kind == "issue"]
    return {"project": [project], "milestones": milestones, "risks": risks, "issues": issues}


def merged(snapshots: list[Snapshot]) -> dict[str, list[dict[str, str]]]:
    """Several plans' returns in the same tables (one project row each)."""
    out: dict[str, list[dict[str, str]]] = {name: [] for name in TABLES}
    for snap in snapshots:
        for name, table in rows(snap).items():
            out[name].extend(table)
    return out


def to_csv(table: list[dict[str, str]], columns: tuple[str, ...]) -> str:
    """One table as CSV text (RFC 4180 quoting by the csv module, \\r\\n line ends)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(columns))
    writer.writeheader()
    writer.writerows(table)
    return buffer.getvalue()


def to_json(tables: dict[str, list[dict[str, str]]]) -> dict:
    """The same return as one JSON-ready document: each project with its own tables."""
    projects = []
    for project in tables["project"]:
        pid = project["Project ID"]
        projects.append({**project, **{name: [r for r in tables[name] if r["Project ID"] == pid]
                                       for name in ("milestones", "risks", "issues")}})
    return {"format": "gmpp-style return", "columns": {k: list(v) for k, v in TABLES.items()},
            "projects": projects}
