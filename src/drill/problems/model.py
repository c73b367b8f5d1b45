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
from drill.formula import CONSTANTS, FormulaError, evaluate, explain, names_used
from drill.quantity import Quantity, QuantityError, parse, parse_unit

if TYPE_CHECKING:
    from drill.grading import Grade
    from drill.model import Location

__all__ = [
    "Answer",
    "AnswerSpec",
    "Param",
    "ProblemError",
    "ProblemInstance",
    "ProblemTemplate",
    "find_template",
    "seed_for",
    "suggested_rating",
]

DEFAULT_TOLERANCE = 0.25
FRIENDLY = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
LOG_SPAN = 10.0  # ranges wider than high/low > 10 are sampled log-uniformly
MAX_CORNERS = 64  # combinations of low/high computed by `drill check`, at most
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")
BASE_UNITS = {"": "", "count": "", "B": "B", "s": "s", "/s": "/s", "B/s": "B/s"}

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
}
PARAM_KEYS = {
    "default": "the value used without a seed (a quantity: 100M, 500 B, 99%)",
    "range": "[low, high]: sampled log-uniformly when high/low > 10, else uniformly",
    "choices": "a list of values to pick from",
    "step": "round sampled values to multiples of this above low (instead of friendly values)",
    "integer": "true keeps sampled values whole numbers",
    "unit": "show the value in this unit in the question (e.g. Gbps)",
}
ANSWER_KEYS = {
    "formula": "how the answer is computed from params and values",
    "unit": "the expected unit: /s, B, B/s, s, '' or count, or any unit such as Gbps",
    "prompt": "the question asked for this answer",
    "tolerance": "how far off is still right (default 25%)",
}


class ProblemError(ValueError):
    """A problem that cannot be generated or graded as asked (unknown name, bad value)."""


def seed_for(card_id: str, reps: int) -> int:
    """The seed of a problem's next instance in a quiz: a new problem at every review."""
    return zlib.crc32(card_id.encode("utf-8")) + reps


# --------------------------------------------------------------------------- formatting


def _number(x: float) -> str:
    return Quantity(x, "").format()


def _percent(x: float) -> str:
    return f"{x * 100:.6g}%"


