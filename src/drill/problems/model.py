"""Estimation problems: templates in deck files, instances drawn from a seed, graded answers.

A deck file may hold, beside (or instead of) `cards:`, a list of problem templates::

    problems:
      - id: url-shortener-estimate
        title: URL shortener, back of the envelope
        params:                           # each: a quantity with a default, and a range or choices
          new_urls_per_month: {default: 100M, range: [10M, 1B]}
          record_size: {default: 500 B, range: [100 B, 2 KB]}
          years: {default: 5, range: [1, 10], step: 1}
          cache_hit_rate: {default: 99%, choices: [90%, 95%, 99%]}
        question: >-
          {new_urls_per_month} new short URLs a month, records of {record_size}, kept
          {years} years.
        values:                           # named intermediate results, computed in order
          writes_per_sec: new_urls_per_month / month
        answers:
          writes: {formula: writes_per_sec, unit: /s, prompt: Writes per second?}
          storage:
            formula: new_urls_per_month * 12 * years * record_size
            unit: B
            prompt: Storage over the whole period?
            tolerance: 25%                # optional (default 25%)
        hints: [A month is about 2.5M seconds.]

Formulas are evaluated by :mod:`drill.formula` (never `eval`), units carried throughout.
`drill check` computes every template at its defaults and at the corners of its ranges.

Sampling (`template.instance(seed)`): a local ``random.Random(seed)`` draws each param in
order: `choices` uniformly; a `range` log-uniformly when high/low > 10, else uniformly,
then rounded to friendly values (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k inside the range), or
to multiples of `step` above `low`; `integer: true` keeps whole numbers. Seed None gives
the defaults.

Beyond the numbers (each key documented in docs/authoring.md):

* `constraints:` conditions every draw must meet (``bandwidth <= 10 Tbps``); a draw that
  breaks one is redrawn from the same seed's generator (drill.problems.constraints).
* `decision:` the question the estimate is for, answered by a choice computed from the
  numbers, with thresholds that cite the numbers deck (drill.problems.decision); or
  `no_decision:` the reason a template has none.
* Each worked step shows the napkin path (powers of ten, rounded inputs) beside the exact
  value, and a typed answer within the napkin path's rounding is right
  (drill.problems.napkin).
* `scenario:` the question without its numbers, and each param's `ask:`, for assumption
  mode, where the user proposes the inputs (drill.problems.assume); `given: true` params
  are stated, not assumed.
* `family:` groups templates for `drill stats`; `time_budget:` is the countdown of timed
  mode (default 3 min).
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from drill import grading
from drill.formula import FormulaError, evaluate, explain
from drill.problems import napkin
from drill.problems.constraints import Constraint
from drill.problems.decision import DECISION_NAME, Decision, DecisionSpec
from drill.problems.units import BASE_UNITS, format_in
from drill.problems.units import percent as _percent
from drill.quantity import Quantity, QuantityError, parse, parse_unit

if TYPE_CHECKING:
    from drill.grading import Grade
    from drill.model import Location

__all__ = [
    "Answer",
    "AnswerSpec",
    "Constraint",
    "Decision",
    "DecisionSpec",
    "Param",
    "ProblemError",
    "ProblemInstance",
    "ProblemTemplate",
    "find_template",
    "seed_for",
    "suggested_rating",
]

DEFAULT_TOLERANCE = 0.25
DEFAULT_BUDGET = 180.0  # seconds: the guide budgets 3 minutes for an estimate
MAX_DRAWS = 1000  # draws tried for one instance before its constraints are called unmeetable
FRIENDLY = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
LOG_SPAN = 10.0  # ranges wider than high/low > 10 are sampled log-uniformly
MAX_CORNERS = 64  # combinations of low/high computed by `drill check`, at most
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")

TEMPLATE_KEYS = {
    "id": "stable, unique id (shared with card ids); never reuse or change it",
    "title": "a short title",
    "params": "the inputs: name -> {default, range: [low, high] | choices: [...], step, ...}",
    "question": "the question text; {name} or {name:unit} shows a param or value",
    "values": "named intermediate results, in order: name -> formula",
    "answers": "what to answer: name -> {formula, unit, prompt, tolerance}",
    "hints": "hints, shown on request",
    "tags": "tags for this problem, added to the file's tags",
    "source": "where the problem comes from",
    "suspended": "true keeps the problem out of practice and quizzes",
    "family": "the kind of estimate (traffic, storage, cost ...): drill stats times each family",
    "scenario": "the question without its numbers, for assumption mode ({name} shows a "
    "given param)",
    "constraints": "conditions every draw must meet, e.g. `bandwidth <= 10 Tbps`: "
    "redrawn until they hold",
    "decision": "the choice the estimate is for: {prompt, by, options, thresholds}",
    "no_decision": "why the template has no decision step",
    "time_budget": "the countdown of timed mode (default 3 min)",
}
PARAM_KEYS = {
    "default": "the value used without a seed (a quantity: 100M, 500 B, 99%)",
    "range": "[low, high]: sampled log-uniformly when high/low > 10, else uniformly",
    "choices": "a list of values to pick from",
    "step": "round sampled values to multiples of this above low (instead of friendly values)",
    "integer": "true keeps sampled values whole numbers",
    "unit": "show the value in this unit in the question (e.g. Gbps)",
    "ask": "the question asking the user to assume this input (assumption mode)",
    "given": "true: the scenario states it; assumption mode does not ask for it",
    "reference": "[low, high]: the realistic range assumptions are graded against "
    "(default: the range, or the choices' span)",
}
ANSWER_KEYS = {
    "formula": "how the answer is computed from params and values",
    "unit": "the expected unit: /s, B, B/s, s, '' or count, or any unit such as Gbps",
    "prompt": "the question asked for this answer",
    "tolerance": "how far off is still right (default 25%)",
}
DECISION_KEYS = {
    "prompt": "the question asked, e.g. Does one PostgreSQL primary take the write load?",
    "by": "the formula compared with the thresholds (params, values and answers)",
    "options": "the choices, one more than the thresholds: below the first, between, above",
    "thresholds": "in increasing order, each {at, rule, cite}",
    "margin": "how near a threshold a neighbouring option is close (default 25%)",
    "unit": "show the compared value and the thresholds in this unit (%, Gbps, ms)",
}
THRESHOLD_KEYS = {
    "at": "the threshold: a quantity (10K /s) or a formula (node_memory * 0.8)",
    "rule": "what the number stands for, shown in the worked solution",
    "cite": "the id of the card (in the numbers deck) that holds the number",
}


class ProblemError(ValueError):
    """A problem that cannot be generated or graded as asked (unknown name, bad value)."""


def seed_for(card_id: str, reps: int) -> int:
    """The seed of a problem's next instance in a quiz: a new problem at every review."""
    return zlib.crc32(card_id.encode("utf-8")) + reps


