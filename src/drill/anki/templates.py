"""Which cards an Anki note type gives a note: Anki's rule for standard note types, for the
note types kept from an import (drill's own note types say it with their own templates).

Anki makes a card for a template when its front, rendered with the note's fields, shows one of
them: `{{Field}}` (or `{{filter:Field}}`) with a non-empty field, outside any section that
hides it (`{{#Field}}...{{/Field}}` shows its inside when the field is not empty,
`{{^Field}}...{{/Field}}` when it is). Special fields (FrontSide, Tags, Deck, ...) do not count.
A field is empty when it holds nothing but whitespace and markup that shows nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_TAG_RE = re.compile(r"\{\{\s*([#^/]?)\s*(.*?)\s*\}\}", re.DOTALL)
_SPECIAL = {"FrontSide", "Tags", "Deck", "Subdeck", "Card", "CardFlag", "Type", "CardID"}
_MARKUP_RE = re.compile(r"<(?!img\b)[^>]*>|&nbsp;", re.IGNORECASE)


def field_is_empty(html: str) -> bool:
    """Anki's test: nothing left once tags that show nothing (all but images) are gone."""
    return not _MARKUP_RE.sub("", html).strip()


def _field_of(reference: str) -> str:
    """The field a replacement shows: `Front`, `furigana:Front`, `tts en_US:Front` -> Front."""
    return reference.rsplit(":", 1)[-1].strip()


def front_shows_a_field(front: str, fields: Mapping[str, str]) -> bool:
    """Whether a template's front, for these field values, shows a non-empty field."""
    filled = {name: not field_is_empty(value) for name, value in fields.items()}
    hidden = 0  # how many enclosing sections hide what is inside
    stack: list[bool] = []
    for m in _TAG_RE.finditer(front):
        mark, name = m.group(1), m.group(2)
        if mark in ("#", "^"):
            shows = filled.get(name, False) if mark == "#" else not filled.get(name, False)
            stack.append(shows)
            hidden += not shows
        elif mark == "/":
            if stack:
                hidden -= not stack.pop()
        elif not hidden:
            field = _field_of(name)
            if field not in _SPECIAL and filled.get(field, False):
                return True
    return False


def card_ordinals(
    templates: Sequence[str], names: Sequence[str], values: Sequence[str]
) -> list[int]:
    """The template ordinals a standard note type makes cards for. Anki gives a note with none
    its first card anyway, showing an empty front."""
    fields = dict(zip(names, values, strict=False))
    found = [i for i, front in enumerate(templates) if front_shows_a_field(front, fields)]
    return found or [0]
