"""Decision steps: the question an estimate is for ("does one PostgreSQL primary take this
write load?"), answered by a choice computed from the numbers. Pure.

A decision compares one value (`by`, a formula) with thresholds in increasing order; with
n thresholds there are n + 1 options, the first below the first threshold, the last from
the last threshold up. Each threshold says the rule it stands for, and may cite the card
that holds the number (`cite: num-cap-postgres-primary-writes`), so the worked solution
names it and `drill check` keeps the two in agreement.

Grading: the option the numbers give is right. The option the napkin path gives, when it
lands on the other side of a threshold, is right too (the estimate is that close). A
neighbouring option is close when the value is within `margin` (default 25%) of the
threshold between them; anything else is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drill import grading
from drill.formula import evaluate
from drill.problems.units import format_in
from drill.quantity import Quantity

if TYPE_CHECKING:
    from drill.grading import Grade

DEFAULT_MARGIN = 0.25
DECISION_NAME = "decision"


@dataclass(frozen=True)
class Threshold:
    at: str  # a formula: a quantity (10K /s) or one computed from the params (node_memory)
    rule: str  # what the number stands for, shown in the worked solution
    cite: str | None = None  # the id of the card that holds the number
    line: int = 0


@dataclass(frozen=True)
class DecisionSpec:
    prompt: str
    by: str  # the formula compared with the thresholds
    options: tuple[str, ...]
    thresholds: tuple[Threshold, ...]
    margin: float = DEFAULT_MARGIN
    unit: str | None = None  # the compared value and thresholds shown in it (%, Gbps)
    line: int = 0
    by_line: int = 0

    def show(self, q: Quantity) -> str:
        return format_in(q, self.unit)

    def values(self, names: Mapping[str, Quantity]) -> tuple[Quantity, list[Quantity]]:
        """The compared value and each threshold's. FormulaError when one fails."""
        return evaluate(self.by, names), [evaluate(t.at, names) for t in self.thresholds]

    def pick(self, value: Quantity, limits: list[Quantity]) -> int:
        """The index of the option `value` falls in: below the first threshold is 0."""
        index = 0
        for limit in limits:
            if value.value >= limit.value:
                index += 1
        return index


@dataclass(frozen=True)
class Decision:
    """A decision of one problem instance: the option its numbers give, and why."""

    spec: DecisionSpec
    value: Quantity
    limits: tuple[Quantity, ...]
    index: int
    napkin_value: Quantity | None = None
    napkin_index: int | None = None

    @property
    def prompt(self) -> str:
        return self.spec.prompt

    @property
    def options(self) -> tuple[str, ...]:
        return self.spec.options

    @property
    def answer(self) -> str:
        return self.options[self.index]

    @property
    def text(self) -> str:
        return self.answer

    def choice(self, typed: str) -> int | None:
        """The option typed: its number (1, 2 ...), its text, or the start of its text."""
        t = " ".join(typed.strip().lower().split())
        if t.isdigit():
            n = int(t)
            return n - 1 if 1 <= n <= len(self.options) else None
        lowered = [o.lower() for o in self.options]
        if t in lowered:
            return lowered.index(t)
        starts = [i for i, o in enumerate(lowered) if t and o.startswith(t)]
        return starts[0] if len(starts) == 1 else None

    def grade(self, typed: str) -> Grade:
        expected = Quantity(float(self.index + 1), "")
        chosen = self.choice(typed)
        if chosen is None:
            numbers = ", ".join(str(i) for i in range(1, len(self.options) + 1))
            return grading.Grade(
                grading.UNREADABLE,
                expected,
                typed=typed,
                detail=f"type an option's number ({numbers}) or the start of its text",
            )
        given = Quantity(float(chosen + 1), "")
        said = f"you chose '{self.options[chosen]}'"
        if chosen == self.index:
            verdict, detail = grading.RIGHT, f"{said}: {self.reason()}"
        elif chosen == self.napkin_index:
            verdict = grading.RIGHT
            detail = (
                f"{said}, where the napkin path lands; exactly it is '{self.answer}' "
                f"({self.reason()}): a borderline case"
            )
        elif abs(chosen - self.index) == 1 and self.near(min(chosen, self.index)):
            verdict = grading.CLOSE
            detail = f"{said}; borderline, but {self.reason()}"
        else:
            verdict, detail = grading.WRONG, f"{said}, but {self.reason()}"
        return grading.Grade(verdict, expected, given, typed, detail=detail)

    def near(self, threshold: int) -> bool:
        """Whether the value is within the margin of threshold `threshold`."""
        limit = self.limits[threshold].value
        v = self.value.value
        if limit <= 0 or v <= 0:
            return abs(v - limit) <= self.spec.margin * max(abs(limit), abs(v))
        return max(v / limit, limit / v) <= 1 + self.spec.margin + 1e-9

    def deciding(self) -> int:
        """The threshold that decided: the one just below the value, else the first."""
        return self.index - 1 if self.index > 0 else 0

    def reason(self) -> str:
        """`1.7K /s is below 10K /s, so 'one primary'`."""
        return f"{self.spec.show(self.value)} is {self.comparison(self.index)}, so '{self.answer}'"

    def comparison(self, index: int) -> str:
        """Where option `index` lies: `below 10K /s`, `at or above 10K /s and below 50K /s`."""
        parts = []
        if index > 0:
            parts.append(f"at or above {self.spec.show(self.limits[index - 1])}")
        if index < len(self.limits):
            parts.append(f"below {self.spec.show(self.limits[index])}")
        return " and ".join(parts)

    def threshold_lines(self) -> list[str]:
        """The rule of each threshold the value was compared with, and its citation."""
        lines = []
        for t, limit in zip(self.spec.thresholds, self.limits, strict=True):
            cite = f" [{t.cite}]" if t.cite else ""
            lines.append(f"threshold {self.spec.show(limit)}: {t.rule}{cite}")
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt,
            "options": list(self.options),
            "answer": self.answer,
            "index": self.index + 1,
            "by": {"value": self.value.value, "unit": self.value.unit, "text": self.value.format()},
            "thresholds": [
                {
                    "value": q.value,
                    "unit": q.unit,
                    "text": q.format(),
                    "rule": t.rule,
                    "cite": t.cite,
                }
                for t, q in zip(self.spec.thresholds, self.limits, strict=True)
            ],
        }
