"""Anki note types: one per card kind, made from the kind table (drill.kinds), and one for
generated estimation problems.

Note types are matched by id when a package is imported: each kind has a note type with a
FIXED id derived from `drill:<kind>:v1`. Changing a note type's fields or card templates
(names, number, order) needs a new version string; changing only template text or CSS needs
a newer `TEMPLATES_MTIME`, so Anki takes the new templates on the next import. A note type
yields the same cards as drill does for that kind: optional cards use conditional templates
(`{{#Accepted because}}...`) so Anki does not create empty cards.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import genanki

from drill.kinds import KINDS, PROBLEM_KIND, CardSpec, Kind

NOTE_TYPE_VERSION = "v1"
# When the templates or CSS last changed: bump it (to the day you change them) so Anki takes the
# new templates on re-import. Anki keeps its copy while the incoming one is not newer.
TEMPLATES_MTIME = int(datetime(2026, 11, 29, tzinfo=UTC).timestamp())


def stable_id(text: str) -> int:
    """A fixed id in [2^30, 2^31) from a string, for note types and decks (never random)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def note_guid(note_id: str) -> str:
    return genanki.guid_for("drill", note_id)


# --------------------------------------------------------------------------- note types

CSS = """\
.card {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Noto Sans",
    "Helvetica Neue", Arial, sans-serif;
  font-size: 20px;
  line-height: 1.5;
  text-align: left;
  color: #1f2328;
  background-color: #ffffff;
  max-width: 40em;
  margin: 0 auto;
  padding: 0 14px;
  overflow-wrap: anywhere;
}
.kind {
  font-size: 0.65em;
  text-transform: uppercase;
  letter-spacing: 0.08em;
  color: #6e7781;
  margin-bottom: 0.3em;
}
.prompt { font-weight: 600; }
.ask { margin-top: 0.5em; color: #0550ae; }
.answer { margin-top: 0.2em; }
.why { margin-top: 0.8em; }
p { margin: 0 0 0.6em 0; }
ul { margin: 0.3em 0; padding-left: 1.3em; }
li { margin: 0.25em 0; }
code {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.88em;
  background-color: rgba(175, 184, 193, 0.25);
  padding: 0.1em 0.3em;
  border-radius: 4px;
}
hr#answer { border: none; border-top: 1px solid #d0d7de; margin: 1em 0; }
.cloze { font-weight: bold; color: #0550ae; }
.tolerance { margin-top: 0.6em; font-size: 0.85em; color: #57606a; }
.formula { margin-top: 0.3em; font-size: 0.85em; color: #57606a; }
.note {
  margin-top: 1em;
  padding: 0.4em 0.8em;
  border-left: 3px solid #d0d7de;
  color: #57606a;
  font-size: 0.9em;
}
.meta { margin-top: 1.5em; font-size: 0.65em; color: #8c959f; }
.meta .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
#typeans { font-size: 1em; width: 100%; box-sizing: border-box; padding: 0.3em; }
@media (max-width: 480px) {
  .card { font-size: 18px; padding: 0 8px; }
}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {
  color: #e6edf3;
  background-color: #1e1e1e;
}
.nightMode .kind, .night_mode .kind { color: #8b949e; }
.nightMode .ask, .night_mode .ask,
.nightMode .cloze, .night_mode .cloze { color: #79c0ff; }
.nightMode hr#answer, .night_mode hr#answer { border-top-color: #3d444d; }
.nightMode code, .night_mode code { background-color: rgba(110, 118, 129, 0.4); }
.nightMode .note, .night_mode .note { color: #9198a1; border-left-color: #3d444d; }
.nightMode .tolerance, .night_mode .tolerance,
.nightMode .formula, .night_mode .formula { color: #9198a1; }
.nightMode .meta, .night_mode .meta { color: #6e7681; }
"""

# Shown under every answer: the note, then where the card comes from.
_NOTE = '{{#Note}}<div class="note" dir="auto">{{Note}}</div>{{/Note}}'
_META = (
    '<div class="meta">{{#Source}}<span class="source" dir="auto">{{Source}}</span> · '
    '{{/Source}}<span class="id">{{Id}}</span></div>'
)


def _question(label: str, field_name: str, ask: str = "") -> str:
    parts = [f'<div class="kind">{label}</div>'] if label else []
    parts.append(f'<div class="prompt" dir="auto">{{{{{field_name}}}}}</div>')
    if ask:
        parts.append(f'<div class="ask">{ask}</div>')
    return "\n".join(parts)


def _back(answer: str, front: str = "{{FrontSide}}") -> str:
    answer_div = f'<div class="answer" dir="auto">{answer}</div>'
    return f'{front}\n<hr id="answer">\n{answer_div}\n{_NOTE}\n{_META}'


def _only_if(field_name: str, template: str) -> str:
    """A template shown only when the field is not empty (so Anki makes no empty card)."""
    return f"{{{{#{field_name}}}}}\n{template}\n{{{{/{field_name}}}}}"


@dataclass(frozen=True)
class Template:
    name: str
    suffix: str  # the drill card id suffix this template yields ("" for the note's main card)
    front: str
    back: str


