"""Check a plan's RAID log (risks, issues, assumptions, decisions, dependencies), its rating scale
and its budget, the way milestones are checked: every mistake at once, each with file:line and
a did-you-mean where something close exists.

Called from `validation.validate` with its checker, whose `add(location, message, item, kind)`
collects the problems and `at(raw, key)` finds a line; nothing else of it is used here, so the
milestone checks can change shape without touching this module.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from programme.planfiles.validation import suggest
from programme.rules.dates import DateError, parse_date
from programme.rules.model import RAID_SECTIONS, RISK_RESPONSES, Budget, Location, RaidItem
from programme.rules.scales import DEFAULT_SCALE, SCALES

ITEM_FIELDS = ("id", "title", "owner", "review", "due", "status", "milestones", "description",
               "review_every")
RISK_FIELDS = (*ITEM_FIELDS, "likelihood", "impact", "proximity", "response")
ISSUE_FIELDS = (*ITEM_FIELDS, "impact")
BUDGET_FIELDS = ("amount", "forecast", "spent", "tolerance", "currency")
STATUSES = {"risk": ("open", "closed"), "issue": ("open", "closed"),
            "assumption": ("open", "closed"), "dependency": ("open", "closed"),
            "decision": ("open", "decided")}


def check(c: Any, raw: dict, people: dict, entries: list) -> dict:
    """The plan fields this module owns, as keyword arguments for `Plan` (problems go to `c`)."""
    milestone_ids = [e.get("id") for e, _, _ in entries if isinstance(e, dict)]
    return {"rating_scale": _scale(c, raw), "raid": _raid(c, raw, people, milestone_ids),
            "budget": _budget(c, raw)}


def _line(container: Any, key: Any) -> int | None:
    return container.line_of(key) if hasattr(container, "line_of") else getattr(container, "line",
                                                                                 None)


def _scale(c: Any, raw: dict) -> str:
    value = raw.get("rating_scale")
    if value is None:
        return DEFAULT_SCALE
    text = str(value).strip().lower().replace(" ", "-").replace("_", "-")
    if text not in SCALES:
        c.add(c.at(raw, "rating_scale"), f"unknown rating_scale {value!r}"
              f"{suggest(text, SCALES)}; use one of: {', '.join(SCALES)}", kind="bad-scale")
        return DEFAULT_SCALE
    return text


def _raid(c: Any, raw: dict, people: dict, milestone_ids: list) -> tuple[RaidItem, ...]:
    items: list[RaidItem] = []
    seen: dict[str, Location] = {}
    for section, kind in RAID_SECTIONS.items():
        value = raw.get(section)
        if value is None:
            continue
        if not isinstance(value, list):
            c.add(c.at(raw, section), f"'{section}' should be a list of {section}, each with id, "
                  "title, owner and a review or due date")
            continue
        for i, entry in enumerate(value):
            where = Location(c.file, _line(value, i))
            item = _item(c, kind, entry, where, people, milestone_ids)
            if item is None:
                continue
            if item.id in seen:
                c.add(where, f"duplicate RAID id '{item.id}' (first defined at {seen[item.id]}); "
                      "ids are shared by risks, issues, assumptions, decisions and dependencies",
                      None, "duplicate-id")
                continue
            seen[item.id] = where
            items.append(item)
    return tuple(items)


def _item(c: Any, kind: str, entry: Any, where: Location, people: dict,
          milestone_ids: list) -> RaidItem | None:
    if not isinstance(entry, dict):
        c.add(where, f"a {kind} should be a mapping of fields (id, title, owner, review...), not "
              f"{type(entry).__name__}")
        return None
    where = Location(c.file, getattr(entry, "line", None) or where.line)
    raw_id = entry.get("id")
    iid = raw_id if isinstance(raw_id, str) and raw_id.strip() else None
    if iid is not None and (":" in iid or "/" in iid or iid != iid.strip()):
        c.add(c.at(entry, "id"), f"'{iid}' is not a usable id for a {kind}: use letters, digits "
              "and dashes (e.g. R1 or data-sharing-delay)", None)
        iid = None
    if raw_id is None:
        c.add(where, f"a {kind} has no 'id'", None, "missing-field")
    label = iid or "?"
    what = f"{kind} '{label}'"
    allowed = RISK_FIELDS if kind == "risk" else ISSUE_FIELDS if kind == "issue" else ITEM_FIELDS
    for key in entry:
        if key not in allowed:
            c.add(c.at(entry, key), f"unknown field '{key}' in {what}{suggest(key, allowed)}; "
                  f"allowed: {', '.join(allowed)}", None, "unknown-field")
    title = _text(c, entry, "title", what, iid, required=True)
    owner = _text(c, entry, "owner", what, iid, required=True)
    if owner is not None and owner not in people:
        c.add(c.at(entry, "owner"), f"unknown owner '{owner}' of {what}{suggest(owner, list(people))}"
              ": add them under 'people' or fix the name", None, "unknown-owner")
    review = _date(c, entry, "review", what, None)
    due = _date(c, entry, "due", what, None)
    if "review" not in entry and "due" not in entry:
        needs = "a 'due' date (decide by)" if kind == "decision" else "a 'review' date"
        c.add(where, f"{what} has neither 'review' nor 'due': give it {needs} so its owner "
              "can be chased", None, "missing-field")
    status = (_text(c, entry, "status", what, iid, required=False) or "open").strip().lower()
    if status not in STATUSES[kind]:
        c.add(c.at(entry, "status"), f"unknown status '{status}' for {what}"
              f"{suggest(status, STATUSES[kind])}; use one of: {', '.join(STATUSES[kind])}",
              None, "bad-status")
    links = entry.get("milestones")
    linked: list[str] = []
    for j, mid in enumerate([links] if isinstance(links, str) else links or []):
        if isinstance(mid, str) and mid in milestone_ids:
            linked.append(mid)
        else:
            line = _line(links, j) if isinstance(links, list) else _line(entry, "milestones")
            known = [m for m in milestone_ids if isinstance(m, str)]
            c.add(Location(c.file, line), f"{what} links to unknown milestone {mid!r}"
                  f"{suggest(mid, known)}", None, "unknown-milestone")
    likelihood = _score(c, entry, "likelihood", what, iid, required=kind == "risk")
    impact = _score(c, entry, "impact", what, iid, required=kind == "risk")
    proximity = _date(c, entry, "proximity", what, None)
    response = _text(c, entry, "response", what, iid, required=False)
    if response is not None:
        response = response.strip().lower()
        if response not in RISK_RESPONSES:
            c.add(c.at(entry, "response"), f"unknown risk response '{response}'"
                  f"{suggest(response, RISK_RESPONSES)}; use one of: {', '.join(RISK_RESPONSES)}",
                  None, "bad-response")
            response = None
    every = entry.get("review_every", 10)
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        c.add(c.at(entry, "review_every"), f"'review_every' of {what} should be a whole number "
              f"of working days (at least 1), not {every!r}", None)
        every = 10
    description = _text(c, entry, "description", what, iid, required=False)
    if iid is None or title is None or owner is None:
        return None
    return RaidItem(kind=kind, id=iid, title=title, owner=owner, review=review, due=due,
                    status=status, milestones=tuple(linked), likelihood=likelihood, impact=impact,
                    proximity=proximity, response=response, description=description,
                    review_every=every, location=where)


def _text(c: Any, entry: dict, key: str, what: str, iid: str | None,
          required: bool) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            c.add(c.at(entry), f"{what} has no '{key}'", None, "missing-field")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        c.add(c.at(entry, key), f"'{key}' of {what} should be text, not {type(value).__name__}",
              iid)
        return None
    return str(value)


def _date(c: Any, entry: dict, key: str, what: str, iid: str | None) -> date | None:
    value = entry.get(key)
    if value is None:
        return None
    try:
        return parse_date(value)
    except DateError as exc:
        c.add(c.at(entry, key), f"bad date in '{key}' of {what}: {exc}", None, "bad-date")
        return None


def _score(c: Any, entry: dict, key: str, what: str, iid: str | None,
           required: bool) -> int | None:
    value = entry.get(key)
    if value is None:
        if required:
            c.add(c.at(entry), f"{what} has no '{key}' (1 to 5)", None, "missing-field")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        c.add(c.at(entry, key), f"'{key}' of {what} should be a whole number from 1 to 5, not "
              f"{value!r}", None, "bad-score")
        return None
    return value


def _budget(c: Any, raw: dict) -> Budget | None:
    value = raw.get("budget")
    if value is None:
        return None
    if not isinstance(value, dict):
        c.add(c.at(raw, "budget"), "'budget' should be a mapping: amount, and optionally "
              "forecast, spent, tolerance (percent) and currency")
        return None
    for key in value:
        if key not in BUDGET_FIELDS:
            c.add(c.at(value, key), f"unknown field '{key}' in the budget"
                  f"{suggest(key, BUDGET_FIELDS)}; allowed: {', '.join(BUDGET_FIELDS)}",
                  kind="unknown-field")
    numbers: dict[str, float] = {}
    for key in ("amount", "forecast", "spent", "tolerance"):
        v = value.get(key)
        if v is None:
            if key == "amount":
                c.add(c.at(raw, "budget"), "the budget has no 'amount'", kind="missing-field")
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            c.add(c.at(value, key), f"budget '{key}' should be a number (no currency sign), not "
                  f"{v!r}")
            continue
        numbers[key] = float(v)
    currency = str(value.get("currency") or "GBP")
    if "amount" not in numbers:
        return None
    return Budget(amount=numbers["amount"], forecast=numbers.get("forecast"),
                  spent=numbers.get("spent"), tolerance=numbers.get("tolerance", 5.0),
                  currency=currency)
