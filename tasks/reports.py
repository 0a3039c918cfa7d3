"""Publishing a run's progress report: Prefect artifacts for the UI, and files on disk."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from programme.config import ensure_data_dir
from programme.reports import Snapshot, render_report
from programme.rules.assess import Assessment
from programme.usecases.digest import collect

from .context import RunContext


@dataclass(frozen=True)
class Published:
    markdown: Path
    html: Path
    artifact_key: str


def artifact_key(plan_id: str, what: str) -> str:
    """Prefect artifact keys allow lower-case letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", f"{plan_id}-{what}".lower()).strip("-")


def table_rows(assessment: Assessment) -> list[dict]:
    plan = assessment.plan
    rows = []
    for v in assessment.views():
        m = v.milestone
        owner = plan.people.get(m.owner)
        rows.append({
            "milestone": m.id, "title": m.title, "owner": owner.name if owner else m.owner,
            "due": m.due.isoformat(), "forecast": v.forecast.isoformat() if v.forecast else "",
            "slip (working days)": v.slip, "state": ", ".join(v.states),
            "rating": v.rating.label if v.rating is not None else "",
            "critical path": "yes" if v.critical else "",
        })
    return rows


@task(name="publish-report", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def publish_report(ctx: RunContext, assessment: Assessment) -> Published:
    """The progress report as a Markdown artifact and a table artifact, and as .md/.html files."""
    ws, plan = ctx.workspace, ctx.plan
    found = collect(ws, plan, ctx.now, sync=False)  # last week's state and the history
    snapshot = Snapshot(replace(found.state, assessment=assessment), found.previous, found.history)
    markdown = render_report(snapshot, "md")
    html = render_report(snapshot, "html")
    folder = ensure_data_dir() / "reports" / plan.id
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{plan.id}-{assessment.today.isoformat()}"
    md_path, html_path = folder / f"{stem}.md", folder / f"{stem}.html"
    md_path.write_text(markdown, encoding="utf-8")
    html_path.write_text(html, encoding="utf-8")
    key = artifact_key(plan.id, "report")
    create_markdown_artifact(markdown=markdown, key=key,
                             description=f"{plan.title}: {assessment.rating.label} "
                                         f"as of {assessment.today:%-d %b %Y}")
    create_table_artifact(table=table_rows(assessment), key=artifact_key(plan.id, "milestones"),
                          description=f"{plan.title}: milestones as of {assessment.today:%-d %b %Y}")
    return Published(md_path, html_path, key)
