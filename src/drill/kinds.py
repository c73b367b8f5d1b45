"""The card kinds. Each kind is defined here once: its fields, its checks, and the cards it yields.

A kind's `sides(fields)` returns one `Side` per card: a suffix for the card id (`""` for the
note's main card, so a basic note's card id is the note id), the question and the answer.
Suffixes are part of each card's identity in the review history: never rename one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

# Fields every kind accepts, beside its own.
COMMON_FIELDS = {
    "id": "stable, unique id (lowercase letters, digits, '-', '_', '.'); never reuse or change it",
    "kind": "the card kind (default: basic)",
    "tags": "tags for this note, added to the file's tags",
    "source": "where the fact comes from (a section, a URL)",
    "as_of": "when a volatile fact (a price, a limit, a measured latency) was last checked: "
    "YYYY, YYYY-MM or YYYY-MM-DD",
    "suspended": "true keeps the note out of quizzes",
    "note": "extra text shown under the answer",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # "text", "texts" (a list of text, or one text), "quantity", "tolerance", "formula"
    required: bool
    help: str


@dataclass(frozen=True)
class Side:
    suffix: str
    front: str
    back: str


@dataclass(frozen=True)
class Kind:
    name: str
    help: str
    fields: tuple[Field, ...]
    sides: Callable[[dict[str, Any]], list[Side]]
    # Extra checks beyond field types: returns (field name, message) pairs.
    check: Callable[[dict[str, Any]], list[tuple[str, str]]] = lambda fields: []
    # Number of cards, for documentation ("1", "2", "one per cloze number").
    yields: str = "1"
    # Fields by name, filled in once: looked up for every key of every card.
    by_name: dict[str, Field] = dataclass_field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        self.by_name.update((f.name, f) for f in self.fields)

    def field(self, name: str) -> Field | None:
        return self.by_name.get(name)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


def _bullets(items: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _count(items: tuple[str, ...] | list[str], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


# --- basic and reverse -------------------------------------------------------------------


def _basic_sides(f: dict[str, Any]) -> list[Side]:
    return [Side("", f["front"], f["back"])]


def _reverse_sides(f: dict[str, Any]) -> list[Side]:
    return [Side("", f["front"], f["back"]), Side("reverse", f["back"], f["front"])]


# --- cloze -------------------------------------------------------------------------------

# {{c1::answer}} or {{c1::answer::hint}}; the answer may not contain "}}".
CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


def cloze_numbers(text: str) -> list[int]:
    return sorted({int(m.group(1)) for m in CLOZE_RE.finditer(text)})


def _cloze_sides(f: dict[str, Any]) -> list[Side]:
    text = f["text"]
    sides = []
    for number in cloze_numbers(text):

        def front(m: re.Match[str], n: int = number) -> str:
            if int(m.group(1)) != n:
                return m.group(2)
            return f"[{m.group(3)}]" if m.group(3) else "[...]"

        def back(m: re.Match[str], n: int = number) -> str:
            return f"**{m.group(2)}**" if int(m.group(1)) == n else m.group(2)

        sides.append(Side(f"c{number}", CLOZE_RE.sub(front, text), CLOZE_RE.sub(back, text)))
    return sides


def _cloze_check(f: dict[str, Any]) -> list[tuple[str, str]]:
    text = f["text"]
    numbers = cloze_numbers(text)
    if not numbers:
        return [("text", "cloze text needs at least one deletion such as {{c1::answer}}")]
    problems = []
    if 0 in numbers:
        problems.append(("text", "cloze numbers start at 1: use {{c1::...}}, not {{c0::...}}"))
    for m in CLOZE_RE.finditer(text):
        if not m.group(2).strip():
            problems.append(("text", f"empty cloze deletion {m.group(0)}"))
    rest = CLOZE_RE.sub("", text)
    if "{{c" in rest:
        problems.append(("text", "unclosed or malformed cloze: write {{c1::answer}}"))
    return problems


# --- number ------------------------------------------------------------------------------


def _number_sides(f: dict[str, Any]) -> list[Side]:
    return [Side("", f["front"], f["answer"])]


# --- requirement -------------------------------------------------------------------------


def _requirement_sides(f: dict[str, Any]) -> list[Side]:
    dimension = f["dimension"]
    return [
        Side("", f"Requirements: {dimension}. What do you ask?", f["question"]),
        Side("why", f"Requirements: why ask about {dimension}?", f["why"]),
    ]


# --- tradeoff ----------------------------------------------------------------------------


def _tradeoff_sides(f: dict[str, Any]) -> list[Side]:
    decision, pros, cons = f["decision"], f["pros"], f["cons"]
    sides = [
        Side(
            "pros",
            f"Trade-off: {decision}\nWhat do you gain? ({_count(pros, 'point')})",
            _bullets(pros),
        ),
        Side(
            "cons",
            f"Trade-off: {decision}\nWhat do you give up? ({_count(cons, 'point')})",
            _bullets(cons),
        ),
    ]
    if f.get("accepted_because"):
        sides.append(
            Side(
                "why", f"Trade-off: {decision}\nWhy is the cost acceptable?", f["accepted_because"]
            )
        )
    return sides


# --- pitfall -----------------------------------------------------------------------------


def _pitfall_sides(f: dict[str, Any]) -> list[Side]:
    back = f["fix"] + (f"\n\nWhy it hurts: {f['why']}" if f.get("why") else "")
    return [Side("", f"Pitfall: {f['pitfall']}\nHow do you avoid it?", back)]


# --- prompt ------------------------------------------------------------------------------


# A prompt's lists, each a card asking for that list: (field, card suffix, question).
_PROMPT_LISTS = (
    ("challenges", "challenges", "Key challenges?"),
    ("deep_dives", "deep-dives", "Deep-dive topics?"),
    ("building_blocks", "building-blocks", "Which building blocks does it touch?"),
)


def _prompt_sides(f: dict[str, Any]) -> list[Side]:
    return [
        Side(suffix, f"{f['prompt']}\n{question} ({_count(f[name], 'item')})", _bullets(f[name]))
        for name, suffix, question in _PROMPT_LISTS
        if f.get(name)
    ]


def _text(name: str, help: str, required: bool = True) -> Field:
    return Field(name, "text", required, help)


def _texts(name: str, help: str, required: bool = True) -> Field:
    return Field(name, "texts", required, help)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind(
            "basic",
            "a question and its answer",
            (_text("front", "the question"), _text("back", "the answer")),
            _basic_sides,
        ),
        Kind(
            "reverse",
            "two cards: front to back, and back to front",
            (_text("front", "one side"), _text("back", "the other side")),
            _reverse_sides,
            yields="2 (id, id/reverse)",
        ),
        Kind(
            "cloze",
            "fill-in-the-blank text: {{c1::answer}} or {{c1::answer::hint}}",
            (_text("text", "text with one or more {{cN::...}} deletions"),),
            _cloze_sides,
            _cloze_check,
            yields="one per cloze number (id/c1, id/c2, ...)",
        ),
        Kind(
            "number",
            "a question whose answer is a quantity, typed and graded within a tolerance",
            (
                _text("front", "the question"),
                Field("answer", "quantity", True, "the answer, a quantity such as 86,400 s"),
                Field(
                    "tolerance",
                    "tolerance",
                    False,
                    "how far off a typed answer may be and still be right (default 25%)",
                ),
                Field(
                    "formula",
                    "formula",
                    False,
                    "how the answer is computed, checked by `drill check`",
                ),
            ),
            _number_sides,
        ),
        Kind(
            "requirement",
            "a requirement to clarify: what to ask, and why it matters",
            (
                _text("dimension", "what the requirement is about (e.g. Consistency)"),
                _text("question", "the question to ask"),
                _text("why", "why the answer changes the design"),
            ),
            _requirement_sides,
            yields="2 (id, id/why)",
        ),
        Kind(
            "tradeoff",
            "a design decision with what it gains and what it costs",
            (
                _text("decision", "the decision"),
                _texts("pros", "what it gains"),
                _texts("cons", "what it costs"),
                _text("accepted_because", "why the cost is acceptable", required=False),
            ),
            _tradeoff_sides,
            yields="2 or 3 (id/pros, id/cons, id/why)",
        ),
        Kind(
            "pitfall",
            "a common mistake and how to avoid it",
            (
                _text("pitfall", "the mistake"),
                _text("fix", "how to avoid it"),
                _text("why", "why it hurts", required=False),
            ),
            _pitfall_sides,
        ),
        Kind(
            "prompt",
            "a design prompt: its key challenges and deep-dive topics",
            (
                _text("prompt", "the design prompt"),
                _texts("challenges", "the key challenges"),
                _texts("deep_dives", "topics worth a deep dive", required=False),
                _texts("building_blocks", "building blocks the design touches", required=False),
            ),
            _prompt_sides,
            yields="1 to 3 (id/challenges, id/deep-dives, id/building-blocks)",
        ),
    ]
}

DEFAULT_KIND = "basic"


@dataclass(frozen=True)
class AddOption:
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


def unknown_kind(name: str, extra: tuple[str, ...] = ()) -> str:
    """The message for a kind that does not exist (with a suggestion and the list)."""
    from drill.names import did_you_mean

    kinds = [*KINDS, *extra]
    return f"unknown kind '{name}'{did_you_mean(name, kinds)}; kinds: {', '.join(kinds)}"


DEFAULT_TOLERANCE = 0.25
