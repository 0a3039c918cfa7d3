"""Progress reports, weekly digests, the timeline picture and the iCal feed.

The functions the CLI and the flows call: `collect` reads a Snapshot from the store, then
`render_report`, `render_digest`, `render_portfolio` and `write_ical` turn it into text. Jinja2 is
imported only when something is rendered.
"""

from __future__ import annotations

from programme.reports.context import Report, Snapshot, build
from programme.reports.ical import write_ical
from programme.reports.render import Digest, render_digest, render_portfolio, render_report

__all__ = ["Digest", "Report", "Snapshot", "build", "render_digest", "render_portfolio",
           "render_report", "write_ical"]
