"""Constraints between a template's params: conditions every draw must meet, such as
``bandwidth <= 10 Tbps`` or ``workers <= 10000``. Each side is a formula over the params
and values (drill.formula); the comparison is one of ``< <= > >=``. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from drill.formula import FormulaError, evaluate
from drill.quantity import DimensionError, Quantity

OPERATORS = ("<=", ">=", "<", ">")
_COMPARISON = re.compile(r"<=|>=|<|>|==|!=|=")


class ConstraintError(ValueError):
    """A constraint that cannot be read: no comparison, or more than one."""


@dataclass(frozen=True)
class Constraint:
    text: str  # as written
    left: str
    op: str
    right: str
    line: int = 0

    @classmethod
    def read(cls, text: str, line: int = 0) -> Constraint:
        """`a <op> b` with one comparison outside parentheses. ConstraintError otherwise."""
        found = []
        depth = 0
        i = 0
        while i < len(text):
            c = text[i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif depth == 0 and (m := _COMPARISON.match(text, i)) is not None:
                found.append(m)
                i = m.end()
                continue
            i += 1
        if len(found) != 1:
            what = "no comparison" if not found else "more than one comparison"
            raise ConstraintError(
                f"constraint `{text}` has {what}: write one condition such as "
                "`bandwidth <= 10 Tbps` (with <, <=, > or >=)"
            )
        m = found[0]
        if m.group() not in OPERATORS:
            raise ConstraintError(
                f"constraint `{text}`: '{m.group()}' is not allowed; use <, <=, > or >= "
                "(drawn values are rarely exactly equal)"
            )
        left, right = text[: m.start()].strip(), text[m.end() :].strip()
        if not left or not right:
            raise ConstraintError(f"constraint `{text}` needs a formula on each side")
        return cls(" ".join(text.split()), left, m.group(), right, line)

    def sides(self, names: Mapping[str, Quantity]) -> tuple[Quantity, Quantity]:
        """Both sides' values. FormulaError (DimensionError as its cause) when they cannot
        be computed or compared."""
        left, right = evaluate(self.left, names), evaluate(self.right, names)
        if not left.same_dimension(right):
            raise FormulaError(
                f"a {left.dimension_name} cannot be compared with a {right.dimension_name} "
                f"({left.format()} {self.op} {right.format()})"
            )
        return left, right

    def holds(self, names: Mapping[str, Quantity]) -> bool:
        """Whether the condition holds; FormulaError when it cannot be computed."""
        try:
            left, right = self.sides(names)
        except DimensionError as err:  # pragma: no cover - evaluate wraps these
            raise FormulaError(str(err)) from None
        a, b = left.value, right.value
        if self.op == "<":
            return a < b
        if self.op == "<=":
            return a <= b
        if self.op == ">":
            return a > b
        return a >= b
