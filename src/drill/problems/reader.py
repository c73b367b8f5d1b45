"""Problem templates from deck files: a deck file's `problems:` list, read from YAML nodes
into validated templates (drill.problems.model), every problem as `path:line`."""

from __future__ import annotations

import keyword
import math
import re
from typing import TYPE_CHECKING

from drill.formula import FUNCTIONS
from drill.problems.constraints import Constraint, ConstraintError
from drill.problems.decision import DECISION_NAME, DEFAULT_MARGIN, DecisionSpec, Threshold
from drill.problems.model import (
    ANSWER_KEYS,
    DECISION_KEYS,
    DEFAULT_TOLERANCE,
    NAME_RE,
    PARAM_KEYS,
    PLACEHOLDER_RE,
    TEMPLATE_KEYS,
    THRESHOLD_KEYS,
    AnswerSpec,
    Param,
    ProblemTemplate,
    ValueSpec,
    friendly_values,
)
from drill.quantity import Quantity, QuantityError, parse, parse_tolerance, parse_unit

if TYPE_CHECKING:
    import yaml

    from drill.content import DeckFile
    from drill.yamlnodes import Entry


# --------------------------------------------------------------------------- loading


# --------------------------------------------------------------------------- reading YAML


def read_templates(
    reader: DeckFile, entry: Entry, file_tags: tuple[str, ...], file_source: str | None
) -> list[ProblemTemplate]:
    """Read and check a deck file's `problems:` list with the deck reader's helpers;
    problems go to `reader.problem(line, message)`."""
    import yaml

    from drill import yamlnodes

    node = entry.node
    if yamlnodes.is_null(node) or (isinstance(node, yaml.SequenceNode) and not node.value):
        reader.problem(entry.line, "`problems:` has no problems")
        return []
    if not isinstance(node, yaml.SequenceNode):
        reader.problem(entry.line, "`problems:` must be a list (each problem starts with '- ')")
        return []
    out = []
    for item in node.value:
        template = _Reader(reader).template(item, file_tags, file_source)
        if template is not None:
            out.append(template)
    return out