# --------------------------------------------------------------------------- formatting


@lru_cache(maxsize=4096)
def _answer_text(value: float, base_unit: str, unit: str) -> str:
    """An answer's text; friendly params make answers repeat, so it is worth a cache."""
    return format_in(Quantity(value, base_unit), unit)


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True, eq=False)
class Param:
    name: str
    default: Quantity
    low: Quantity | None = None
    high: Quantity | None = None
    choices: tuple[Quantity, ...] = ()
    step: Quantity | None = None
    integer: bool = False
    unit: str | None = None  # display unit
    percent: bool = False  # written as a percentage: shown as one
    line: int = 0
    default_line: int = 0
    candidates: tuple[float, ...] = ()  # friendly values inside the range
    ask: str | None = None  # assumption mode's question
    given: bool = False  # stated by the scenario, never assumed
    reference: tuple[Quantity, Quantity] | None = None  # assumptions are graded against it
    _texts: dict[tuple[float, str], str] = field(default_factory=dict, repr=False)

    @property
    def question(self) -> str:
        """What assumption mode asks: the `ask:` text, else one made from the name."""
        return self.ask or f"Your assumption for {self.name.replace('_', ' ')}?"

    def napkin(self, q: Quantity) -> Quantity:
        """The value the napkin path uses: as shown when it already reads round (`1.5
        million`, `10 Gbps`) or is a percentage, else rounded to one digit."""
        if self.percent:
            return q
        shown = napkin.shown_number(self.format(q))
        if shown is not None and napkin.is_round(shown):
            return q
        return napkin.rounded(q)

    def napkin_text(self, q: Quantity) -> str:
        """How the napkin path writes the value: powers of ten in base units, except a
        percentage, and a value shown in its own unit (10 Gbps) when it is round there."""
        value = self.napkin(q)
        if self.percent or (self.unit is not None and self.unit not in BASE_UNITS and value is q):
            return self.format(q)
        return napkin.text(value)

    def format(self, q: Quantity) -> str:
        key = (q.value, q.unit)
        text = self._texts.get(key)
        if text is None:
            if self.unit is not None:
                text = format_in(q, self.unit)
            elif self.percent and not q.unit:
                text = _percent(q.value)
            else:
                text = q.format()
            if len(self._texts) < 4096:  # drawn values repeat: friendly values, choices
                self._texts[key] = text
        return text

    @property
    def corners(self) -> tuple[Quantity, Quantity]:
        if self.choices:
            return self.choices[0], self.choices[-1]
        assert self.low is not None and self.high is not None
        return self.low, self.high

    @cached_property
    def _span(self) -> tuple[float, float, bool, float, float]:
        """(low, high, log-uniform?, and the bounds to draw between) of a range."""
        assert self.low is not None and self.high is not None
        lo, hi = self.low.value, self.high.value
        if lo > 0 and hi / lo > LOG_SPAN:
            return lo, hi, True, math.log(lo), math.log(hi)
        return lo, hi, False, lo, hi

    def sample(self, rng: random.Random) -> Quantity:
        if self.choices:
            return self.choices[int(rng.random() * len(self.choices))]
        lo, hi, log, a, b = self._span
        x = a + (b - a) * rng.random()
        if log:
            x = math.exp(x)
        return Quantity(self._round(x, log, lo, hi), self.default.unit)

    def _round(self, x: float, log: bool, lo: float, hi: float) -> float:
        if self.step is not None:
            s = self.step.value
            k = min(round((x - lo) / s), math.floor((hi - lo) / s + 1e-9))
            v = float(f"{lo + k * s:.12g}")
        elif self.candidates:
            c = self.candidates
            i = bisect.bisect_left(c, x)
            if i == 0:
                v = c[0]
            elif i == len(c):
                v = c[-1]
            else:
                a, b = c[i - 1], c[i]
                v = a if (x / a < b / x if log else x - a < b - x) else b
        else:
            v = min(max(float(f"{x:.3g}"), lo), hi)
        if self.integer:
            v = float(min(max(round(v), math.ceil(lo)), math.floor(hi)))
        return v


