"""The card kinds, as data: each kind is declared here once.

A kind declares its fields, its cards and how an answer to it is typed. Everything else is
made from this table: the cards drill shows (`sides`), the Anki note types
(drill.anki.notetypes), the JSON Schema (drill.jsonschema), `drill add`'s options
(`add_options`) and the starter deck `drill init` writes (drill.authoring).

A card is declared by a CardSpec: its id suffix, the Anki template it is, the label shown
over the question, the field asked about and what is asked, and the fields of the answer.
Suffixes, template names and field order are identity, in drill's review history and in
users' Anki collections: never rename one, never reorder them.

Plain tuples (NamedTuple), not dataclasses: `drill --help` builds `drill add`'s options from
this module, and a frozen dataclass costs a millisecond to define.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

# Fields every kind accepts, beside its own.
COMMON_FIELDS = {
    "id": "stable, unique id (lowercase letters, digits, '-', '_', '.'); never reuse or change it",
    "kind": "the card kind (default: basic)",
    "tags": "tags for this note, added to the file's tags",
    "source": "where the fact comes from (a section, a URL)",
    "as_of": "when a volatile fact (a price, a limit, a measured latency) was last checked: "
    "YYYY, YYYY-MM or YYYY-MM-DD",
    "suspended": "true keeps the note out of quizzes",
    "guid": "the note's Anki GUID, kept from an import so Anki updates that note in place",
    "notetype": "the Anki note type the note came from (a name under the file's "
    "`anki_notetypes:`); drill build gives it back to Anki in that note type",
    "extra": "fields drill has no place for, kept from an import: a mapping of field name to "
    "text, shown under the answer",
    "note": "extra text shown under the answer",
}

DEFAULT_KIND = "basic"
DEFAULT_TOLERANCE = 0.25
# Estimation problems are studied as cards of this kind; they are authored under `problems:`
# (drill.problems), so they are not in the kind table.
PROBLEM_KIND = "problem"


class Field(NamedTuple):
    name: str
    type: str  # "text", "texts" (a list of text, or one text), "quantity", "tolerance", "formula"
    required: bool
    help: str
    default: Any = None  # the value when the field is left out (after parsing)


class CardSpec(NamedTuple):
    """One card a note of the kind yields."""

    suffix: str  # the card id is the note id, or note id + "/" + suffix
    template: str  # the Anki card template's name
    prompt: str  # the field shown as the question
    answer: tuple[tuple[str, str], ...]  # the answer's fields, each with its lead-in
    label: str = ""  # shown over the question ("Trade-off")
    ask: str = ""  # what is asked about the prompt ("What do you gain?")
    counted: str = ""  # a list answer: the question says how many it wants ("2 points")
    only_if: str = ""  # an optional card: only when this field has a value


class Side(NamedTuple):
    """A card as drill shows it."""

    suffix: str
    front: str
    back: str


class Example(NamedTuple):
    """A note of the kind for the starter deck: a comment, then fields with comments."""

    id: str
    comment: tuple[str, ...]
    fields: tuple[tuple[str, Any, str], ...]  # (field, value, comment after it)


class Kind(NamedTuple):
    name: str
    help: str
    fields: tuple[Field, ...]
    cards: tuple[CardSpec, ...]  # empty for cloze: one card per cloze number
    example: Example
    typed: str = ""  # "quantity": the answer is typed and graded as a quantity
    cloze: str = ""  # the field holding {{cN::...}} deletions
    check: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None
    id_prefix: str = ""  # an id made from the text starts with this (`req-...`)

    def field(self, name: str) -> Field | None:
        return _FIELDS[self.name].get(name)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def yields(self) -> str:
        """The cards a note yields, for documentation: `2 (id, id/reverse)`."""
        if self.cloze:
            return "one per cloze number (id/c1, id/c2, ...)"
        ids = ", ".join("id" + (f"/{c.suffix}" if c.suffix else "") for c in self.cards)
        optional = sum(1 for c in self.cards if c.only_if)
        count = len(self.cards)
        if not optional:
            return "1" if count == 1 else f"{count} ({ids})"
        low = count - optional
        return f"{low} to {count} ({ids})" if optional > 1 else f"{low} or {count} ({ids})"


# --------------------------------------------------------------------------- making cards


def _bullets(items: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def sides(kind: Kind, fields: Mapping[str, Any], *, as_anki: bool = False) -> list[Side]:
    """The cards a note of `kind` with these (validated) fields yields. `as_anki`: the note
    came from Anki and yields what Anki gave it, where drill's own checks would refuse it (a
    cloze without a deletion, or with one left open, is one card showing its text)."""
    if kind.cloze:
        text = fields[kind.cloze]
        if as_anki:
            try:
                return _cloze_sides(text) or [Side("c1", text, text)]
            except ClozeError:
                return [Side("c1", text, text)]
        return _cloze_sides(text)
    out = []
    # A cold sync makes ten thousand of these: the card specs are pre-digested (_PLANS).
    for suffix, prompt, label, ask, counted, only_if, first, rest in _PLANS[kind.name]:
        if only_if and not fields.get(only_if):
            continue
        front = label + fields[prompt] if label else fields[prompt]
        answer = fields[first]
        if ask:
            if counted and isinstance(answer, (list, tuple)):
                n = len(answer)
                front = f"{front}\n{ask} ({n} {counted}{'' if n == 1 else 's'})"
            else:
                front = f"{front}\n{ask}"
        back = _bullets(answer) if isinstance(answer, (list, tuple)) else answer
        for name, lead in rest:
            value = fields.get(name)
            if value:
                text = _bullets(value) if isinstance(value, (list, tuple)) else value
                back = f"{back}\n\n{lead} {text}" if lead else f"{back}\n\n{text}"
        out.append(Side(suffix, front, back))
    return out


# {{c1::answer}} or {{c1::answer::hint}}; deletions may nest (Anki 23.10 and later):
# {{c1::outer {{c2::inner}} text}} gives c1, which hides the whole, and c2, the inner part.
_CLOZE_TOKEN = re.compile(r"\{\{c(\d+)::|\}\}|::")


class Deletion(NamedTuple):
    number: int
    parts: tuple[str | Deletion, ...]  # text and nested deletions
    hint: str | None
    source: str  # as written: `{{c1::answer::hint}}`


class ClozeError(ValueError):
    pass


def parse_cloze(text: str) -> list[str | Deletion]:
    """Text and its deletions, nested ones inside their parents. ClozeError for an opening
    without its closing."""
    root: list[str | Deletion] = []
    # Open deletions: [number, where it starts, the parts it sits in, its answer's parts
    # once a hint began]
    stack: list[list[Any]] = []
    current = root
    pos = 0
    for m in _CLOZE_TOKEN.finditer(text):
        token = m.group(0)
        if token.startswith("{{c"):
            if m.start() > pos:
                current.append(text[pos : m.start()])
            stack.append([int(m.group(1)), m.start(), current, None])
            current = []
        elif not stack or (token == "::" and stack[-1][3] is not None):
            continue  # plain text: kept by the next slice
        else:
            if m.start() > pos:
                current.append(text[pos : m.start()])
            if token == "::":  # the hint follows
                stack[-1][3] = current
                current = []
            else:  # `}}` closes the innermost deletion
                number, begin, parent, answer = stack.pop()
                hint = None
                if answer is not None:
                    hint = "".join(p if isinstance(p, str) else p.source for p in current)
                parts = answer if answer is not None else current
                parent.append(Deletion(number, tuple(parts), hint, text[begin : m.end()]))
                current = parent
        pos = m.end()
    if stack:
        raise ClozeError("unclosed or malformed cloze: write {{c1::answer}}")
    if pos < len(text):
        current.append(text[pos:])
    return root


def _deletions(parts: tuple[str | Deletion, ...] | list[str | Deletion]) -> list[Deletion]:
    found = []
    for part in parts:
        if isinstance(part, Deletion):
            found.append(part)
            found.extend(_deletions(part.parts))
    return found


def cloze_numbers(text: str) -> list[int]:
    try:
        return sorted({d.number for d in _deletions(parse_cloze(text))})
    except ClozeError:
        return []


def cloze_deletions(text: str) -> list[tuple[int, str, str]]:
    """(number, hidden text, the card's question with it blanked) for each deletion, nested
    ones included, in the order written; [] for text that does not parse."""
    try:
        parts = parse_cloze(text)
    except ClozeError:
        return []
    return [
        (d.number, _show(d.parts, None, "", ""), _show(parts, d.number, "", ""))
        for d in _deletions(parts)
    ]


def cloze_between(text: str) -> list[str]:
    """The text between two top-level deletions, each stretch once."""
    try:
        parts = parse_cloze(text)
    except ClozeError:
        return []
    marks = [i for i, p in enumerate(parts) if isinstance(p, Deletion)]
    return [p for p in parts[marks[0] : marks[-1]] if isinstance(p, str)] if marks else []


def cloze_answers(text: str) -> str:
    """The text with every deletion shown (for ids and duplicate checks)."""
    try:
        return _show(parse_cloze(text), None, "", "")
    except ClozeError:
        return text


def _show(
    parts: tuple[str | Deletion, ...] | list[str | Deletion],
    hidden: int | None,
    lead: str,
    tail: str,
) -> str:
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part.number == hidden and lead == "":
            out.append(f"[{part.hint}]" if part.hint else "[...]")
        elif part.number == hidden:
            out.append(lead + _show(part.parts, None, "", "") + tail)
        else:
            out.append(_show(part.parts, hidden, lead, tail))
    return "".join(out)


def _cloze_sides(text: str) -> list[Side]:
    parts = parse_cloze(text)
    return [
        Side(f"c{n}", _show(parts, n, "", ""), _show(parts, n, "**", "**"))
        for n in sorted({d.number for d in _deletions(parts)})
    ]


def _cloze_check(f: dict[str, Any]) -> list[tuple[str, str]]:
    text = f["text"]
    try:
        parts = parse_cloze(text)
    except ClozeError as err:
        return [("text", str(err))]
    deletions = _deletions(parts)
    if not deletions:
        return [("text", "cloze text needs at least one deletion such as {{c1::answer}}")]
    problems = []
    if any(d.number == 0 for d in deletions):
        problems.append(("text", "cloze numbers start at 1: use {{c1::...}}, not {{c0::...}}"))
    for d in deletions:
        if not _show(d.parts, None, "", "").strip():
            problems.append(("text", f"empty cloze deletion {d.source}"))
    if "{{c" in _plain_text(parts):
        problems.append(("text", "unclosed or malformed cloze: write {{c1::answer}}"))
    return problems


def _plain_text(parts: list[str | Deletion]) -> str:
    return "".join(p for p in parts if isinstance(p, str))


def _number_check(f: dict[str, Any]) -> list[tuple[str, str]]:
    """A stated answer must agree with its formula, within its tolerance."""
    if "formula" not in f:
        return []
    message = check_formula(f["answer"], f["formula"], f["tolerance"])
    return [("formula", message)] if message else []


def check_formula(answer: str, formula: str, tolerance: float) -> str | None:
    """Why `answer` disagrees with what `formula` computes, or None when it agrees."""
    from drill.formula import FormulaError, evaluate
    from drill.grading import RIGHT, grade, is_high_percentage, percent
    from drill.quantity import parse

    try:
        computed = evaluate(formula)
    except FormulaError as err:
        return f"`formula`: {err}"
    stated = parse(answer)
    if not stated.same_dimension(computed):
        return (
            f"answer {answer} is a {stated.dimension_name}, but the formula "
            f"computes a {computed.dimension_name} ({computed.format(4)})"
        )
    if computed.value == stated.value:
        return None
    if is_high_percentage(computed, answer):
        # Judged as typed answers are: by what the percentage leaves out.
        if grade(answer, computed, tolerance, answer).verdict == RIGHT:
            return None
        return (
            f"answer {answer} leaves out {percent(1 - stated.value)}, the formula "
            f"gives {percent(computed.value)} ({percent(1 - computed.value)} left out; "
            f"tolerance {tolerance:.0%} of what is left out)"
        )
    if computed.value == 0 or stated.value == 0:
        return f"answer {answer} differs from the computed {computed.format(4)}"
    off = abs(stated.value / computed.value - 1)
    factor = max(stated.value / computed.value, computed.value / stated.value)
    if factor > 1 + tolerance + 1e-9:
        return (
            f"answer {answer} is {off:.1%} from the computed "
            f"{computed.format(4)} (tolerance {tolerance:.0%})"
        )
    return None


# --------------------------------------------------------------------------- the table


def _t(name: str, help: str, required: bool = True) -> Field:
    return Field(name, "text", required, help)


def _ts(name: str, help: str, required: bool = True) -> Field:
    return Field(name, "texts", required, help)


_WHY_HURTS = "Why it hurts:"

KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind(
            "basic",
            "a question and its answer",
            (_t("front", "the question"), _t("back", "the answer")),
            (CardSpec("", "Card", "front", (("back", ""),)),),
            Example(
                "capital-of-australia",
                ("basic: a question and its answer; one card. `kind: basic` is the default.",),
                (
                    ("front", "What is the capital of Australia?", "the question"),
                    ("back", "Canberra (not Sydney).", "the answer"),
                    (
                        "note",
                        "It was chosen as a compromise between Sydney and Melbourne.",
                        "optional",
                    ),
                    ("source", "https://en.wikipedia.org/wiki/Canberra", "optional"),
                ),
            ),
        ),
        Kind(
            "reverse",
            "two cards: front to back, and back to front",
            (_t("front", "one side"), _t("back", "the other side")),
            (
                CardSpec("", "Front → Back", "front", (("back", ""),)),
                CardSpec("reverse", "Back → Front", "back", (("front", ""),)),
            ),
            Example(
                "http-404",
                ("reverse: two cards, front to back (id) and back to front (id/reverse).",),
                (
                    ("front", "HTTP status 404", "one side"),
                    ("back", "Not Found", "the other side"),
                    ("tags", ["http"], "optional: added to the file's tags"),
                ),
            ),
        ),
        Kind(
            "cloze",
            "fill-in-the-blank text: {{c1::answer}} or {{c1::answer::hint}}",
            (_t("text", "text with one or more {{cN::...}} deletions"),),
            (),
            Example(
                "sunlight-minutes",
                (
                    "cloze: fill in the blanks; one card per number (id/c1, id/c2, ...).",
                    '{{c1::answer}} hides "answer"; {{c2::answer::hint}} shows the hint in '
                    "its place.",
                ),
                (
                    (
                        "text",
                        "Sunlight takes about {{c1::8 minutes::how long?}} to reach the "
                        "{{c2::Earth}}.",
                        "",
                    ),
                ),
            ),
            cloze="text",
            check=_cloze_check,
        ),
        Kind(
            "number",
            "a question whose answer is a quantity, typed and graded within a tolerance",
            (
                _t("front", "the question"),
                Field("answer", "quantity", True, "the answer, a quantity such as 86,400 s"),
                Field(
                    "tolerance",
                    "tolerance",
                    False,
                    "how far off a typed answer may be and still be right (default 25%)",
                    DEFAULT_TOLERANCE,
                ),
                Field(
                    "formula",
                    "formula",
                    False,
                    "how the answer is computed, checked by `drill check`",
                ),
            ),
            (CardSpec("", "Type the answer", "front", (("answer", ""),)),),
            Example(
                "seconds-per-week",
                (
                    "number: you type the answer, graded as a quantity (604800, 605K s, 7 days",
                    "all count).",
                ),
                (
                    ("front", "How many seconds are in a week?", ""),
                    ("answer", "604,800 s", "a quantity: a number with an optional unit"),
                    (
                        "tolerance",
                        "10%",
                        "optional: how far off a typed answer may be (default 25%)",
                    ),
                    (
                        "formula",
                        "7 * day",
                        "optional: drill check computes it and compares it with the answer",
                    ),
                    ("source", "Arithmetic: 7 days of 86,400 s", "optional"),
                ),
            ),
            typed="quantity",
            check=_number_check,
        ),
        Kind(
            "requirement",
            "a requirement to clarify: what to ask, and why it matters",
            (
                _t("dimension", "what the requirement is about (e.g. Consistency)"),
                _t("question", "the question to ask"),
                _t("why", "why the answer changes the design"),
            ),
            (
                CardSpec(
                    "",
                    "What to ask",
                    "dimension",
                    (("question", ""),),
                    "Requirements",
                    "What do you ask?",
                ),
                CardSpec(
                    "why",
                    "Why it matters",
                    "dimension",
                    (("why", ""),),
                    "Requirements",
                    "Why ask about it?",
                ),
            ),
            Example(
                "req-read-write-ratio",
                (
                    "requirement: a requirement to clarify; cards: what to ask (id) and why it",
                    "matters (id/why).",
                ),
                (
                    ("dimension", "Read/write ratio", "what the requirement is about"),
                    (
                        "question",
                        "Is it read-heavy or write-heavy, and by how much (10:1? 100:1?)",
                        "the question to ask",
                    ),
                    (
                        "why",
                        "A read-heavy system gains most from caches and read replicas.",
                        "why it matters",
                    ),
                ),
            ),
            id_prefix="req",
        ),
        Kind(
            "tradeoff",
            "a design decision with what it gains and what it costs",
            (
                _t("decision", "the decision"),
                _ts("pros", "what it gains"),
                _ts("cons", "what it costs"),
                _t("accepted_because", "why the cost is acceptable", required=False),
            ),
            (
                CardSpec(
                    "pros",
                    "What it gains",
                    "decision",
                    (("pros", ""),),
                    "Trade-off",
                    "What do you gain?",
                    "point",
                ),
                CardSpec(
                    "cons",
                    "What it costs",
                    "decision",
                    (("cons", ""),),
                    "Trade-off",
                    "What do you give up?",
                    "point",
                ),
                CardSpec(
                    "why",
                    "Why acceptable",
                    "decision",
                    (("accepted_because", ""),),
                    "Trade-off",
                    "Why is the cost acceptable?",
                    only_if="accepted_because",
                ),
            ),
            Example(
                "tradeoff-cache",
                (
                    "tradeoff: a decision, what it gains and what it costs; cards id/pros,",
                    "id/cons, and id/why when accepted_because is set. pros and cons are lists",
                    "(or a single text).",
                ),
                (
                    ("decision", "Put a cache in front of the database", ""),
                    ("pros", ["Most reads never reach the database", "Lower read latency"], ""),
                    ("cons", ["Readers may see stale data", "One more system to run"], ""),
                    (
                        "accepted_because",
                        "Reads far outnumber writes and a few seconds of staleness is fine.",
                        "",
                    ),
                ),
            ),
        ),
        Kind(
            "pitfall",
            "a common mistake and how to avoid it",
            (
                _t("pitfall", "the mistake"),
                _t("fix", "how to avoid it"),
                _t("why", "why it hurts", required=False),
            ),
            (
                CardSpec(
                    "",
                    "How to avoid it",
                    "pitfall",
                    (("fix", ""), ("why", _WHY_HURTS)),
                    "Pitfall",
                    "How do you avoid it?",
                ),
            ),
            Example(
                "pitfall-untested-backups",
                ("pitfall: a common mistake and how to avoid it; one card.",),
                (
                    ("pitfall", "Taking backups but never restoring one", "the mistake"),
                    (
                        "fix",
                        "Restore a backup on a schedule and check the data.",
                        "how to avoid it",
                    ),
                    (
                        "why",
                        "A backup that cannot be restored is found out during the outage.",
                        "optional",
                    ),
                ),
            ),
        ),
        Kind(
            "prompt",
            "a design prompt: its key challenges and deep-dive topics",
            (
                _t("prompt", "the design prompt"),
                _ts("challenges", "the key challenges"),
                _ts("deep_dives", "topics worth a deep dive", required=False),
                _ts("building_blocks", "building blocks the design touches", required=False),
            ),
            (
                CardSpec(
                    "challenges",
                    "Challenges",
                    "prompt",
                    (("challenges", ""),),
                    "Design prompt",
                    "Key challenges?",
                    "item",
                ),
                CardSpec(
                    "deep-dives",
                    "Deep dives",
                    "prompt",
                    (("deep_dives", ""),),
                    "Design prompt",
                    "Deep-dive topics?",
                    "item",
                    "deep_dives",
                ),
                CardSpec(
                    "building-blocks",
                    "Building blocks",
                    "prompt",
                    (("building_blocks", ""),),
                    "Design prompt",
                    "Which building blocks does it touch?",
                    "item",
                    "building_blocks",
                ),
            ),
            Example(
                "prompt-chat",
                (
                    "prompt: a design prompt; cards id/challenges, id/deep-dives,",
                    "id/building-blocks.",
                ),
                (
                    ("prompt", "Design a chat service for one-to-one messages.", ""),
                    (
                        "challenges",
                        ["Delivering messages in order", "Users who are offline"],
                        "a list",
                    ),
                    ("deep_dives", ["Message storage", "Presence"], "optional"),
                    (
                        "building_blocks",
                        ["WebSockets", "message queue", "key-value store"],
                        "optional",
                    ),
                ),
            ),
        ),
    ]
}

_FIELDS: dict[str, dict[str, Field]] = {
    k.name: {f.name: f for f in k.fields} for k in KINDS.values()
}
_PLANS = {
    k.name: [
        (
            c.suffix,
            c.prompt,
            f"{c.label}: " if c.label else "",
            c.ask,
            c.counted,
            c.only_if,
            c.answer[0][0],
            c.answer[1:],
        )
        for c in k.cards
    ]
    for k in KINDS.values()
}
STUDY_KINDS = (*KINDS, PROBLEM_KIND)  # what --kind takes where problems are studied too


def unknown_kind(name: str, extra: tuple[str, ...] = ()) -> str:
    """The message for a kind that does not exist (with a suggestion and the list)."""
    from drill.names import did_you_mean

    kinds = [*KINDS, *extra]
    return f"unknown kind '{name}'{did_you_mean(name, kinds)}; kinds: {', '.join(kinds)}"


# --------------------------------------------------------------------------- drill add


class AddOption(NamedTuple):
    """One option of `drill add`, made from the kind table."""

    parameter: str  # the Python name (`accepted_because`, `card_id`)
    option: str  # `--accepted-because`; a list field's option is singular and repeatable
    metavar: str
    help: str
    repeatable: bool
    field: str | None  # the kind field it fills (None: a common option)


def _option_name(field: str, repeatable: bool) -> str:
    singular = {"pros": "pro", "cons": "con"}.get(field, field)
    if repeatable and singular == field and field.endswith("s"):
        singular = field[:-1]
    return "--" + singular.replace("_", "-")


def add_options() -> list[AddOption]:
    """Every kind field once (in kind-table order), then --note, --tag, --source, --id."""
    seen: dict[str, AddOption] = {}
    for kind in KINDS.values():
        for spec in kind.fields:
            if spec.name in seen:
                continue
            owners = [k.name for k in KINDS.values() if k.field(spec.name)]
            repeatable = spec.type == "texts"
            option = _option_name(spec.name, repeatable)
            help = f"{', '.join(owners)}: {spec.help}" + (" (repeatable)" if repeatable else "")
            seen[spec.name] = AddOption(
                option.removeprefix("--").replace("-", "_"),
                option,
                "TEXT",
                help,
                repeatable,
                spec.name,
            )
    return [
        *seen.values(),
        AddOption("note", "--note", "TEXT", "Extra text shown under the answer.", False, None),
        AddOption("tag", "--tag", "TAG", "A tag for the card (repeatable).", True, None),
        AddOption("source", "--source", "TEXT", "Where the fact comes from.", False, None),
        AddOption(
            "card_id", "--id", "ID", "The card's id (default: made from its text).", False, None
        ),
    ]


def main_field(kind: Kind) -> str:
    """The field a note's generated id is made from, and duplicates are found by: the
    first card's prompt (the cloze text for a cloze)."""
    return kind.cloze or kind.cards[0].prompt
