"""How an Anki note type's fields become a drill note's: which kind, and which Anki field
fills which drill field. The other fields are kept, by name, as the note's `extra:`; the note
type itself is kept in the deck file (`anki_notetypes:`), so `drill build` gives Anki back the
same note type and the same fields.

- Basic, Basic (type in the answer), and any note type with one template: `basic`.
- Basic (and reversed card), Basic (optional reversed card), and any note type with two or
  more templates: `reverse` for a note with both cards in Anki, else `basic`.
- Cloze, and any cloze note type: `cloze`, its text from the field the template clozes.
- Image Occlusion: `basic`, the image as the question; the masks, header and comments kept as
  they are, so Anki gets the note back exactly. drill shows the image, not the masks.
- Custom note types: fields are matched by name (Front/Question/Word/... and Back/Answer/
  Meaning/...), else taken in order; `Back Extra`/`Extra` becomes the note's `note`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from drill.anki.reader import NoteType

FRONTISH = (
    "front",
    "question",
    "q",
    "prompt",
    "term",
    "word",
    "expression",
    "vocab",
    "vocabulary",
    "kanji",
    "concept",
    "sentence",
)
BACKISH = (
    "back",
    "answer",
    "a",
    "meaning",
    "definition",
    "translation",
    "explanation",
    "reading",
    "description",
)
EXTRAISH = ("back extra", "extra")
OCCLUSION_BACK = "(Image Occlusion: the masks show in Anki; here, the whole image)"
_CLOZE_FIELD_RE = re.compile(r"\{\{(?:[^}]*:)?cloze:([^}]+)\}\}")


@dataclass(frozen=True)
class FieldMap:
    """Where a note type's fields go in drill."""

    notetype: NoteType
    kinds: tuple[str, str]  # the kind of a note with one card, and with two or more
    to_drill: tuple[tuple[str, str], ...]  # (Anki field, drill field)

    @property
    def extra_fields(self) -> list[str]:
        mapped = {name for name, _ in self.to_drill}
        return [name for name in self.notetype.fields if name not in mapped]

    def kind_for(self, card_ordinals: Sequence[int]) -> str:
        """A note's kind, from the cards Anki has for it."""
        one, several = self.kinds
        return several if len(set(card_ordinals)) >= 2 else one


def _pick(names: Sequence[str], wanted: Sequence[str], taken: set[str]) -> str | None:
    lowered = {n.strip().lower(): n for n in reversed(names) if n not in taken}
    return next((lowered[w] for w in wanted if w in lowered), None)


def is_occlusion(notetype: NoteType) -> bool:
    """Anki's Image Occlusion (23.10+), or the older add-on's ("Image Occlusion Enhanced")."""
    return notetype.occlusion or "image occlusion" in notetype.name.casefold()


def _visible(names: Sequence[str]) -> list[str]:
    """Fields a template shows the user: not an add-on's `ID (hidden)`, `GUID`, ..."""

    def hidden(name: str) -> bool:
        name = name.strip().casefold()
        return name.endswith("(hidden)") or name in ("id", "guid", "uuid", "note id")

    return [n for n in names if not hidden(n)] or list(names)


def field_map(notetype: NoteType) -> FieldMap:
    names = list(notetype.fields)
    if is_occlusion(notetype):
        image = _pick(names, ("image",), set()) or (names[1] if len(names) > 1 else names[0])
        pairs = [(image, "front")]
        extra = _pick(names, EXTRAISH, {image})
        if extra:
            pairs.append((extra, "note"))
        return FieldMap(notetype, ("basic", "basic"), tuple(pairs))
    if notetype.cloze:
        clozed = [
            m.group(1).strip()
            for t in notetype.template_list
            for m in _CLOZE_FIELD_RE.finditer(t.front)
        ]
        text = next((c for c in clozed if c in names), None) or _pick(names, ("text",), set())
        text = text or names[0]
        pairs = [(text, "text")]
        extra = _pick(names, EXTRAISH, {text})
        if extra:
            pairs.append((extra, "note"))
        return FieldMap(notetype, ("cloze", "cloze"), tuple(pairs))
    taken: set[str] = set()
    shown = _visible(names)
    front = _pick(names, FRONTISH, taken) or shown[0]
    taken.add(front)
    back = _pick(names, BACKISH, taken) or next((n for n in shown if n not in taken), None)
    pairs = [(front, "front")]
    if back is not None:
        taken.add(back)
        pairs.append((back, "back"))
        extra = _pick(names, EXTRAISH, taken)
        if extra:
            pairs.append((extra, "note"))
    several = "reverse" if notetype.templates >= 2 and back is not None else "basic"
    return FieldMap(notetype, ("basic", several), tuple(pairs))