def friendly_values(lo: float, hi: float, integer: bool = False) -> tuple[float, ...]:
    """1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k inside [lo, hi] (whole numbers only if asked)."""
    if lo <= 0 or hi <= 0 or not (math.isfinite(lo) and math.isfinite(hi)):
        return ()
    out = []
    for k in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in FRIENDLY:
            v = float(f"{m * 10.0**k:.12g}")
            if lo * (1 - 1e-12) <= v <= hi * (1 + 1e-12) and (not integer or v == int(v)):
                out.append(v)
    return tuple(sorted(set(out)))


@dataclass(frozen=True)
class ValueSpec:
    name: str
    formula: str
    line: int


@dataclass(frozen=True)
class AnswerSpec:
    name: str
    formula: str
    unit: str  # as written ("" for a count)
    unit_q: Quantity  # one of that unit
    prompt: str
    tolerance: float
    line: int
    formula_line: int
    unit_line: int

    def text(self, value: Quantity) -> str:
        return _answer_text(value.value, value.unit, self.unit)


@dataclass(slots=True)
class Answer:
    """One computed answer of a problem instance."""

    name: str
    value: Quantity  # in SI base units
    unit: str  # the declared unit, as written
    prompt: str
    tolerance: float
    text: str  # the value as text, in the declared unit
    owner: ProblemInstance | None = None  # for the napkin path's value, worked out on demand

    @property
    def grading_text(self) -> str | None:
        """A bare number typed is read in the declared unit (``8`` for ``Gbps`` is 8 Gbps)."""
        return None if self.unit in BASE_UNITS else self.text

    @property
    def napkin(self) -> Quantity | None:
        return None if self.owner is None else self.owner.napkin_values.get(self.name)

    def grade(self, typed: str) -> Grade:
        """Right within the tolerance of the exact value, or within the napkin path's
        rounding; otherwise the grade says whether rounding or a wrong step explains it."""
        exact = grading.grade(typed, self.value, self.tolerance, answer_text=self.grading_text)
        if (
            self.owner is None
            or exact.verdict in (grading.RIGHT, grading.DIMENSION, grading.UNREADABLE)
            or grading.is_high_percentage(self.value, self.grading_text)
        ):
            return exact  # the napkin path is worked out only when it can change the grade
        return napkin.refine(
            exact, self.napkin, self.tolerance, self.grading_text, self.owner.other_steps(self.name)
        )

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value.value, "unit": self.value.unit, "text": self.text}


