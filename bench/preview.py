"""`programme preview` on a 300-milestone plan over 100 days: target < 1 s.

The plan is dense on purpose: all 300 milestones fall due inside the 100 days (a real 100-day
plan has tens), 40 owners with managers, a tenth with their own reminder policy and one in
twenty with their own sending window (so the chase runs twice on those days), dependencies on
earlier milestones; statuses: a twentieth blocked, a tenth in progress with an owner's forecast.

Measured in one run, best and median of 5:
* the preview, nobody answering (`simulate`): the policy run at every window of 100 days;
* the same with every milestone done on its due day (`simulate(on_time=True)`): a check-in per
  milestone, each assessed before and after for its follow-ups;
* for scale, the bare policy (`due_notifications`) at the same moments, without the preview's
  bookkeeping: the floor the simulation cannot go under.

Run: python bench/preview.py
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pendulum

from programme.rules.chase import due_notifications
from programme.rules.model import (
    Calendar,
    CurrentStatus,
    DueRule,
    Milestone,
    Person,
    Plan,
    ReminderPolicy,
    Status,
)
from programme.rules.preview import run_moments, simulate

N, OWNERS, DAYS = 300, 40, 100
START = date(2026, 10, 5)
TZ = "Europe/London"


def build(seed: int = 1) -> tuple[Plan, dict[str, CurrentStatus]]:
    rng = random.Random(seed)
    people = {f"o{i}": Person(f"o{i}", f"Owner {i}", (f"o{i}@example.gov.uk",),
                              manager=f"o{(i + 1) % OWNERS}") for i in range(OWNERS)}
    people["lead"] = Person("lead", "Lead", ("lead@example.gov.uk",))
    people["sponsor"] = Person("sponsor", "Sponsor", ("sponsor@example.gov.uk",))
    milestones, statuses = [], {}
    for i in range(N):
        due = START + timedelta(days=int(DAYS * i / N) + rng.randint(0, 5))
        deps = tuple(f"m{j}" for j in sorted(rng.sample(range(max(0, i - 20), i), min(i, 2))))
        policy = ReminderPolicy()
        if i % 10 == 0:
            policy = ReminderPolicy(before=(10, 5, 1, 0), chase_every=1)
        if i % 20 == 7:
            policy = ReminderPolicy(window=("13:00", "16:00"))
        mid = f"m{i}"
        milestones.append(Milestone(mid, f"Milestone {i}", f"o{i % OWNERS}", due,
                                    DueRule(due.isoformat(), absolute=due), depends_on=deps,
                                    reminders=policy))
        since = pendulum.datetime(2026, 10, 1, 10, tz=TZ)
        if i % 20 == 3:
            statuses[mid] = CurrentStatus(Status.BLOCKED, since=since, reason="waiting")
        elif i % 10 == 5:
            statuses[mid] = CurrentStatus(Status.IN_PROGRESS, since=since,
                                          forecast=due + timedelta(days=rng.randint(-3, 12)))
    plan = Plan(id="preview-bench", title="Preview benchmark", kind="100-day plan", lead="lead",
                start=START, people=people, milestones=tuple(milestones), sponsor="sponsor",
                calendar=Calendar(closures=frozenset({date(2026, 12, 29), date(2026, 12, 30),
                                                      date(2026, 12, 31)})))
    return plan, statuses


def timed(fn, repeat: int = 5) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result


def main() -> None:
    plan, statuses = build()
    start = pendulum.datetime(START.year, START.month, START.day, tz=TZ)
    until = START + timedelta(days=DAYS - 1)
    moments = run_moments(plan, start, until)
    due_notifications(plan, statuses, moments[0])  # the calendar table, built once
    best, median, planned = timed(lambda: simulate(plan, statuses, start, until))
    best_on, median_on, planned_on = timed(lambda: simulate(plan, statuses, start, until,
                                                            on_time=True))
    best_raw, median_raw, _ = timed(lambda: [due_notifications(plan, statuses, m) for m in moments])
    with open("/proc/cpuinfo") as cpuinfo:
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo
                      if line.startswith("model name")), platform.processor())
    print(f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{N} milestones, {DAYS} days, {len(moments)} chase runs")
    print(f"preview, nobody answering: best {best:.3f} s, median {median:.3f} s "
          f"({len(planned)} notifications; target < 1 s)")
    print(f"preview, on time:          best {best_on:.3f} s, median {median_on:.3f} s "
          f"({len(planned_on)} notifications, {sum(p.follow_up for p in planned_on)} follow-ups)")
    print(f"bare policy at the same moments: best {best_raw:.3f} s, median {median_raw:.3f} s "
          f"(preview / bare policy: {median / median_raw:.2f}x)")


if __name__ == "__main__":
    main()
