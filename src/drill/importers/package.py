"""Anki packages (.apkg, .colpkg) and collections: their notes as drill items."""

from __future__ import annotations

from pathlib import Path

from drill.anki.reader import AnkiFile, AnkiFileError, open_anki
from drill.importers.anki_text import DRILL_NOTETYPE_RE, anki_item, drill_item, kind_of_notetype
from drill.importers.common import ImportFailure, Item, Source, anki_id, split_tags
from drill.kinds import KINDS
from drill.model import Problem
from drill.names import id_problem
from drill.paths import display_path


def read_package(path: Path, data: bytes, *, kind: str | None) -> Source:
    shown = display_path(path)
    try:
        with open_anki(path, data) as anki:
            return _read_notes(anki, shown, kind)
    except AnkiFileError as err:
        raise ImportFailure(f"{shown}: {err}") from None


def _read_notes(anki: AnkiFile, shown: str, kind: str | None) -> Source:
    items: list[Item] = []
    problems: list[Problem] = []
    for number, note in enumerate(anki.notes(), 1):
        note_type, values, guid = note.notetype, note.fields, note.guid
        if note_type.occlusion:
            problems.append(
                Problem(shown, number, f"note {guid}: image occlusion notes cannot be imported")
            )
            continue
        own = DRILL_NOTETYPE_RE.match(note_type.name)
        if kind is None and own and own.group(1) in KINDS and note_type.fields:
            item, row_problems = drill_item(number, own.group(1), note_type.fields, values, shown)
        else:
            row_kind = kind or kind_of_notetype(
                note_type.name, note_type.cloze, 2 if note_type.templates >= 2 else 1
            )
            names = note_type.fields or [""] * len(values)
            item, row_problems = anki_item(number, row_kind, names, values, True, shown)
        problems.extend(
            Problem(p.path, p.line, f"note {guid} ({note_type.name}): {p.message}")
            for p in row_problems
        )
        if item is None:
            continue
        # A package drill built carries each note's own id: keep it, so the deck round-trips.
        own_id = None
        if own and "Id" in note_type.fields:
            index = note_type.fields.index("Id")
            candidate = values[index].strip() if index < len(values) else ""
            own_id = candidate if candidate and id_problem(candidate) is None else None
        item.id = own_id or anki_id(guid)
        item.tags = [t for t in split_tags(note.tags) if not t.startswith("drill::")]
        items.append(item)
    if not items and not problems:
        raise ImportFailure(f"{shown} holds no notes")
    return Source("Anki package", items, problems)