def format_in(q: Quantity, unit: str | None) -> str:
    """`q` as text in a unit as written (``Gbps``, ``%``, ``min``), else Quantity.format."""
    if unit is None or unit in BASE_UNITS:
        return q.format()
    if unit == "%":
        return f"{_number(q.value * 100)}%"
    return f"{_number(q.to(unit))} {unit}"


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
    _texts: dict[tuple[float, str], str] = field(default_factory=dict, repr=False)

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

    @property
    def grading_text(self) -> str | None:
        """A bare number typed is read in the declared unit (``8`` for ``Gbps`` is 8 Gbps)."""
        return None if self.unit in BASE_UNITS else self.text

    def grade(self, typed: str) -> Grade:
        return grading.grade(typed, self.value, self.tolerance, answer_text=self.grading_text)

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

    # -- generating
    def defaults(self) -> dict[str, Quantity]:
        return {name: p.default for name, p in self.params.items()}

    def draw(self, seed: int | None) -> dict[str, Quantity]:
        """The params of the instance with this seed (None: the defaults)."""
        if seed is None:
            return self.defaults()
        rng = random.Random(seed)
        return {name: p.sample(rng) for name, p in self.params.items()}

    def compute(self, params: Mapping[str, Quantity]) -> tuple[dict[str, Quantity], dict]:
        """Every value (params included) and every answer, in base units. FormulaError."""
        names = dict(params)
        for name, formula in self._values:
            names[name] = evaluate(formula, names)
        results = {}
        for name, formula in self._answers:
            # An answer that is just a param or value (`formula: writes_per_sec`) is that value.
            same = names.get(formula)
            results[name] = same if same is not None else evaluate(formula, names)
        return names, results

    @cached_property
    def _values(self) -> tuple[tuple[str, str], ...]:
        return tuple((v.name, v.formula) for v in self.values)

    @cached_property
    def _answers(self) -> tuple[tuple[str, str], ...]:
        return tuple((a.name, a.formula) for a in self.answers.values())

    def instance(
        self, seed: int | None = None, overrides: Mapping[str, str] | None = None
    ) -> ProblemInstance:
        """A problem: params drawn with `seed` (None: the defaults), then `overrides` (text
        such as ``{"years": "3"}``) applied. ProblemError for unknown params, unreadable or
        mismatched values, or a computation that fails."""
        params = self.draw(seed)
        for name, text in (overrides or {}).items():
            params[name] = self.read_param(name, text)
        try:
            names, results = self.compute(params)
        except FormulaError as err:
            raise ProblemError(f"problem '{self.id}' cannot be computed: {err}") from None
        answers = {}
        for name, spec in self.answers.items():
            value = results[name]
            answers[name] = Answer(
                name, value, spec.unit, spec.prompt, spec.tolerance, spec.text(value)
            )
        return ProblemInstance(self, seed, params, names, self.render(names), answers)

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
            q = names[name]
            if unit is not None:
                out.append(format_in(q, unit))
            elif param is not None:
                out.append(param.format(q))
            else:
                out.append(q.format())
        out.append(tail)
        return "".join(out)

    def to_json(self) -> dict[str, Any]:
        """What the template is (for `drill problem list --json`)."""
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
        }

    # -- checking
    def check(self) -> list[tuple[int, str]]:
        """Every problem with the formulas and the question, as (line, message): names and
        syntax first, then a computation at the defaults and at the corners of the ranges."""
        problems: list[tuple[int, str]] = []
        known = set(self.params)
        later = {v.name: v.line for v in self.values}
        broken = False

        def unknown(name: str, where: str, line: int, extra: str = "") -> None:
            from drill.names import did_you_mean

            if name in later:
                hint = f" (defined later, at line {later[name]}: values are computed in order)"
            elif name in self.answers:
                hint = " (an answer cannot be used in a formula: make it a value)"
            else:
                hint = did_you_mean(name, sorted(known | set(later)))
            problems.append((line, f"{where}: unknown name '{name}'{hint}{extra}"))

        formulas: list[tuple[str, str, int, str | None]] = [
            (f"value `{v.name}`", v.formula, v.line, v.name) for v in self.values
        ]
        formulas += [
            (f"answer `{a.name}`", a.formula, a.formula_line, None) for a in self.answers.values()
        ]
        for where, formula, line, defines in formulas:
            try:
                used = names_used(formula)
            except FormulaError as err:
                problems.append((line, f"{where}: {_formula_message(err)}"))
                broken = True
            else:
                for name in sorted(used - known - set(CONSTANTS)):
                    unknown(name, where, line)
                    broken = True
            if defines is not None:
                known.add(defines)
                later.pop(defines, None)
        for _whole, name, unit in self.placeholders:
            if name not in known:
                problems.append(
                    (
                        self.question_line,
                        f"question: {{{name}}} is not a param or value{_did_you_mean(name, known)}",
                    )
                )
                broken = True
            elif unit is not None:
                try:
                    parse_unit(unit)
                except QuantityError as err:
                    problems.append((self.question_line, f"question: {{{name}:{unit}}}: {err}"))
                    broken = True
        if broken:
            return problems
        reported: set[int] = set()
        for params, where in self.corner_params():
            self._check_at(params, where, problems, reported)
        return problems

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

    def _check_at(
        self, params: dict[str, Quantity], where: str, problems: list, reported: set[int]
    ) -> None:
        names = dict(params)

        def report(line: int, message: str) -> None:
            # One problem per line: the same mistake shows at every corner.
            if line not in reported:
                reported.add(line)
                problems.append((line, message))

        for v in self.values:
            try:
                names[v.name] = evaluate(v.formula, names)
            except FormulaError as err:
                report(v.line, f"value `{v.name}`: {_formula_message(err)} ({where})")
                return
        for a in self.answers.values():
            try:
                result = evaluate(a.formula, names)
            except FormulaError as err:
                report(a.formula_line, f"answer `{a.name}`: {_formula_message(err)} ({where})")
                continue
            if not result.same_dimension(a.unit_q):
                declared = a.unit if a.unit else "a count"
                report(
                    a.unit_line,
                    f"answer `{a.name}`: declared unit {declared!r} is a "
                    f"{a.unit_q.dimension_name}, but the formula computes a "
                    f"{result.dimension_name} ({result.format()} {where})",
                )
        for _whole, name, unit in self.placeholders:
            if unit is None:
                continue
            wanted = parse_unit(unit)
            if not names[name].same_dimension(wanted):
                report(
                    self.question_line,
                    f"question: {{{name}:{unit}}}: {name} is a "
                    f"{names[name].dimension_name}, not a {wanted.dimension_name}",
                )


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    from drill.names import did_you_mean

    return did_you_mean(name, sorted(known))


def _formula_message(err: Exception) -> str:
    message = str(err)
    column = getattr(err, "column", None)
    if column is not None and "column" not in message:
        message += f" (column {column + 1})"
    return message


# --------------------------------------------------------------------------- instances


@dataclass(eq=False)
class ProblemInstance:
    """One problem drawn from a template: its params, question, answers and worked solution."""

    template: ProblemTemplate
    seed: int | None
    params: dict[str, Quantity]
    names: dict[str, Quantity]  # params and values
    question: str
    answers: dict[str, Answer]

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
        texts = {name: self.param_text(name) for name in self.params}
        steps: list[tuple[str, str, Answer | None]] = [
            (v.name, v.formula, None) for v in self.template.values
        ]
        steps += [(a.name, a.formula, self.answers[a.name]) for a in self.template.answers.values()]
        for name, formula, answer in steps:
            substituted, result = explain(formula, self.names, texts).rsplit(" ≈ ", 1)
            if answer is not None:
                result = answer.text
            shown = " ".join(formula.split())
            if substituted in (shown, result):
                lines.append(f"{name} = {shown} ≈ {result}")
            else:
                lines.append(f"{name} = {shown} = {substituted} ≈ {result}")
        return lines

    def param_text(self, name: str) -> str:
        return self.template.params[name].format(self.params[name])

    def grade(self, typed: Mapping[str, str]) -> dict[str, Grade]:
        """Grade typed answers by name (drill.grading); ProblemError for an unknown name."""
        unknown = [name for name in typed if name not in self.answers]
        if unknown:
            raise ProblemError(
                f"problem '{self.id}' has no answer '{unknown[0]}'"
                f"{_did_you_mean(unknown[0], self.answers)} (answers: {', '.join(self.answers)})"
            )
        return {
            name: answer.grade(typed[name])
            for name, answer in self.answers.items()
            if name in typed
        }

    def to_json(self) -> dict[str, Any]:
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
