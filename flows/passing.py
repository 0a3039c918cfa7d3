"""Handing big objects to tasks without Prefect walking them."""

from __future__ import annotations

from typing import TypeVar, cast

from prefect.utilities.annotations import quote

T = TypeVar("T")


def quoted(value: T) -> T:
    """`quote(value)`, typed as the value itself, because that is what the task receives.

    Quoting stops Prefect visiting every field of a plan's worth of objects looking for upstream
    futures (the largest cost of a run before); Prefect unwraps it before calling the task. Its
    `Task.__call__` overloads do not accept `quote[T]`, hence the cast."""
    return cast(T, quote(value))