class _Reader:
    def __init__(self, deck_file: DeckFile):
        self.f = deck_file
        self.ok = True

    def problem(self, line: int, message: str) -> None:
        self.f.problem(line, message)
        self.ok = False

    def mapping(self, node: yaml.Node, what: str) -> list[Entry] | None:
        import yaml

        from drill import yamlnodes

        if not isinstance(node, yaml.MappingNode):
            self.problem(
                yamlnodes.line_of(node),
                f"{what} must be a mapping, found {yamlnodes.describe(node)}",
            )
            return None
        before = len(self.f.problems)
        entries = self.f.entries(node)
        if len(self.f.problems) > before:
            self.ok = False
        return entries

    def text(self, entry: Entry | None, name: str) -> str | None:
        before = len(self.f.problems)
        value = self.f.text(entry, name)
        if len(self.f.problems) > before:
            self.ok = False
        return value

    def unknown_keys(self, entries: list[Entry], keys: dict[str, str], what: str) -> None:
        from drill.names import did_you_mean

        for e in entries:
            if e.key not in keys:
                self.problem(
                    e.line,
                    f"unknown key '{e.key}' for {what}{did_you_mean(e.key, keys)}; "
                    f"keys: {', '.join(keys)}",
                )

    def name(self, entry: Entry, what: str, taken: dict[str, str]) -> bool:
        name = entry.key
        if not NAME_RE.match(name) or name.startswith("__") or keyword.iskeyword(name):
            self.problem(
                entry.line,
                f"{what} name '{name}' must be a name such as new_urls_per_month "
                "(letters, digits and _, not starting with a digit or '__')",
            )
            return False
        if name in FUNCTIONS:
            self.problem(entry.line, f"{what} name '{name}' is the name of a function")
            return False
        if name in taken:
            self.problem(entry.line, f"{what} name '{name}' is already used by a {taken[name]}")
            return False
        taken[name] = what
        return True

    def template(
        self, node: yaml.Node, file_tags: tuple[str, ...], file_source: str | None
    ) -> ProblemTemplate | None:

        from drill import yamlnodes
        from drill.model import Location
        from drill.names import id_problem

        line = yamlnodes.line_of(node)
        entries = self.mapping(node, "a problem")
        if entries is None:
            return None
        by_key = {e.key: e for e in entries}
        self.unknown_keys(entries, TEMPLATE_KEYS, "a problem")
        for key in ("id", "title", "params", "question", "answers"):
            if key not in by_key:
                self.problem(line, f"problem is missing `{key}:` ({TEMPLATE_KEYS[key]})")
        template_id = self.text(by_key.get("id"), "id")
        if template_id is not None and (message := id_problem(template_id)) is not None:
            self.problem(by_key["id"].line, message)
        title = self.text(by_key.get("title"), "title")
        question = self.text(by_key.get("question"), "question")
        taken: dict[str, str] = {}
        params = self.params(by_key["params"], taken) if "params" in by_key else {}
        values = self.values(by_key["values"], taken) if "values" in by_key else ()
        answers = self.answers(by_key["answers"], taken) if "answers" in by_key else {}
        hints: tuple[str, ...] = ()
        if "hints" in by_key:
            before = len(self.f.problems)
            hints = self.f.texts(by_key["hints"], "hints") or ()
            self.ok = self.ok and len(self.f.problems) == before
        tags = file_tags
        if "tags" in by_key:
            tags = tuple(dict.fromkeys(file_tags + self.f.tags(by_key["tags"])))
        source = self.text(by_key["source"], "source") if "source" in by_key else file_source
        suspended = self.flag(by_key.get("suspended"), "`suspended`")
        family = self.text(by_key["family"], "family") if "family" in by_key else None
        if family is not None and not re.match(r"^[a-z0-9][a-z0-9-]*$", family):
            self.problem(
                by_key["family"].line,
                f"family '{family}' must be lowercase letters, digits and - (e.g. whole-system)",
            )
        scenario = self.text(by_key["scenario"], "scenario") if "scenario" in by_key else None
        constraints = self.constraints(by_key["constraints"]) if "constraints" in by_key else ()
        decision = None
        if "decision" in by_key:
            if DECISION_NAME in answers:
                self.problem(
                    answers[DECISION_NAME].line,
                    f"answer name '{DECISION_NAME}' is the name of the decision step",
                )
            decision = self.decision(by_key["decision"])
        no_decision = None
        if "no_decision" in by_key:
            no_decision = self.text(by_key["no_decision"], "no_decision")
            if "decision" in by_key:
                self.problem(
                    by_key["no_decision"].line,
                    "`no_decision` is for a template without a `decision`: remove one of them",
                )
        time_budget = None
        if "time_budget" in by_key:
            time_budget = self.quantity(by_key["time_budget"].node, "`time_budget`", "s")
            if time_budget is not None and (time_budget.unit != "s" or time_budget.value <= 0):
                self.problem(
                    by_key["time_budget"].line,
                    "`time_budget` must be a time above zero, such as 3 min",
                )
                time_budget = None
        if not self.ok or template_id is None or title is None or question is None:
            return None
        placeholders = _placeholders(question)
        template = ProblemTemplate(
            id=template_id,
            title=title,
            deck=self.f.deck or "",
            params=params,
            question=question,
            values=values,
            answers=answers,
            hints=hints,
            tags=tags,
            source=source,
            suspended=suspended,
            location=Location(self.f.display, line),
            question_line=by_key["question"].line,
            placeholders=placeholders,
            family=family,
            scenario=scenario,
            scenario_line=by_key["scenario"].line if "scenario" in by_key else 0,
            scenario_placeholders=_placeholders(scenario) if scenario is not None else (),
            constraints=constraints,
            decision=decision,
            no_decision=no_decision,
            time_budget=time_budget,
        )
        for problem_line, message in template.check():
            self.problem(problem_line, message)
        return template if self.ok else None

    def flag(self, entry: Entry | None, what: str) -> bool:
        import yaml

        from drill import yamlnodes

        if entry is None:
            return False
        if not (isinstance(entry.node, yaml.ScalarNode) and entry.node.tag == yamlnodes.BOOL_TAG):
            self.problem(entry.line, f"{what} must be true or false")
            return False
        return entry.node.value.lower() in ("true", "yes", "on")

    # -- constraints and the decision
    def constraints(self, entry: Entry) -> tuple[Constraint, ...]:
        import yaml

        from drill import yamlnodes

        node = entry.node
        if not (isinstance(node, yaml.SequenceNode) and node.value):
            self.problem(
                entry.line,
                "`constraints` must be a list of conditions, such as - bandwidth <= 10 Tbps",
            )
            return ()
        out = []
        for item in node.value:
            line = yamlnodes.line_of(item)
            try:
                text = yamlnodes.scalar_text(item)
            except yamlnodes.YamlError as err:
                self.problem(err.line, f"`constraints`: {err.message}")
                continue
            if not text or not text.strip():
                self.problem(line, "`constraints`: an empty condition")
                continue
            try:
                out.append(Constraint.read(text, line))
            except ConstraintError as err:
                self.problem(line, str(err))
        return tuple(out)

    def decision(self, entry: Entry) -> DecisionSpec | None:
        import yaml

        entries = self.mapping(entry.node, "`decision` (`{prompt, by, options, thresholds}`)")
        if entries is None:
            return None
        by_key = {e.key: e for e in entries}
        self.unknown_keys(entries, DECISION_KEYS, "a decision")
        missing = [k for k in ("prompt", "by", "options", "thresholds") if k not in by_key]
        for k in missing:
            self.problem(entry.line, f"decision is missing `{k}:` ({DECISION_KEYS[k]})")
        if missing:
            return None
        prompt = self.text(by_key["prompt"], "prompt")
        by = self.text(by_key["by"], "by")
        options = self.f.texts(by_key["options"], "options")
        if options is None:
            self.ok = False
        elif len(options) < 2:
            self.problem(by_key["options"].line, "a decision needs at least two options")
        elif len({o.casefold() for o in options}) < len(options):
            self.problem(by_key["options"].line, "decision options must differ")
        thresholds = []
        t = by_key["thresholds"]
        if not (isinstance(t.node, yaml.SequenceNode) and t.node.value):
            self.problem(t.line, "decision `thresholds` must be a list of {at, rule, cite}")
        else:
            for item in t.node.value:
                threshold = self.threshold(item)
                if threshold is not None:
                    thresholds.append(threshold)
        if options is not None and thresholds and len(options) != len(thresholds) + 1:
            self.problem(
                by_key["options"].line,
                f"a decision with {len(thresholds)} threshold"
                f"{'s' if len(thresholds) != 1 else ''} needs {len(thresholds) + 1} options "
                f"(below the first threshold, between each, above the last), not {len(options)}",
            )
        margin = DEFAULT_MARGIN
        if "margin" in by_key:
            text = self.text(by_key["margin"], "margin")
            try:
                margin = parse_tolerance(text) if text is not None else margin
            except QuantityError as err:
                self.problem(by_key["margin"].line, f"decision `margin`: {err}")
        unit = None
        if "unit" in by_key:
            unit = self.text(by_key["unit"], "unit")
            if unit is not None and unit != "%":
                try:
                    parse_unit(unit)
                except QuantityError as err:
                    self.problem(by_key["unit"].line, f"decision `unit`: {err}")
        if prompt is None or by is None or options is None or not thresholds:
            return None
        return DecisionSpec(
            prompt,
            by,
            tuple(options),
            tuple(thresholds),
            margin,
            unit,
            line=entry.line,
            by_line=by_key["by"].line,
        )

    def threshold(self, node: yaml.Node) -> Threshold | None:
        from drill import yamlnodes
        from drill.names import card_id_problem

        line = yamlnodes.line_of(node)
        entries = self.mapping(node, "a decision threshold (`{at, rule, cite}`)")
        if entries is None:
            return None
        by_key = {e.key: e for e in entries}
        self.unknown_keys(entries, THRESHOLD_KEYS, "a decision threshold")
        for k in ("at", "rule"):
            if k not in by_key:
                self.problem(line, f"decision threshold is missing `{k}:` ({THRESHOLD_KEYS[k]})")
        if "at" not in by_key or "rule" not in by_key:
            return None
        at = self.text(by_key["at"], "at")
        rule = self.text(by_key["rule"], "rule")
        cite = None
        if "cite" in by_key:
            cite = self.text(by_key["cite"], "cite")
            if cite is not None and (message := card_id_problem(cite)) is not None:
                self.problem(by_key["cite"].line, f"`cite`: {message}")
        if at is None or rule is None:
            return None
        return Threshold(at, rule, cite, by_key["at"].line)

    # -- params
    def quantity(self, node: yaml.Node, what: str, expect: str | None = None) -> Quantity | None:
        from drill import yamlnodes

        try:
            text = yamlnodes.scalar_text(node)
        except yamlnodes.YamlError as err:
            self.problem(err.line, f"{what}: {err.message}")
            return None
        if text is None or not text.strip():
            self.problem(yamlnodes.line_of(node), f"{what} is empty")
            return None
        try:
            return parse(text, expect=expect)
        except QuantityError as err:
            self.problem(yamlnodes.line_of(node), f"{what}: {err}")
            return None

    def params(self, entry: Entry, taken: dict[str, str]) -> dict[str, Param]:
        from drill import yamlnodes

        if yamlnodes.is_null(entry.node):
            return {}
        entries = self.mapping(entry.node, "`params`")
        out: dict[str, Param] = {}
        for e in entries or []:
            if not self.name(e, "param", taken):
                continue
            param = self.param(e)
            if param is not None:
                out[e.key] = param
        return out

    def param(self, e: Entry) -> Param | None:
        import yaml

        name = e.key
        entries = self.mapping(
            e.node, f"param '{name}' (`{{default: ..., range: [low, high]}}` or `choices:`)"
        )
        if entries is None:
            return None
        by_key = {x.key: x for x in entries}
        self.unknown_keys(entries, PARAM_KEYS, f"param '{name}'")
        if "default" not in by_key:
            self.problem(e.line, f"param '{name}' is missing `default:`")
            return None
        default = self.quantity(by_key["default"].node, f"param '{name}' `default`")
        if default is None:
            return None
        default_text = str(getattr(by_key["default"].node, "value", "")).strip()
        percent = default_text.endswith("%")

        def same(q: Quantity | None, what: str, line: int) -> Quantity | None:
            if q is not None and not q.same_dimension(default):
                hint = ""
                if default.unit == "B" and re.search(r"\dB$", default_text):
                    hint = " (for a count, write 1 billion or 1G: 1B is one byte)"
                self.problem(
                    line,
                    f"param '{name}' {what} is a {q.dimension_name}, but its default "
                    f"{default.format()} is a {default.dimension_name}{hint}",
                )
                return None
            return q

        low = high = None
        choices: tuple[Quantity, ...] = ()
        has_range, has_choices = "range" in by_key, "choices" in by_key
        if has_range == has_choices:
            self.problem(
                e.line,
                f"param '{name}' needs either `range: [low, high]` or `choices: [...]`"
                + (" (not both)" if has_range else ""),
            )
            return None
        if has_range:
            r = by_key["range"]
            if not (isinstance(r.node, yaml.SequenceNode) and len(r.node.value) == 2):
                self.problem(r.line, f"param '{name}' `range` must be a list [low, high]")
                return None
            low = same(self.quantity(r.node.value[0], "`range` low", default.unit), "low", r.line)
            high = same(
                self.quantity(r.node.value[1], "`range` high", default.unit), "high", r.line
            )
            if low is None or high is None:
                return None
            if not low.value < high.value:
                self.problem(r.line, f"param '{name}' `range`: low must be below high")
                return None
            d = by_key["default"]
            slack = 1e-9 * max(abs(low.value), abs(high.value))
            if not low.value - slack <= default.value <= high.value + slack:
                self.problem(
                    d.line,
                    f"param '{name}' default {d.node.value} is outside its range "
                    f"[{r.node.value[0].value}, {r.node.value[1].value}]",
                )
        else:
            c = by_key["choices"]
            if not (isinstance(c.node, yaml.SequenceNode) and c.node.value):
                self.problem(c.line, f"param '{name}' `choices` must be a non-empty list")
                return None
            items = [
                same(self.quantity(item, f"`choices` item {i}", default.unit), "choice", c.line)
                for i, item in enumerate(c.node.value, 1)
            ]
            if any(q is None for q in items):
                return None
            choices = tuple(q for q in items if q is not None)
            if not any(math.isclose(q.value, default.value, rel_tol=1e-9) for q in choices):
                self.problem(
                    by_key["default"].line,
                    f"param '{name}' default {by_key['default'].node.value} is not one of "
                    "its choices",
                )
        step = None
        if "step" in by_key:
            step = same(
                self.quantity(by_key["step"].node, f"param '{name}' `step`", default.unit),
                "step",
                by_key["step"].line,
            )
            if step is not None and step.value <= 0:
                self.problem(by_key["step"].line, f"param '{name}' `step` must be above zero")
                step = None
        integer = self.flag(by_key.get("integer"), f"param '{name}' `integer`")
        unit = None
        if "unit" in by_key:
            unit = self.text(by_key["unit"], "unit")
            if unit is not None:
                try:
                    same(parse_unit(unit), f"unit '{unit}'", by_key["unit"].line)
                except QuantityError as err:
                    self.problem(by_key["unit"].line, f"param '{name}' `unit`: {err}")
        ask = self.text(by_key["ask"], "ask") if "ask" in by_key else None
        given = self.flag(by_key.get("given"), f"param '{name}' `given`")
        reference = None
        if "reference" in by_key:
            r = by_key["reference"]
            if not (isinstance(r.node, yaml.SequenceNode) and len(r.node.value) == 2):
                self.problem(r.line, f"param '{name}' `reference` must be a list [low, high]")
            else:
                ends = [
                    same(self.quantity(n, "`reference` end", default.unit), "reference", r.line)
                    for n in r.node.value
                ]
                if ends[0] is not None and ends[1] is not None:
                    if not ends[0].value < ends[1].value:
                        self.problem(r.line, f"param '{name}' `reference`: low must be below high")
                    else:
                        reference = (ends[0], ends[1])
        candidates: tuple[float, ...] = ()
        if low is not None and high is not None and step is None:
            candidates = friendly_values(low.value, high.value, integer)
        return Param(
            name=name,
            default=default,
            low=low,
            high=high,
            choices=choices,
            step=step,
            integer=integer,
            unit=unit,
            percent=percent,
            line=e.line,
            default_line=by_key["default"].line,
            candidates=candidates,
            ask=ask,
            given=given,
            reference=reference,
        )

    # -- values and answers
    def values(self, entry: Entry, taken: dict[str, str]) -> tuple[ValueSpec, ...]:
        from drill import yamlnodes

        if yamlnodes.is_null(entry.node):
            return ()
        out = []
        for e in self.mapping(entry.node, "`values` (name: formula, in order)") or []:
            if not self.name(e, "value", taken):
                continue
            formula = self.text(e, e.key)
            if formula is not None:
                out.append(ValueSpec(e.key, formula, e.line))
        return tuple(out)

    def answers(self, entry: Entry, taken: dict[str, str]) -> dict[str, AnswerSpec]:
        from drill import yamlnodes

        entries = self.mapping(entry.node, "`answers`")
        if entries is not None and not entries:
            self.problem(entry.line, "`answers` is empty")
        out: dict[str, AnswerSpec] = {}
        for e in entries or []:
            if not self.name(e, "answer", taken):
                continue
            fields = self.mapping(e.node, f"answer '{e.key}' (`{{formula, unit, prompt}}`)")
            if fields is None:
                continue
            by_key = {x.key: x for x in fields}
            self.unknown_keys(fields, ANSWER_KEYS, f"answer '{e.key}'")
            missing = [k for k in ("formula", "unit", "prompt") if k not in by_key]
            for k in missing:
                self.problem(e.line, f"answer '{e.key}' is missing `{k}:` ({ANSWER_KEYS[k]})")
            if missing:
                continue
            formula = self.text(by_key["formula"], "formula")
            prompt = self.text(by_key["prompt"], "prompt")
            unit_entry = by_key["unit"]
            try:
                unit = (yamlnodes.scalar_text(unit_entry.node) or "").strip()
            except yamlnodes.YamlError as err:
                self.problem(err.line, f"answer '{e.key}' `unit`: {err.message}")
                continue
            try:
                unit_q = parse_unit("" if unit == "count" else unit)
            except QuantityError as err:
                self.problem(unit_entry.line, f"answer '{e.key}' `unit`: {err}")
                continue
            tolerance = DEFAULT_TOLERANCE
            if "tolerance" in by_key:
                text = self.text(by_key["tolerance"], "tolerance")
                try:
                    tolerance = parse_tolerance(text) if text is not None else tolerance
                except QuantityError as err:
                    self.problem(by_key["tolerance"].line, f"answer '{e.key}' `tolerance`: {err}")
            if formula is None or prompt is None:
                continue
            out[e.key] = AnswerSpec(
                name=e.key,
                formula=formula,
                unit="" if unit == "count" else unit,
                unit_q=unit_q,
                prompt=prompt,
                tolerance=tolerance,
                line=e.line,
                formula_line=by_key["formula"].line,
                unit_line=unit_entry.line,
            )
        return out


def _placeholders(text: str) -> tuple[tuple[str, str, str | None], ...]:
    return tuple(
        (m.group(0), m.group(1), m.group(2).strip() if m.group(2) is not None else None)
        for m in PLACEHOLDER_RE.finditer(text)
    )
