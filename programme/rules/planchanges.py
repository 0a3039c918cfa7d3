"""What changed in a plan's own definition between two stored versions, for the digest's
"changes to the plan this week": milestones added, dropped or renamed (same title, new id, the
heuristic `programme diff` uses too), due dates moved, owners changed.

Pure: versions as the store keeps them ({id: {title, owner, owner_name, due, depends_on}}) in,
changes out; the use case adds when each was stored and by which commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class PlanChange:
    """One change to the plan's own definition between two stored versions (for the digest)."""

    kind: str  # "added", "dropped", "renamed", "moved" (due date) or "owner"
    milestone_id: str
    title: str
    before: date | str | None = None  # the due date or owner's name before (renamed: old id)
    after: date | str | None = None
    owner: str | None = None  # the owner's name (for added and dropped)
    when: datetime | None = None  # when the store was given the new version
    commit: str | None = None  # the new version's git commit (short), when known
    author: str | None = None
    subject: str | None = None


def snapshot_changes(before: dict[str, dict], after: dict[str, dict]) -> list[PlanChange]:
    """What changed between two stored versions of a plan ({id: {title, owner, owner_name, due,
    depends_on}}): added, dropped, renamed (same title, new id, as `plandiff.renames` has it), due dates moved
    and owners changed, in the newer version's order."""
    def same_title(a: dict, b: dict) -> bool:
        return a["title"].strip().lower() == b["title"].strip().lower()

    gone = [mid for mid in before if mid not in after]
    new = [mid for mid in after if mid not in before]
    renamed: dict[str, str] = {}
    for old in gone:
        matches = [n for n in new if same_title(before[old], after[n])]
        twins = [g for g in gone if same_title(before[g], before[old])]
        if len(matches) == 1 and len(twins) == 1 and matches[0] not in renamed.values():
            renamed[old] = matches[0]
    old_of = {n: o for o, n in renamed.items()}
    out: list[PlanChange] = []
    for mid, m in after.items():
        was = before.get(old_of.get(mid, mid))
        if was is None:
            out.append(PlanChange("added", mid, m["title"], after=date.fromisoformat(m["due"]),
                                  owner=m["owner_name"]))
            continue
        if mid in old_of:
            out.append(PlanChange("renamed", mid, m["title"], before=old_of[mid], after=mid))
        if was["due"] != m["due"]:
            out.append(PlanChange("moved", mid, m["title"], date.fromisoformat(was["due"]),
                                  date.fromisoformat(m["due"])))
        if was["owner"] != m["owner"]:
            out.append(PlanChange("owner", mid, m["title"], was["owner_name"], m["owner_name"]))
    out += [PlanChange("dropped", mid, before[mid]["title"],
                       before=date.fromisoformat(before[mid]["due"]),
                       owner=before[mid]["owner_name"]) for mid in gone if mid not in renamed]
    return out
