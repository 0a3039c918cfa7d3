"""Chase policy on a 10,000-milestone plan: target < 0.5 s per evaluation.

200 owners (each with a manager), due dates spread over 120 days, a status mix (a tenth done, a
twentieth dropped, one in fourteen blocked, one in ten with an owner's forecast, some with their
own reminder policy); evaluated at ten working-day instants inside the window, so every ladder
(reminders, chases, escalations, blocked) is exercised. Also shows `assess()` on the same plan
for scale (it is not part of the policy). Run: python bench/chase_policy.py
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pendulum

from programme.rules.assess import assess
from programme.rules.chase import due_notifications
from programme.rules.model import (
    CurrentStatus,
    DueRule,
    Milestone,
    Person,
    Plan,
    ReminderPolicy,
    Status,
)

N, OWNERS = 10_000, 200
START = date(2026, 9, 1)


def build() -> tuple[Plan, dict[str, CurrentStatus]]:
    people = {f"o{i}": Person(f"o{i}", f"Owner {i}", (f"o{i}@example.gov.uk",),
                              manager=f"o{(i + 1) % OWNERS}") for i in range(OWNERS)}
    people["lead"] = Person("lead", "Lead", ("lead@example.gov.uk",))
    people["sponsor"] = Person("sponsor", "Sponsor", ("sponsor@example.gov.uk",))
    special = ReminderPolicy(before=(3, 0), chase_every=1)
    milestones, statuses = [], {}
    for i in range(N):
        due = START + timedelta(days=i % 120)
        mid = f"m{i}"
        milestones.append(Milestone(mid, f"Milestone {i}", f"o{i % OWNERS}", due,
                                    DueRule(due.isoformat(), absolute=due),
                                    reminders=special if i % 25 == 0 else ReminderPolicy()))
        since = pendulum.datetime(2026, 9, 1, 10, tz="Europe/London") + timedelta(days=i % 90)
        if i % 10 == 0:
            statuses[mid] = CurrentStatus(Status.DONE, since=since, done_on=since.date())
        elif i % 20 == 1:
            statuses[mid] = CurrentStatus(Status.DROPPED, since=since)
        elif i % 14 == 2:
            statuses[mid] = CurrentStatus(Status.BLOCKED, since=since, reason="waiting")
        elif i % 10 == 3:
            statuses[mid] = CurrentStatus(Status.IN_PROGRESS, since=since,
                                          forecast=due + timedelta(days=9))
    plan = Plan(id="policy-bench", title="Policy benchmark", kind="programme", lead="lead",
                start=START, people=people, milestones=tuple(milestones), sponsor="sponsor")
    return plan, statuses


def main() -> None:
    plan, statuses = build()
    instants = [pendulum.datetime(2026, 10, 1, 10, tz="Europe/London") + timedelta(days=7 * k)
                for k in range(10)]
    due_notifications(plan, statuses, instants[0])  # builds the calendar table once
    times, counts = [], []
    for now in instants:
        started = time.perf_counter()
        found = due_notifications(plan, statuses, now)
        times.append(time.perf_counter() - started)
        counts.append(len(found))
    started = time.perf_counter()
    assess(plan, statuses, instants[0])
    assess_time = time.perf_counter() - started
    with open("/proc/cpuinfo") as cpuinfo:
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo
                      if line.startswith("model name")), platform.processor())
    print(f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"due_notifications, {N:,} milestones, 10 instants: median {statistics.median(times):.3f} s, "
          f"worst {max(times):.3f} s, best {min(times):.3f} s (target < 0.5 s); "
          f"{min(counts)}-{max(counts)} notifications due per instant")
    print(f"for scale: assess() on the same plan {assess_time:.3f} s")


if __name__ == "__main__":
    main()
