"""Delivery Confidence scales: the three-point scale (Red, Amber, Green) the Government Major
Projects Portfolio has used since 2021, and the legacy five-point scale (Green, Amber/Green,
Amber, Amber/Red, Red) many local assurance reviews still use.

A plan says which one it speaks (`rating_scale:`, default three-point). The rating rules work
out the five-point value first; `on_scale` folds it onto the plan's scale *conservatively*, so a
three-point report never reads better than the five-point rules found: Amber/Green counts as
Amber and Amber/Red as Red. The same fold reads a stored five-point rating (a lead's own
rating recorded before the plan changed scale) on the plan's scale, so history stays readable.

The definitions below are quoted from published text; docs/ratings.md lists each source and
says where the published three-point wording could not be found word for word.
"""

from __future__ import annotations

from typing import overload

from programme.rules.model import Rating

THREE_POINT, FIVE_POINT = "three-point", "five-point"
SCALES = (THREE_POINT, FIVE_POINT)
DEFAULT_SCALE = THREE_POINT

THREE_POINT_VALUES = (Rating.GREEN, Rating.AMBER, Rating.RED)

# The published wording, value by value. See docs/ratings.md for where each was found.
DEFINITIONS: dict[str, dict[Rating, str]] = {
    FIVE_POINT: {
        Rating.GREEN: "Successful delivery of the project on time, budget and quality appears "
                      "highly likely and there are no major outstanding issues that at this stage "
                      "appear to threaten delivery significantly.",
        Rating.AMBER_GREEN: "Successful delivery appears probable; however, constant attention "
                            "will be needed to ensure risks do not materialise into major issues "
                            "threatening delivery.",
        Rating.AMBER: "Successful delivery appears feasible but significant issues already "
                      "exist, requiring management attention. These appear resolvable at this "
                      "stage and, if addressed promptly, should not present a cost or schedule "
                      "overrun.",
        Rating.AMBER_RED: "Successful delivery of the project is in doubt, with major risks or "
                          "issues apparent in a number of key areas, and urgent action is needed "
                          "to address these problems.",
        Rating.RED: "Successful delivery of the project appears to be unachievable and there are "
                    "major issues with project definition, schedule, budget, quality and/or "
                    "benefits delivery, which at this stage do not appear to be manageable or "
                    "resolvable.",
    },
    THREE_POINT: {
        Rating.GREEN: "Successful delivery of the project on time, budget and quality appears "
                      "highly likely and there are no major outstanding issues that at this stage "
                      "appear to threaten delivery significantly.",
        Rating.AMBER: "Successful delivery appears feasible but significant issues already "
                      "exist, requiring management attention. These appear resolvable at this "
                      "stage and, if addressed promptly, should not present a cost or schedule "
                      "overrun.",
        Rating.RED: "Successful delivery of the project appears to be unachievable. There are "
                    "major issues with project definition, schedule, budget, quality and/or "
                    "benefits delivery, which at this stage do not appear to be manageable or "
                    "resolvable. The project may need re-scoping and/or its overall viability "
                    "reassessed.",
    },
}


@overload
def on_scale(rating: Rating, scale: str) -> Rating: ...
@overload
def on_scale(rating: Rating | None, scale: str) -> Rating | None: ...
def on_scale(rating: Rating | None, scale: str) -> Rating | None:
    """`rating` as the plan's scale shows it: unchanged on the five-point scale; on the
    three-point scale Amber/Green is Amber and Amber/Red is Red (never better than found)."""
    if rating is None or scale == FIVE_POINT:
        return rating
    if rating == Rating.AMBER_GREEN:
        return Rating.AMBER
    if rating == Rating.AMBER_RED:
        return Rating.RED
    return rating


def definition(rating: Rating | None, scale: str) -> str | None:
    """The published definition of `rating` on `scale` (folded onto it first)."""
    value = on_scale(rating, scale)
    return None if value is None else DEFINITIONS[scale][value]


def values(scale: str) -> tuple[Rating, ...]:
    return THREE_POINT_VALUES if scale == THREE_POINT else tuple(Rating)


def scale_words(scale: str) -> str:
    """'three-point scale (Green, Amber, Red)'."""
    return f"{scale} scale ({', '.join(r.label for r in values(scale))})"


def parse_on(text: str, scale: str) -> Rating:
    """A rating a lead typed, on the plan's scale; ValueError naming the scale's values when it
    is not one of them (e.g. Amber/Green on a three-point plan)."""
    rating = Rating.parse(text)
    if rating not in values(scale):
        raise ValueError(f"{rating.label} is not on this plan's {scale_words(scale)}; "
                         f"the plan file's 'rating_scale' says which scale it uses")
    return rating
