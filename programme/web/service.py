"""What the app's routes share: the store, the plans folder, the clock, the secret's signers,
the limiter and the templates. One per app; a Workspace per request, so every request sees the
plan files as they are now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from programme import templating
from programme.store import Store
from programme.usecases.checkin import FollowUp
from programme.usecases.workspace import Workspace, current_moment
from programme.web.security import Csrf, FailureLimiter

TEMPLATES = Path(__file__).parent / "templates"


def _default_follow_up(ws: Workspace) -> FollowUp:
    from programme.compose import follow_up_in_process

    return follow_up_in_process(ws)


@dataclass
class Service:
    store: Store
    plans_dir: Path | None
    clock: Callable[[], datetime] | None
    csrf: Csrf
    limiter: FailureLimiter
    follow_up: Callable[[Workspace], FollowUp] = field(default=_default_follow_up)

    def workspace(self) -> Workspace:
        return Workspace(self.store, self.plans_dir)

    def now(self) -> datetime:
        return self.clock() if self.clock is not None else current_moment()

    def render(self, name: str, **context: Any) -> str:
        env = templating.environment(TEMPLATES)
        context.setdefault("plan_title", None)
        context.setdefault("timezone", None)
        context.setdefault("has_errors", bool(context.get("errors")))
        return env.get_template(name).render(**context)
