"""The Anki note types are made from the kind table, and they are identity in users' Anki
collections: ids, names, fields (and their order), template names, the card each template
yields, and the template text are those drill has always written (tests/fixtures/
note_types.json, recorded from the hand-written note types they replaced). A template text
change needs a newer TEMPLATES_MTIME and a new fixture; anything else a new note type."""

from __future__ import annotations

import json
from pathlib import Path

from drill.anki import notetypes
from drill.kinds import KINDS, sides

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "note_types.json").read_text())


def test_note_types_are_what_anki_collections_already_hold():
    assert FIXTURE["css"] == notetypes.CSS
    assert FIXTURE["templates_mtime"] == notetypes.TEMPLATES_MTIME
    current = {**notetypes.NOTE_TYPES, "problem": notetypes.PROBLEM_NOTE_TYPE}
    assert set(current) == set(FIXTURE["note_types"])
    for kind, nt in current.items():
        assert {
            "id": nt.id,
            "name": nt.name,
            "fields": list(nt.fields),
            "cloze": nt.cloze,
            "templates": [
                {"name": t.name, "suffix": t.suffix, "front": t.front, "back": t.back}
                for t in nt.templates
            ],
        } == FIXTURE["note_types"][kind], kind


def test_each_note_type_yields_the_cards_drill_shows():
    """A template per card of the kind, in order, with the card's suffix."""
    for name, kind in KINDS.items():
        if kind.cloze:
            continue
        fields = {
            f.name: (["x", "y"] if f.type == "texts" else "1 s" if f.type == "quantity" else "x")
            for f in kind.fields
        }
        fields["tolerance"] = 0.25
        suffixes = [side.suffix for side in sides(kind, fields)]
        assert suffixes == [t.suffix for t in notetypes.NOTE_TYPES[name].templates]
