"""New plans from templates: one file per kind in `templates/` (`<kind>.yaml.j2`), so adding a
kind is adding a file. Each template is a whole, valid plan with placeholder people and due
dates relative to the start; the lines to make one's own carry a `# FILL IN:` comment, which
`programme new` lists with their line numbers.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
SUFFIX = ".yaml.j2"
_FILL_IN = re.compile(r"#\s*FILL IN:\s*(.+?)\s*$")


def kinds() -> list[str]:
    """The kinds a new plan can be, from the template files ('100-day-plan', ...)."""
    return sorted(p.name[: -len(SUFFIX)] for p in TEMPLATES.glob(f"*{SUFFIX}"))


def render(kind: str, plan_id: str, title: str, start: date) -> str:
    """The template of `kind` filled in with the plan's id, title and start."""
    from programme import templating

    env = templating.environment(TEMPLATES)
    return env.get_template(f"{kind}{SUFFIX}").render(id=plan_id, title=title.replace('"', "'"),
                                                      start=start.isoformat())


def fill_in(text: str) -> list[tuple[int, str]]:
    """(line, what to write there) for every `# FILL IN:` comment, in order."""
    return [(n, m.group(1)) for n, line in enumerate(text.splitlines(), 1)
            if (m := _FILL_IN.search(line))]