@dataclass(frozen=True, eq=False)
class ProblemTemplate:
    """A parsed, validated problem template; `instance(seed)` draws a problem from it."""

    id: str
    title: str
    deck: str
    params: dict[str, Param]
    question: str
    values: tuple[ValueSpec, ...]
    answers: dict[str, AnswerSpec]
    hints: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source: str | None = None
    suspended: bool = False
    location: Location | None = None
    question_line: int = 0
    placeholders: tuple[tuple[str, str, str | None], ...] = field(default=(), repr=False)
    family: str | None = None
    scenario: str | None = None
    scenario_line: int = 0
    scenario_placeholders: tuple[tuple[str, str, str | None], ...] = field(default=(), repr=False)
    constraints: tuple[Constraint, ...] = ()
    decision: DecisionSpec | None = None
    no_decision: str | None = None
    time_budget: Quantity | None = None

    # -- generating
    def defaults(self) -> dict[str, Quantity]:
        return {name: p.default for name, p in self.params.items()}

    def draw(self, seed: int | None) -> dict[str, Quantity]:
        """The params of the instance with this seed (None: the defaults), redrawn from
        the seed's generator until they meet the constraints."""
        return self._draw(seed)[0]

    def _draw(
        self, seed: int | None, overrides: Mapping[str, Quantity] | None = None
    ) -> tuple[dict[str, Quantity], dict[str, Quantity] | None, int]:
        """(params, the values when computed, how many draws the constraints refused).
        Overrides are set in every draw, so the other params are drawn to fit them; if
        none fits within MAX_DRAWS, the first draw is used as it is."""
        if seed is None:
            params = self.defaults()
            params.update(overrides or {})
            return params, None, 0
        rng = random.Random(seed)
        samplers = self._samplers
        first = None
        for redraws in range(MAX_DRAWS):
            params = {name: sample(rng) for name, sample in samplers}
            if overrides:
                params.update(overrides)
            if not self.constraints:
                return params, None, 0
            try:
                names = self.compute_values(params)
                if all(c.holds(names) for c in self.constraints):
                    return params, names, redraws
            except FormulaError:
                pass  # a draw that cannot be computed is redrawn like one that breaks a rule
            if first is None:
                first = params
        if overrides:
            assert first is not None
            return first, None, MAX_DRAWS
        raise ProblemError(
            f"problem '{self.id}': no draw met its constraints in {MAX_DRAWS} tries "
            "(drill check shows which)"
        )

    @cached_property
    def _samplers(self) -> tuple[tuple[str, Any], ...]:
        return tuple((name, p.sample) for name, p in self.params.items())

    def compute_values(self, params: Mapping[str, Quantity]) -> dict[str, Quantity]:
        """The params and every value, in order. FormulaError."""
        names = dict(params)
        for name, formula in self._values:
            names[name] = evaluate(formula, names)
        return names

    def compute(
        self, params: Mapping[str, Quantity], names: dict[str, Quantity] | None = None
    ) -> tuple[dict[str, Quantity], dict]:
        """Every value (params included) and every answer, in base units. FormulaError."""
        if names is None:
            names = self.compute_values(params)
        results = {}
        for name, formula in self._answers:
            # An answer that is just a param or value (`formula: writes_per_sec`) is that value.
            same = names.get(formula)
            results[name] = same if same is not None else evaluate(formula, names)
        return names, results

    def napkin(
        self, params: Mapping[str, Quantity]
    ) -> tuple[dict[str, Quantity], dict[str, Quantity | None]]:
        """The napkin path: each param as the napkin uses it, the napkin constants (a day
        is 10^5 s), each value and answer kept to two digits for the next step. A step that cannot
        be computed that way (a rounding that divides by zero) is None, and the steps
        after it use its exact value."""
        names: dict[str, Quantity] = dict(napkin.NAPKIN_CONSTANTS)
        for name, p in self.params.items():
            names[name] = p.napkin(params[name])
        steps: dict[str, Quantity | None] = {}
        exact: dict[str, Quantity] | None = None
        for name, formula in self._values:
            try:
                names[name] = steps[name] = napkin.kept(evaluate(formula, names))
            except FormulaError:
                if exact is None:
                    exact = self.compute_values(params)
                steps[name] = None
                names[name] = exact[name]
        for name, formula in self._answers:
            try:
                steps[name] = napkin.kept(evaluate(formula, names))
            except FormulaError:
                steps[name] = None
        return names, steps

    @cached_property
    def _values(self) -> tuple[tuple[str, str], ...]:
        return tuple((v.name, v.formula) for v in self.values)

    @cached_property
    def _answers(self) -> tuple[tuple[str, str], ...]:
        return tuple((a.name, a.formula) for a in self.answers.values())

    def instance(
        self, seed: int | None = None, overrides: Mapping[str, str] | None = None
    ) -> ProblemInstance:
        """A problem: params drawn with `seed` (None: the defaults) to meet the
        constraints, with `overrides` (text such as ``{"years": "3"}``) set. ProblemError
        for unknown params, unreadable or mismatched values, or a computation that fails."""
        read = {name: self.read_param(name, text) for name, text in (overrides or {}).items()}
        params, names, redraws = self._draw(seed, read)
        return self._instance(seed, params, names, redraws)

    def with_assumptions(
        self, seed: int | None, assumed: Mapping[str, Quantity]
    ) -> ProblemInstance:
        """The problem computed from the user's assumptions (assumption mode): the given
        params as drawn with `seed`, the assumed ones as typed. Constraints do not apply
        to the user's own numbers. ProblemError when they cannot be computed."""
        params, _names, _redraws = self._draw(seed)
        params.update(assumed)
        instance = self._instance(seed, params, None, 0)
        instance.assumed = dict(assumed)
        return instance

    def _instance(
        self,
        seed: int | None,
        params: dict[str, Quantity],
        names: dict[str, Quantity] | None,
        redraws: int,
    ) -> ProblemInstance:
        try:
            names, results = self.compute(params, names)
            decision = None
            if self.decision is not None:
                value, limits = self.decision.values({**names, **results})
                decision = Decision(
                    self.decision, value, tuple(limits), self.decision.pick(value, limits)
                )
        except FormulaError as err:
            raise ProblemError(f"problem '{self.id}' cannot be computed: {err}") from None
        answers = {}
        for name, spec in self.answers.items():
            value = results[name]
            answers[name] = Answer(
                name, value, spec.unit, spec.prompt, spec.tolerance, spec.text(value)
            )
        instance = ProblemInstance(
            self, seed, params, names, self.render(names), answers, decision, redraws
        )
        for answer in answers.values():
            answer.owner = instance
        return instance

    @property
    def assumed_params(self) -> list[Param]:
        """The inputs assumption mode asks the user for: every param not `given`."""
        return [p for p in self.params.values() if not p.given]

    def read_assumption(self, name: str, text: str) -> tuple[Quantity, Grade]:
        """An assumption typed for a param, and its grade against the reference range.
        ProblemError when it cannot be read, or is not above zero where the range is."""
        from drill.problems import assume

        q = self.read_param(name, text)
        param = self.params[name]
        low, _high = assume.reference_range(param)
        if low.value > 0 and q.value <= 0:
            raise ProblemError(f"{name} must be above zero")
        return q, assume.grade(param, q, text)

    def render_scenario(self, names: Mapping[str, Quantity]) -> str:
        """The question as assumption mode asks it: the scenario with its given params,
        else the question with each assumed input left as a blank."""
        if self.scenario is not None:
            return _fill(self.scenario, self.scenario_placeholders, self.params, names)
        blanks = {
            name: f"[{name.replace('_', ' ')}?]" for name, p in self.params.items() if not p.given
        }
        segments, tail = self._segments
        out = []
        for before, name, param, unit in segments:
            out.append(before)
            if name in blanks:
                out.append(blanks[name])
            elif unit is not None:
                out.append(format_in(names[name], unit))
            elif param is not None:
                out.append(param.format(names[name]))
            else:
                out.append("[...]")  # a value computed from the inputs: not known yet
        out.append(tail)
        return "".join(out)

    @property
    def budget(self) -> float:
        """Timed mode's countdown, in seconds."""
        return DEFAULT_BUDGET if self.time_budget is None else self.time_budget.value

    def read_param(self, name: str, text: str) -> Quantity:
        param = self.params.get(name)
        if param is None:
            known = ", ".join(self.params) or "none"
            raise ProblemError(
                f"problem '{self.id}' has no param '{name}'"
                f"{_did_you_mean(name, self.params)} (params: {known})"
            )
        try:
            q = parse(str(text), expect=param.default.unit)
        except QuantityError as err:
            raise ProblemError(f"param '{name}': {err}") from None
        if q.unit == "" and param.default.unit and param.unit is not None:
            q = q * parse_unit(param.unit)  # a bare number is in the param's display unit
        if not q.same_dimension(param.default):
            raise ProblemError(
                f"param '{name}' is a {param.default.dimension_name}, "
                f"not a {q.dimension_name} ({text})"
            )
        return q

    @cached_property
    def _segments(self) -> tuple[list[tuple[str, str, Param | None, str | None]], str]:
        """The question cut at its placeholders: (text before, name, param, unit) ..., tail."""
        parts = []
        pos = 0
        for whole, name, unit in self.placeholders:
            i = self.question.index(whole, pos)
            parts.append((self.question[pos:i], name, self.params.get(name), unit))
            pos = i + len(whole)
        return parts, self.question[pos:]

    def render(self, names: Mapping[str, Quantity]) -> str:
        """The question with its placeholders filled in."""
        segments, tail = self._segments
        out = []
        for before, name, param, unit in segments:
            out.append(before)
            out.append(_shown(names[name], unit, param))
        out.append(tail)
        return "".join(out)

    def to_json(self) -> dict[str, Any]:
        """What the template is (for `drill problem list --json`): the fields it has always
        had, then its family and decision."""
        params = {}
        for name, p in self.params.items():
            row: dict[str, Any] = {"default": p.format(p.default)}
            if p.choices:
                row["choices"] = [p.format(c) for c in p.choices]
            else:
                assert p.low is not None and p.high is not None
                row["range"] = [p.format(p.low), p.format(p.high)]
            params[name] = row
        return {
            "id": self.id,
            "title": self.title,
            "deck": self.deck,
            "params": params,
            "answers": {
                n: {"unit": a.unit, "prompt": a.prompt, "tolerance": a.tolerance}
                for n, a in self.answers.items()
            },
            "tags": list(self.tags),
            "source": self.source,
            "suspended": self.suspended,
            "path": self.location.path if self.location else None,
            "line": self.location.line if self.location else None,
            "family": self.family,
            "decision": (
                None
                if self.decision is None
                else {"prompt": self.decision.prompt, "options": list(self.decision.options)}
            ),
            "no_decision": self.no_decision,
        }

    # -- checking
    def check(self) -> list[tuple[int, str]]:
        """Every problem with the template, as (line, message): names and syntax first,
        then computations at the defaults and the corners (drill.problems.checking)."""
        from drill.problems.checking import check

        return check(self)

    def corner_params(self) -> list[tuple[dict[str, Quantity], str]]:
        """The defaults, then combinations of each param's low/high (first/last choice):
        all of them up to MAX_CORNERS, else all-low, all-high, each one flipped, and a
        fixed sample of the rest."""
        defaults = self.defaults()
        names = list(self.params)
        out = [(defaults, "at the defaults")]
        n = len(names)
        if not n:
            return out
        if 2**n <= MAX_CORNERS:
            combos = list(itertools.product((0, 1), repeat=n))
        else:
            combos = [(0,) * n, (1,) * n]
            for i in range(n):
                combos.append(tuple(int(j == i) for j in range(n)))
                combos.append(tuple(int(j != i) for j in range(n)))
            combos = list(dict.fromkeys(combos))
            rng = random.Random(0)
            while len(combos) < MAX_CORNERS:
                combo = tuple(rng.randint(0, 1) for _ in range(n))
                if combo not in combos:
                    combos.append(combo)
        for combo in combos[:MAX_CORNERS]:
            params = {
                name: self.params[name].corners[c] for name, c in zip(names, combo, strict=True)
            }
            shown = [
                f"{name} = {self.params[name].format(q)}"
                for name, q in params.items()
                if q.value != defaults[name].value
            ]
            out.append((params, "at " + ", ".join(shown) if shown else "at the defaults"))
        return out


