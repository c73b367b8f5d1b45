"""Grading typed answers against a quantity. Pure.

An answer is judged by how far off it is as a ratio, so 100K for 86,400 s is as good as
86,400 for 100K: **right** within the tolerance (default 25%), **close** within 2x, **off**
within 10x, **wrong** beyond, and **dimension** when it is a different kind of thing (a size
given for a rate). Unreadable text is **unreadable**, with what the parser expected.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from drill.quantity import Quantity, QuantityError, parse, parse_unit

RIGHT, CLOSE, OFF, WRONG, DIMENSION, UNREADABLE = (
    "right",
    "close",
    "off",
    "wrong",
    "dimension",
    "unreadable",
)
# Worst last: the overall verdict of several answers is the worst one.
ORDER = (RIGHT, CLOSE, OFF, WRONG, DIMENSION, UNREADABLE)
CLOSE_FACTOR = 2.0
OFF_FACTOR = 10.0
DEFAULT_TOLERANCE = 0.25

# Suggested ratings (drill.scheduler.Rating values): right -> Good, close -> Hard, else Again.
AGAIN, HARD, GOOD = 1, 2, 3


@dataclass(frozen=True)
class Grade:
    verdict: str
    expected: Quantity
    given: Quantity | None = None
    typed: str = ""
    factor: float | None = None  # given / expected, when comparable
    detail: str = ""

    @property
    def suggested_rating(self) -> int:
        return suggested_rating([self])

    @property
    def message(self) -> str:
        """One line for the user: the verdict, how far off, and the right answer."""
        head = {
            RIGHT: "right",
            CLOSE: "close",
            OFF: "off",
            WRONG: "wrong",
            DIMENSION: "wrong kind of quantity",
            UNREADABLE: "could not read that",
        }[self.verdict]
        parts = [head]
        if self.detail:
            parts.append(self.detail)
        return ": ".join(parts)


def _how_far(factor: float) -> str:
    """`16% high`, `42% low` (50,000 for 86,400), `5x high`, `1,000x low`, `65 million times low`.
    Within 2x the gap is a share of the answer; beyond, a multiple."""
    if math.isclose(factor, 1.0, rel_tol=1e-9):
        return "exact"
    if factor > 1:
        return f"{(factor - 1) * 100:.0f}% high" if factor < 2 else f"{_times(factor)} high"
    return f"{(1 - factor) * 100:.0f}% low" if factor > 0.5 else f"{_times(1 / factor)} low"


def _times(factor: float) -> str:
    if factor < 10:
        return f"{factor:.1f}x"
    if factor < 100_000:
        return f"{factor:,.0f}x"
    return f"{Quantity(factor, '').format()} times"


_LEADING_NUMBER = re.compile(r"^\s*(?:~=|[~≈])?\s*[-+]?(?:\d[\d,_ ]*)?(?:\.\d+)?(?:[eE][-+]?\d+)?")


_MAGNITUDE = re.compile(r"^(?:[kKMGT]|thousand|million|billion|trillion|mn|bn|tn)(?:\s+|$)")


def display_unit(answer_text: str | None) -> tuple[str, Quantity] | None:
    """The unit an answer is written in (`"86,400 s"` -> `"s"`), so a bare number typed for
    it is read in that unit, as the question asked, and a typed answer is echoed in it."""
    if not answer_text:
        return None
    rest = _LEADING_NUMBER.sub("", answer_text, count=1).strip()
    # "1.2k QPS": a bare 1200 means 1,200 QPS, so the magnitude is not part of the unit.
    rest = _MAGNITUDE.sub("", rest, count=1)
    if not rest:
        return None
    try:
        return rest, parse_unit(rest)
    except QuantityError:
        return None


def _named_count(typed: str) -> bool:
    """Typed text that names what it counts (`100k users`), not a bare number (`100k`)."""
    rest = _LEADING_NUMBER.sub("", typed, count=1).strip()
    return bool(_MAGNITUDE.sub("", rest, count=1).strip(" %"))


def _kind(quantity: Quantity) -> str:
    return quantity.dimension_name.split(" (")[0]


def grade(
    typed: str,
    expected: Quantity,
    tolerance: float | None = None,
    answer_text: str | None = None,
) -> Grade:
    """Judge one typed answer against the expected quantity. `answer_text` (the answer as the
    author wrote it) lets a bare number be read in the answer's own unit: for "86,400 s",
    typing 86400 means seconds."""
    tolerance = DEFAULT_TOLERANCE if tolerance is None else tolerance
    try:
        given = parse(typed, expect=expected.unit)
    except QuantityError as err:
        return Grade(UNREADABLE, expected, typed=typed, detail=str(err))
    unit = display_unit(answer_text)
    if given.unit == "" and expected.unit != "" and _named_count(typed):
        # `100k users` for a time is a count, not seconds: only a bare number takes the unit.
        detail = f"you gave a count ({typed.strip()}), the answer is a {_kind(expected)}"
        return Grade(DIMENSION, expected, given, typed, detail=detail)
    if given.unit == "" and expected.unit != "":
        # A bare number means the answer's own unit (or its base unit: 40 means 40 /s).
        in_unit = unit[1] if unit and unit[1].same_dimension(expected) else None
        given = given * (in_unit or Quantity(1.0, expected.unit))
    if not given.same_dimension(expected):
        detail = f"you gave a {_kind(given)} ({given.format()}), the answer is a {_kind(expected)}"
        return Grade(DIMENSION, expected, given, typed, detail=detail)
    if is_high_percentage(expected, answer_text):
        return _grade_shortfall(given, expected, typed, tolerance)
    shown = given.format()
    if unit and unit[1].same_dimension(given) and unit[1].value:
        shown = f"{Quantity(given.value / unit[1].value, '').format()} {unit[0]}"
    if expected.value == 0 or given.value == 0 or (given.value < 0) != (expected.value < 0):
        same = math.isclose(given.value, expected.value, abs_tol=1e-12)
        return Grade(
            RIGHT if same else WRONG,
            expected,
            given,
            typed,
            detail="" if same else f"you said {shown}",
        )
    factor = given.value / expected.value
    spread = max(factor, 1 / factor)
    if spread <= 1 + tolerance + 1e-9:
        verdict = RIGHT
    elif spread <= CLOSE_FACTOR:
        verdict = CLOSE
    elif spread <= OFF_FACTOR:
        verdict = OFF
    else:
        verdict = WRONG
    return Grade(
        verdict, expected, given, typed, factor, detail=f"you said {shown}, {_how_far(factor)}"
    )


def is_high_percentage(expected: Quantity, answer_text: str | None) -> bool:
    """99.99% is judged by what it leaves out (0.01%): by ratio, 99.9% would pass for 99.99%
    though it allows ten times the downtime."""
    return (
        expected.unit == ""
        and 0.5 < expected.value < 1
        and answer_text is not None
        and answer_text.strip().endswith("%")
    )


def percent(x: float) -> str:
    text = f"{x * 100:.6f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _grade_shortfall(given: Quantity, expected: Quantity, typed: str, tolerance: float) -> Grade:
    missing, expected_missing = 1 - given.value, 1 - expected.value
    said = f"you said {percent(given.value)}"
    if missing <= 0:
        return Grade(WRONG, expected, given, typed, detail=f"{said}, which leaves nothing out")
    factor = missing / expected_missing
    spread = max(factor, 1 / factor)
    verdict = (
        RIGHT
        if spread <= 1 + tolerance + 1e-9
        else CLOSE
        if spread <= CLOSE_FACTOR
        else OFF
        if spread <= OFF_FACTOR
        else WRONG
    )
    detail = f"{said}: {percent(missing)} left out, against {percent(expected_missing)}" + (
        "" if verdict == RIGHT else f" ({_how_far(factor)})"
    )
    return Grade(verdict, expected, given, typed, factor, detail=detail)


def worst(grades: list[Grade]) -> str:
    return max((g.verdict for g in grades), key=ORDER.index)


def suggested_rating(grades: list[Grade]) -> int:
    """All right: Good; the worst only close: Hard; anything worse: Again."""
    verdict = worst(grades)
    return GOOD if verdict == RIGHT else HARD if verdict == CLOSE else AGAIN