@dataclass(frozen=True)
class NoteType:
    kind: str
    name: str
    fields: tuple[str, ...]
    templates: tuple[Template, ...]
    cloze: bool = False

    @property
    def id(self) -> int:
        return stable_id(f"drill:{self.kind}:{NOTE_TYPE_VERSION}")

    def model(self) -> genanki.Model:
        return _Model(
            self.id,
            self.name,
            fields=[{"name": name} for name in self.fields],
            templates=[{"name": t.name, "qfmt": t.front, "afmt": t.back} for t in self.templates],
            css=CSS,
            model_type=genanki.Model.CLOZE if self.cloze else genanki.Model.FRONT_BACK,
        )

    def suffix(self, ordinal: int) -> str:
        """The drill card id suffix of the Anki card with this template ordinal."""
        return f"c{ordinal + 1}" if self.cloze else self.templates[ordinal].suffix


def field_name(kind_field: str) -> str:
    """The Anki field name of a kind's field: `accepted_because` → `Accepted because`."""
    return kind_field.replace("_", " ").capitalize()


# The Source field's text: the note's `source`, then when its fact was checked (`as_of`), so
# the meta line under every answer shows both ("DDIA ch. 5 · as of 2026-11") without a field
# of its own (fields are identity). `drill import` splits them apart again.
AS_OF_SEPARATOR = " · "
_AS_OF_RE = re.compile(r"^(?:(.*?)\s*·\s*)?as of (\d{4}(?:-\d{2}(?:-\d{2})?)?)$", re.DOTALL)


def source_text(source: str | None, as_of: str | None) -> str:
    """The Source field's text: `DDIA ch. 5 · as of 2026-11`, `DDIA ch. 5`, `as of 2026`."""
    dated = f"as of {as_of}" if as_of else ""
    return AS_OF_SEPARATOR.join(part for part in (source or "", dated) if part)


def split_source(text: str) -> tuple[str | None, str | None]:
    """(source, as_of) from a Source field's text, as `source_text` wrote them."""
    text = text.strip()
    m = _AS_OF_RE.match(text)
    if m is None:
        return text or None, None
    return (m.group(1) or "").strip() or None, m.group(2)


def _fields(kind: str) -> tuple[str, ...]:
    return (*(field_name(f) for f in KINDS[kind].field_names), "Note", "Source", "Id")


def _answer_html(card: CardSpec) -> str:
    """The answer's fields as template HTML: the first as it is, each later one (optional)
    in its own block with its lead-in in bold."""
    first, *rest = card.answer
    html = "{{" + field_name(first[0]) + "}}"
    for name, lead in rest:
        shown = field_name(name)
        html += (
            f'{{{{#{shown}}}}}<div class="why"><b>{lead}</b> {{{{{shown}}}}}</div>{{{{/{shown}}}}}'
        )
    return html


def _typed_back(card: CardSpec, front: str) -> str:
    """A typed-answer card's back: Anki compares the text; the tolerance and the formula
    say how drill would judge it."""
    return _back(
        "{{type:" + field_name(card.answer[0][0]) + "}}\n"
        '<div class="tolerance">Right within ± {{Tolerance}}'
        " (Anki compares the text; judge the number)</div>\n"
        '{{#Formula}}<div class="formula">= <code>{{Formula}}</code></div>{{/Formula}}',
        front=front,
    )


def _template(kind: Kind, card: CardSpec) -> Template:
    question = _question(card.label, field_name(card.prompt), card.ask)
    if kind.typed:
        typed = question + "\n{{type:" + field_name(card.answer[0][0]) + "}}"
        return Template(card.template, card.suffix, typed, _typed_back(card, question))
    front = _only_if(field_name(card.only_if), question) if card.only_if else question
    return Template(card.template, card.suffix, front, _back(_answer_html(card)))


_CLOZE_TEMPLATE = Template(
    "Cloze",
    "c{n}",
    '<div class="prompt" dir="auto">{{cloze:Text}}</div>',
    f'<div class="prompt" dir="auto">{{{{cloze:Text}}}}</div>\n{_NOTE}\n{_META}',
)


def _note_type(kind: Kind) -> NoteType:
    """A kind's note type, made from the kind table: its fields (then Note, Source, Id) and
    one template per card."""
    templates = (_CLOZE_TEMPLATE,) if kind.cloze else tuple(_template(kind, c) for c in kind.cards)
    return NoteType(
        kind.name, f"drill: {kind.name}", _fields(kind.name), templates, cloze=bool(kind.cloze)
    )


NOTE_TYPES: dict[str, NoteType] = {name: _note_type(kind) for name, kind in KINDS.items()}

# Estimation problems (drill.problems): one type-in note per template and seed. Not a card
# kind, so it lives beside NOTE_TYPES.
PROBLEM_NOTE_TYPE = NoteType(
    PROBLEM_KIND,
    "drill: problem",
    ("Question", "Answer", "Answers", "Solution", "Hints", "Source", "Id"),
    (
        Template(
            "Solve it",
            "",
            _question("Estimation problem", "Question")
            + '\n{{#Hints}}<div class="note">{{hint:Hints}}</div>{{/Hints}}\n{{type:Answer}}',
            _question("Estimation problem", "Question") + '\n<hr id="answer">\n{{type:Answer}}\n'
            '<div class="answer" dir="auto">{{Answers}}</div>\n'
            '<div class="tolerance">Anki compares the text; judge the number by ratio</div>\n'
            '<div class="formula" dir="auto">{{Solution}}</div>\n' + _META,
        ),
    ),
)


def note_type(kind: str) -> NoteType:
    return PROBLEM_NOTE_TYPE if kind == PROBLEM_KIND else NOTE_TYPES[kind]


class _Model(genanki.Model):
    """A genanki model whose modification time is TEMPLATES_MTIME, not the build time."""

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        return super().to_json(TEMPLATES_MTIME, deck_id)