def _napkin_in(q: Quantity, unit: str | None) -> str:
    """A napkin value, in a decision's unit when it has one (a percentage, Gbps)."""
    return napkin.text(q) if unit is None or unit in BASE_UNITS else format_in(q, unit)


def _fill(
    text: str,
    placeholders: tuple[tuple[str, str, str | None], ...],
    params: Mapping[str, Param],
    names: Mapping[str, Quantity],
) -> str:
    """`text` with each placeholder's value written in (as a param shows it, or in the
    placeholder's unit)."""
    out = []
    pos = 0
    for whole, name, unit in placeholders:
        i = text.index(whole, pos)
        out.append(text[pos:i])
        out.append(_shown(names[name], unit, params.get(name)))
        pos = i + len(whole)
    out.append(text[pos:])
    return "".join(out)


def _shown(q: Quantity, unit: str | None, param: Param | None) -> str:
    """A value written into a problem's text: in the placeholder's unit, else as its param
    shows it, else as a quantity."""
    if unit is not None:
        return format_in(q, unit)
    return param.format(q) if param is not None else q.format()


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    from drill.names import did_you_mean

    return did_you_mean(name, sorted(known))


# --------------------------------------------------------------------------- instances


@dataclass(eq=False)
class ProblemInstance:
    """One problem drawn from a template: its params, question, answers, decision and
    worked solution (the napkin path beside the exact one)."""

    template: ProblemTemplate
    seed: int | None
    params: dict[str, Quantity]
    names: dict[str, Quantity]  # params and values
    question: str
    answers: dict[str, Answer]
    decision: Decision | None = None
    redraws: int = 0  # draws the constraints refused before this one
    assumed: dict[str, Quantity] | None = None  # assumption mode: the user's inputs

    @property
    def id(self) -> str:
        return self.template.id

    @property
    def title(self) -> str:
        return self.template.title

    @property
    def hints(self) -> tuple[str, ...]:
        return self.template.hints

    @cached_property
    def solution(self) -> list[str]:
        """The worked solution, one line per value and answer, numbers substituted:
        ``writes_per_sec = new_urls_per_month / month = 100 million / month ≈ 38.6 /s``."""
        lines = []
        for name, _formula, shown, substituted, result in self._exact_steps:
            if substituted in (shown, result):
                lines.append(f"{name} = {shown} ≈ {result}")
            else:
                lines.append(f"{name} = {shown} = {substituted} ≈ {result}")
        return lines

    @cached_property
    def _steps(self) -> list[tuple[str, str, Answer | None]]:
        steps: list[tuple[str, str, Answer | None]] = [
            (v.name, v.formula, None) for v in self.template.values
        ]
        steps += [(a.name, a.formula, self.answers[a.name]) for a in self.template.answers.values()]
        return steps

    @cached_property
    def _exact_steps(self) -> list[tuple[str, str, str, str, str]]:
        """(name, formula, formula as shown, substituted, result) of each step."""
        texts = {name: self.param_text(name) for name in self.params}
        out = []
        for name, formula, answer in self._steps:
            substituted, result = explain(formula, self.names, texts).rsplit(" ≈ ", 1)
            if answer is not None:
                result = answer.text
            out.append((name, formula, " ".join(formula.split()), substituted, result))
        return out

    @cached_property
    def _napkin(self) -> tuple[dict[str, Quantity], dict[str, Quantity | None]]:
        return self.template.napkin(self.params)

    @property
    def napkin_values(self) -> dict[str, Quantity | None]:
        """The napkin path's value of each value and answer (None where it has none)."""
        return self._napkin[1]

    @cached_property
    def napkin(self) -> list[str]:
        """The napkin path, one line per value and answer:
        ``writes_per_sec ≈ 10^8 / 2.5×10^6 s ≈ 40 /s``."""
        return [f"{name} ≈ {line}" for name, line in self._napkin_lines]

    @cached_property
    def _napkin_lines(self) -> list[tuple[str, str]]:
        names, steps = self._napkin
        texts = {name: napkin.text(q) for name, q in napkin.NAPKIN_CONSTANTS.items()}
        texts.update({n: p.napkin_text(self.params[n]) for n, p in self.template.params.items()})
        lines = []
        for name, formula, answer in self._steps:
            value = steps.get(name)
            if value is None:
                lines.append((name, "(no napkin path: the rounding breaks this step)"))
                continue
            declared = None
            if answer is not None and answer.unit not in BASE_UNITS:
                declared = _answer_text(value.value, value.unit, answer.unit)
            result = declared if answer is not None and answer.unit == "%" else None
            result = result or napkin.with_friendly(value, declared)
            try:
                substituted = explain(formula, names, texts).rsplit(" ≈ ", 1)[0]
            except FormulaError:  # pragma: no cover - the value computed just now
                substituted = formula
            if substituted in (result, napkin.text(value)):
                lines.append((name, result))
            else:
                lines.append((name, f"{substituted} ≈ {result}"))
            texts[name] = napkin.text(value)
        return lines

    @cached_property
    def worked(self) -> list[str]:
        """The worked solution as shown: each step's formula, then the napkin path and
        the exact value on a line each; then the decision, with its thresholds."""
        lines = []
        napkin_lines = dict(self._napkin_lines)
        for name, _formula, shown, substituted, result in self._exact_steps:
            lines.append(f"{name} = {shown}")
            lines.append(f"  napkin  {napkin_lines[name]}")
            lines.append(
                f"  exact   {result if substituted == result else f'{substituted} ≈ {result}'}"
            )
        d = self.decision
        if d is not None:
            by = " ".join(d.spec.by.split())
            if not NAME_RE.match(by):
                by = f"({by})"
            lines.append(f"decision: {d.prompt}")
            napkin_decision = self.napkin_decision
            if napkin_decision is not None:
                value, index = napkin_decision
                lines.append(
                    f"  napkin  {by} ≈ {_napkin_in(value, d.spec.unit)}, {d.comparison(index)}: "
                    f"{d.options[index]}"
                )
            lines.append(
                f"  exact   {by} = {d.spec.show(d.value)}, {d.comparison(d.index)}: {d.answer}"
            )
            lines += [f"  {line}" for line in d.threshold_lines()]
        return lines

    @cached_property
    def napkin_decision(self) -> tuple[Quantity, int] | None:
        """The decision's value on the napkin path and the option it gives (None without
        a decision, or where the napkin path cannot compute it)."""
        d = self.decision
        if d is None:
            return None
        names, steps = self._napkin
        everything = {**names, **{k: v for k, v in steps.items() if v is not None}}
        if any(v is None for v in steps.values()):
            return None
        try:
            value, limits = d.spec.values(everything)
        except FormulaError:
            return None
        value = napkin.kept(value)
        return value, d.spec.pick(value, limits)

    def param_text(self, name: str) -> str:
        return self.template.params[name].format(self.params[name])

    def other_steps(self, name: str) -> dict[str, tuple[Quantity, Quantity | None]]:
        """Every step but `name`, as (exact, napkin) values: a typed answer that matches
        one of them was given for the wrong step."""
        steps = self.napkin_values
        out = {
            v.name: (self.names[v.name], steps.get(v.name))
            for v in self.template.values
            if v.name != name
        }
        for other, answer in self.answers.items():
            if other != name:
                out[other] = (answer.value, steps.get(other))
        return out

    def decision_grade(self, typed: str) -> Grade:
        """The typed choice (its number or text), graded; the napkin path's option counts."""
        d = self.decision
        assert d is not None
        chosen = d.choice(typed)
        if chosen is not None and chosen != d.index:  # only then can the napkin path matter
            napkin_decision = self.napkin_decision
            if napkin_decision is not None and napkin_decision[1] != d.index:
                d = Decision(d.spec, d.value, d.limits, d.index, *napkin_decision)
        return d.grade(typed)

    def grade(self, typed: Mapping[str, str]) -> dict[str, Grade]:
        """Grade typed answers by name, and the decision by its name (`decision`);
        ProblemError for an unknown name."""
        known = list(self.answers) + ([DECISION_NAME] if self.decision is not None else [])
        unknown = [name for name in typed if name not in known]
        if unknown:
            raise ProblemError(
                f"problem '{self.id}' has no answer '{unknown[0]}'"
                f"{_did_you_mean(unknown[0], known)} (answers: {', '.join(known)})"
            )
        grades = {
            name: answer.grade(typed[name])
            for name, answer in self.answers.items()
            if name in typed
        }
        if DECISION_NAME in typed:
            grades[DECISION_NAME] = self.decision_grade(typed[DECISION_NAME])
        return grades

    def to_json(self) -> dict[str, Any]:
        """The instance as `drill problem show --json` prints it: the fields it has always
        had, then the napkin path (a line per step), the decision and the worked lines."""
        return {
            "id": self.id,
            "title": self.title,
            "seed": self.seed,
            "params": {
                name: {"value": q.value, "unit": q.unit, "text": self.param_text(name)}
                for name, q in self.params.items()
            },
            "question": self.question,
            "answers": {name: a.to_json() for name, a in self.answers.items()},
            "solution": list(self.solution),
            "napkin": list(self.napkin),
            "decision": None if self.decision is None else self.decision.to_json(),
            "worked": list(self.worked),
        }


def suggested_rating(grades: Mapping[str, Grade] | Sequence[Grade]) -> int:
    """All right: Good (3); the worst only close: Hard (2); anything worse: Again (1)."""
    return grading.suggested_rating(
        list(grades.values()) if isinstance(grades, Mapping) else list(grades)
    )


def find_template(templates: Iterable[ProblemTemplate], template_id: str) -> ProblemTemplate:
    templates = list(templates)
    for t in templates:
        if t.id == template_id:
            return t
    hint = _did_you_mean(template_id, [t.id for t in templates])
    raise ProblemError(f"no problem with id '{template_id}'{hint} (drill problem list shows them)")


RATING_NAMES = {grading.AGAIN: "Again", grading.HARD: "Hard", grading.GOOD: "Good"}
