"""`drill check` for one problem template: every mistake as (line, message). Pure.

First the names and the syntax of every formula (values, answers, constraints, the
decision), then computations: at the defaults, which must meet every constraint, and at
the corners of the ranges (each param at its low or high, its first or last choice). A
corner that breaks a constraint is never drawn, so it is skipped; but every end of every
param must be reachable: when no corner with a param at that end meets the constraints,
draws with it pinned there are tried, and if none meets them, the constraint that refused
them is reported. So is a constraint no draw meets at all, constraints that refuse nearly
every draw (each problem would be redrawn many times), and a decision whose thresholds
overlap (one not above the one before it) at any point computed.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from drill.formula import CONSTANTS, FormulaError, evaluate, names_used
from drill.quantity import Quantity, QuantityError, parse_unit

if TYPE_CHECKING:
    from drill.problems.model import ProblemTemplate

WITNESS_DRAWS = 40  # draws tried, per end of a param, to show it can be drawn
SAMPLE_DRAWS = 64  # draws tried to measure how many the constraints refuse
MIN_ACCEPTED = 4  # of SAMPLE_DRAWS: fewer means about 16 redraws per problem or more

Problems = list[tuple[int, str]]


def did_you_mean(name: str, known: Iterable[str]) -> str:
    from drill.names import did_you_mean as hint

    return hint(name, sorted(known))


def formula_message(err: Exception) -> str:
    message = str(err)
    column = getattr(err, "column", None)
    if column is not None and "column" not in message:
        message += f" (column {column + 1})"
    return message


def check(template: ProblemTemplate) -> Problems:
    problems: Problems = []
    if not _names(template, problems):
        return problems
    _Computations(template, problems).run()
    return problems


# --------------------------------------------------------------------------- names


def _names(t: ProblemTemplate, problems: Problems) -> bool:
    """Names and syntax; False when something is broken (nothing can be computed)."""
    known = set(t.params)
    later = {v.name: v.line for v in t.values}
    ok = True

    def unknown(name: str, where: str, line: int) -> None:
        if name in later:
            hint = f" (defined later, at line {later[name]}: values are computed in order)"
        elif name in t.answers:
            hint = " (an answer cannot be used in a formula: make it a value)"
        else:
            hint = did_you_mean(name, known | set(later))
        problems.append((line, f"{where}: unknown name '{name}'{hint}"))

    def formula(where: str, text: str, line: int, allowed: set[str]) -> None:
        nonlocal ok
        try:
            used = names_used(text)
        except FormulaError as err:
            problems.append((line, f"{where}: {formula_message(err)}"))
            ok = False
            return
        for name in sorted(used - allowed - set(CONSTANTS)):
            unknown(name, where, line)
            ok = False

    for v in t.values:
        formula(f"value `{v.name}`", v.formula, v.line, known)
        known.add(v.name)
        later.pop(v.name, None)
    for a in t.answers.values():
        formula(f"answer `{a.name}`", a.formula, a.formula_line, known)
    for c in t.constraints:
        for side in (c.left, c.right):
            formula(f"constraint `{c.text}`", side, c.line, known)
    if t.decision is not None:
        with_answers = known | set(t.answers)
        formula("decision `by`", t.decision.by, t.decision.by_line, with_answers)
        for threshold in t.decision.thresholds:
            formula("decision threshold", threshold.at, threshold.line, with_answers)
    for _whole, name, unit in t.placeholders:
        if name not in known:
            problems.append(
                (
                    t.question_line,
                    f"question: {{{name}}} is not a param or value{did_you_mean(name, known)}",
                )
            )
            ok = False
        elif unit is not None:
            try:
                parse_unit(unit)
            except QuantityError as err:
                problems.append((t.question_line, f"question: {{{name}:{unit}}}: {err}"))
                ok = False
    given = {name for name, p in t.params.items() if p.given}
    for _whole, name, _unit in t.scenario_placeholders:
        if name not in t.params:
            problems.append(
                (
                    t.scenario_line,
                    f"scenario: {{{name}}} is not a param{did_you_mean(name, t.params)}",
                )
            )
            ok = False
        elif name not in given:
            problems.append(
                (
                    t.scenario_line,
                    f"scenario: {{{name}}} is one of the inputs the user assumes in assumption "
                    f"mode, so the scenario cannot show it: mark the param `given: true`, or "
                    "leave it out of the scenario",
                )
            )
            ok = False
    return ok


# --------------------------------------------------------------------------- computations


class _Computations:
    def __init__(self, template: ProblemTemplate, problems: Problems):
        self.t = template
        self.problems = problems
        self.reported: set[int] = set()
        self.met: set[int] = set()  # constraints met at some point
        self.at_defaults: dict[int, str] = {}  # constraints the defaults break
        self.tried = 0

    def report(self, line: int, message: str) -> None:
        # One problem per line: the same mistake shows at every corner.
        if line not in self.reported:
            self.reported.add(line)
            self.problems.append((line, message))

    def run(self) -> None:
        t = self.t
        points = t.corner_params()
        defaults, _where = points[0]
        valid_ends: set[tuple[str, int]] = set()
        for params, where in points:
            if self.point(params, where, is_default=params is defaults):
                valid_ends.update(self.ends(params))
        if not t.constraints:
            return
        pending: list[tuple[int, int, str]] = []  # (rank, line, message): one per line
        self.reachable(valid_ends, pending)
        for index, message in self.at_defaults.items():
            if index in self.met:  # else "no draw can meet it" says more
                pending.append((1, t.constraints[index].line, message))
        self.acceptance(random.Random(1), pending)
        for _rank, line, message in sorted(pending, key=lambda p: p[0]):
            self.report(line, message)

    def reachable(
        self, valid_ends: set[tuple[str, int]], pending: list[tuple[int, int, str]]
    ) -> None:
        """Every end of every range can be drawn, and every constraint can be met."""
        t = self.t
        rng = random.Random(0)
        for name, p in t.params.items():
            for end in (0, 1):
                if (name, end) in valid_ends or p.corners[0].value == p.corners[1].value:
                    continue
                pinned = p.corners[end]
                found = False
                refused: Counter[int] = Counter()
                for _ in range(WITNESS_DRAWS):
                    params = {n: q.sample(rng) for n, q in t.params.items()}
                    params[name] = pinned
                    failed = self.failing(params)
                    if failed is None:
                        self.point(params, f"at {name} = {p.format(pinned)}")
                        valid_ends.update(self.ends(params))
                        found = True
                        break
                    refused[failed] += 1
                if not found and refused:
                    index = refused.most_common(1)[0][0]
                    c = t.constraints[index]
                    pending.append(
                        (
                            2,
                            c.line,
                            f"constraint `{c.text}`: no draw with {name} = {p.format(pinned)} "
                            f"meets it (tried {WITNESS_DRAWS} draws and the corners): narrow "
                            f"{name}'s range, or loosen the constraint",
                        )
                    )
        for index, c in enumerate(t.constraints):
            if index not in self.met:
                pending.append(
                    (
                        0,
                        c.line,
                        f"constraint `{c.text}`: no draw can meet it (tried the defaults, "
                        f"the corners and {self.tried} draws)",
                    )
                )

    def ends(self, params: Mapping[str, Quantity]) -> set[tuple[str, int]]:
        out = set()
        for name, p in self.t.params.items():
            low, high = p.corners
            if params[name].value == low.value:
                out.add((name, 0))
            if params[name].value == high.value:
                out.add((name, 1))
        return out

    def acceptance(self, rng: random.Random, pending: list[tuple[int, int, str]]) -> None:
        """The constraints refuse few draws: else every problem is redrawn many times."""
        t = self.t
        refused: Counter[int] = Counter()
        for _ in range(SAMPLE_DRAWS):
            failed = self.failing({n: p.sample(rng) for n, p in t.params.items()})
            if failed is not None:
                refused[failed] += 1
        accepted = SAMPLE_DRAWS - sum(refused.values())
        if accepted < MIN_ACCEPTED and refused:
            index = refused.most_common(1)[0][0]
            c = t.constraints[index]
            pending.append(
                (
                    3,
                    c.line,
                    f"constraint `{c.text}`: the constraints refuse {SAMPLE_DRAWS - accepted} "
                    f"of {SAMPLE_DRAWS} draws, so every problem would be redrawn many times: "
                    "narrow the params' ranges so most draws meet them",
                )
            )

    def values(self, params: Mapping[str, Quantity]) -> tuple[dict[str, Quantity], int | None]:
        """The names at a point, and the index of the value that failed (None: all ok)."""
        names = dict(params)
        for i, v in enumerate(self.t.values):
            try:
                names[v.name] = evaluate(v.formula, names)
            except FormulaError:
                return names, i
        return names, None

    def failing(self, params: Mapping[str, Quantity]) -> int | None:
        """The first constraint a draw breaks (or cannot compute), else None. Every
        constraint met is noted, to find those no draw meets."""
        self.tried += 1
        names, _broken = self.values(params)
        first = None
        for index, c in enumerate(self.t.constraints):
            try:
                holds = c.holds(names)
            except FormulaError:
                holds = False
            if holds:
                self.met.add(index)
            elif first is None:
                first = index
        return first

    def point(self, params: dict[str, Quantity], where: str, is_default: bool = False) -> bool:
        """Check one point; True when it is a valid draw (meets every constraint)."""
        t = self.t
        names = dict(params)
        for v in t.values:
            try:
                names[v.name] = evaluate(v.formula, names)
            except FormulaError as err:
                if not is_default and self.refused(names):
                    return False  # never drawn: a constraint refuses it
                self.report(v.line, f"value `{v.name}`: {formula_message(err)} ({where})")
                return False
        valid = True
        for index, c in enumerate(t.constraints):
            try:
                holds = c.holds(names)
            except FormulaError as err:
                self.report(c.line, f"constraint `{c.text}`: {formula_message(err)} ({where})")
                return False
            if holds:
                self.met.add(index)
                continue
            valid = False
            if is_default:  # reported at the end, unless no draw meets it at all
                left, right = c.sides(names)
                self.at_defaults[index] = (
                    f"constraint `{c.text}` fails at the defaults "
                    f"({left.format()} {c.op} {right.format()} is false)"
                )
        if not valid:
            return False
        results = {}
        for a in t.answers.values():
            try:
                result = evaluate(a.formula, names)
            except FormulaError as err:
                self.report(a.formula_line, f"answer `{a.name}`: {formula_message(err)} ({where})")
                continue
            results[a.name] = result
            if not result.same_dimension(a.unit_q):
                declared = a.unit if a.unit else "a count"
                self.report(
                    a.unit_line,
                    f"answer `{a.name}`: declared unit {declared!r} is a "
                    f"{a.unit_q.dimension_name}, but the formula computes a "
                    f"{result.dimension_name} ({result.format()} {where})",
                )
        for _whole, name, unit in t.placeholders:
            if unit is None:
                continue
            wanted = parse_unit(unit)
            if not names[name].same_dimension(wanted):
                self.report(
                    t.question_line,
                    f"question: {{{name}:{unit}}}: {name} is a "
                    f"{names[name].dimension_name}, not a {wanted.dimension_name}",
                )
        if t.decision is not None and len(results) == len(t.answers):
            self.decision({**names, **results}, where)
        return True

    def refused(self, names: Mapping[str, Quantity]) -> bool:
        """Whether a constraint computable from `names` refuses this point."""
        for c in self.t.constraints:
            try:
                if not c.holds(names):
                    return True
            except FormulaError:
                continue
        return False

    def decision(self, names: Mapping[str, Quantity], where: str) -> None:
        d = self.t.decision
        assert d is not None
        try:
            value = evaluate(d.by, names)
        except FormulaError as err:
            self.report(d.by_line, f"decision `by`: {formula_message(err)} ({where})")
            return
        previous = None
        for threshold in d.thresholds:
            try:
                limit = evaluate(threshold.at, names)
            except FormulaError as err:
                self.report(threshold.line, f"decision threshold: {formula_message(err)} ({where})")
                return
            if not limit.same_dimension(value):
                self.report(
                    threshold.line,
                    f"decision threshold {limit.format()} is a {limit.dimension_name}, but "
                    f"`by` ({d.by}) is a {value.dimension_name} ({where})",
                )
                return
            if previous is not None and not limit.value > previous[0].value:
                self.report(
                    threshold.line,
                    f"decision thresholds overlap: {limit.format()} is not above the "
                    f"threshold before it, {previous[0].format()} (line {previous[1]}), so "
                    f"an option would cover no values ({where})",
                )
                return
            previous = (limit, threshold.line)
