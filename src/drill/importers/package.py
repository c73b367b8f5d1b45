"""Anki packages (.apkg, .colpkg) and collections: their notes as drill items.

Every note Anki keeps comes over: notes of drill's own note types field by field (a package
`drill build` wrote), every other note through its note type's field map
(drill.importers.notetypes), its note type kept for the round trip, its GUID kept, its HTML
written as drill's Markdown, its media as files under `media/`, its deck (the deck of its
first card) and its suspension. What cannot come over is said once, with the note's GUID.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from collections import defaultdict
from pathlib import Path

from drill.anki.reader import AnkiCard, AnkiFile, AnkiFileError, NoteType, open_anki
from drill.importers.anki_text import DRILL_NOTETYPE_RE, anki_item, drill_item, kind_of_notetype
from drill.importers.common import ImportFailure, Item, Source, anki_id, split_tags
from drill.importers.html import html_to_markdown
from drill.importers.notetypes import OCCLUSION_BACK, FieldMap, field_map, is_occlusion
from drill.kinds import KINDS, cloze_numbers
from drill.model import AnkiTemplate, OriginalNoteType, Problem
from drill.names import id_problem, plural
from drill.paths import display_path

MEDIA_FOLDER = "media"
PACKAGE_FORMAT = "Anki package"
SUSPENDED_QUEUE = -1


def read_package(path: Path, data: bytes, *, kind: str | None) -> Source:
    shown = display_path(path)
    try:
        with open_anki(path, data) as anki:
            return _PackageReader(anki, shown, kind, path.stem).read()
    except AnkiFileError as err:
        raise ImportFailure(f"{shown}: {err}") from None


_DRILL_MEDIA_RE = re.compile(r"^drill-[0-9a-f]{10}-(.+)$")


def safe_media_name(name: str, taken: set[str]) -> str:
    """A file name that drill's Markdown can refer to (no spaces, brackets or parentheses),
    unique among `taken`. A file of a package drill built gets its own name back
    (`drill-<hash>-lb.png` -> `lb.png`)."""
    own = _DRILL_MEDIA_RE.match(name)
    name = unicodedata.normalize("NFC", own.group(1) if own else name)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = re.sub(r"[^\w.\-]+", "-", stem).strip("-.") or "file"
    ext = re.sub(r"[^\w]+", "", ext)
    base = f"{stem}.{ext}" if ext else stem
    candidate, n = base, 2
    while candidate.casefold() in taken:
        candidate = f"{stem}-{n}.{ext}" if ext else f"{stem}-{n}"
        n += 1
    taken.add(candidate.casefold())
    return candidate


class _PackageReader:
    def __init__(self, anki: AnkiFile, shown: str, kind: str | None, stem: str):
        self.anki = anki
        self.shown = shown
        self.kind = kind
        self.stem = stem
        self.maps: dict[int, FieldMap] = {}
        self.yaml_names: dict[int, str] = {}  # note type id -> its name in the YAML
        self.kept: dict[str, OriginalNoteType] = {}
        self.file_names: dict[str, str] = {}  # the package's media name -> the file drill writes
        self.missing: dict[str, list[str]] = defaultdict(list)  # file -> GUIDs referring to it
        self.missing_names: dict[str, str] = {}
        self.cards_without_drill_card = 0
        self.split_notes: list[tuple[str, list[str]]] = []  # GUID, its cards' decks (first first)
        self.taken_names: set[str] = set()
        self.template_files: set[str] = set()  # files kept note types' templates name

    def read(self) -> Source:
        anki = self.anki
        decks = anki.decks()
        cards: dict[int, list[AnkiCard]] = defaultdict(list)
        for card in anki.cards():
            cards[card.note_id].append(card)
        items: list[Item] = []
        problems: list[Problem] = []
        notices: list[str] = []
        occlusions = 0
        for number, note in enumerate(anki.notes(), 1):
            note_type, values, guid = note.notetype, note.fields, note.guid
            note_cards = sorted(cards.get(note.id, []), key=lambda c: c.ord)
            if not note_type.fields:
                notices.append(
                    f"note {guid}: its note type (id {note_type.id}) is not in the package, so "
                    "its fields have no names; left out"
                )
                continue
            own = DRILL_NOTETYPE_RE.match(note_type.name)
            if own and own.group(1) in KINDS and self.kind is None:
                referred: list[str] = []
                item, row_problems = drill_item(
                    number,
                    own.group(1),
                    note_type.fields,
                    values,
                    self.shown,
                    self._media(guid, referred),
                )
                if item is not None:
                    item.id = self._own_id(note_type, values) or anki_id(guid)
                    item.media = referred
            elif self.kind is not None:
                # --kind: every note as that kind, its fields in order (no note type kept).
                templates = 2 if note_type.templates >= 2 else 1
                row_kind = self.kind or kind_of_notetype(note_type.name, note_type.cloze, templates)
                item, row_problems = anki_item(
                    number, row_kind, note_type.fields, values, True, self.shown
                )
                if item is not None:
                    item.id = anki_id(guid)
                    item.guid = guid
            else:
                item, row_problems = self._mapped_item(number, note_type, values, guid, note_cards)
                occlusions += is_occlusion(note_type)
            problems.extend(
                Problem(p.path, p.line, f"note {guid} ({note_type.name}): {p.message}")
                for p in row_problems
            )
            if item is None:
                continue
            if note_cards:
                card_decks = [decks.get(c.original_deck_id or c.deck_id) for c in note_cards]
                item.deck = card_decks[0]
                named = list(dict.fromkeys(d for d in card_decks if d))
                if len(named) > 1:
                    self.split_notes.append((guid, named))
                item.suspended = all(c.queue == SUSPENDED_QUEUE for c in note_cards) or None
            item.tags = [t for t in split_tags(note.tags) if not t.startswith("drill::")]
            items.append(item)
        if not items and not problems and not notices:
            raise ImportFailure(f"{self.shown} holds no notes")
        if occlusions:
            notices.append(
                f"{plural(occlusions, 'Image Occlusion note')}: drill shows the whole image "
                "(the masks are kept, and Anki gets the notes back as they were)"
            )
        notices.extend(self._missing_notices())
        notices.extend(self._split_notices())
        notices.extend(self._unused_notice())
        if self.cards_without_drill_card:
            notices.append(
                f"{plural(self.cards_without_drill_card, 'Anki card')} of note types with more "
                "card templates (or cloze fields) than drill's have no drill card: drill quizzes "
                "the first two templates and the first cloze field; drill build gives Anki back "
                "all of them"
            )
        imported = {i.guid for i in items if i.guid}
        scheduled_cards = {
            c.id
            for n in anki.notes()
            if n.guid in imported
            for c in cards.get(n.id, [])
            if c.type != 0
        }
        media = {self.file_names[name]: anki.media[name] for name in self.file_names}
        media.update((name, anki.media[name]) for name in self.template_files)
        source = Source(PACKAGE_FORMAT, items, problems, self.kept, media, notices)
        source.scheduled = len(scheduled_cards)
        if scheduled_cards:
            source.reviews = sum(1 for r in anki.revlog() if r.card_id in scheduled_cards)
        return source

    def _unused_notice(self) -> list[str]:
        """The package's files that no imported note or kept note type refers to."""
        unused = sorted(set(self.anki.media) - set(self.file_names) - self.template_files)
        if not unused:
            return []
        names = ", ".join(repr(n) for n in unused[:3]) + (", ..." if len(unused) > 3 else "")
        why = "no imported note or note type refers to them"
        if all(n.startswith("latex-") for n in unused):
            why = "they are images Anki made from LaTeX, and it makes them again from the text"
        return [f"{plural(len(unused), 'media file')} of the package left out ({names}): {why}"]

    def _split_notices(self) -> list[str]:
        """Notes whose cards Anki keeps in different decks: a drill note lives in one deck."""
        if not self.split_notes:
            return []
        where = "drill studies all of a note's cards in the deck of its first card; Anki keeps "
        where += "its cards where they are when drill build goes back"
        if len(self.split_notes) <= 3:
            return [
                f"note {guid} has cards in {len(names)} decks ({', '.join(names)}): filed "
                f"under {names[0]}; {where}"
                for guid, names in self.split_notes
            ]
        guids = ", ".join(guid for guid, _ in self.split_notes[:3])
        return [
            f"{len(self.split_notes)} notes have cards in several decks ({guids}, ...): each is "
            f"filed under its first card's deck; {where}"
        ]

    def _missing_notices(self) -> list[str]:
        """Files the notes refer to that the package lacks: one line each, or one for all
        when there are many (a deck exported without its media: 347 sounds)."""
        kept = "the references are kept, and Anki shows the files if its collection has them"
        missing = sorted(self.missing.items())
        if len(missing) <= 3:
            return [
                f"media file {name!r} is not in the package (note {', '.join(guids)}): "
                + kept.replace("references are", "reference is")
                .replace("files", "file")
                .replace("them", "it")
                for name, guids in missing
            ]
        notes = len({g for _, guids in missing for g in guids})
        names = ", ".join(repr(name) for name, _ in missing[:3])
        return [
            f"{len(missing)} media files are not in the package ({names}, ...; "
            f"{plural(notes, 'note')} refer to them): {kept}"
        ]

    def _own_id(self, note_type: NoteType, values: list[str]) -> str | None:
        """A package drill built carries each note's own id: keep it, so the deck
        round-trips."""
        if "Id" not in note_type.fields:
            return None
        index = note_type.fields.index("Id")
        candidate = values[index].strip() if index < len(values) else ""
        return candidate if candidate and id_problem(candidate) is None else None

    # ----------------------------------------------------------------------- mapped notes

    def _map(self, note_type: NoteType) -> FieldMap:
        found = self.maps.get(note_type.id)
        if found is None:
            found = self.maps[note_type.id] = field_map(note_type)
            name = note_type.name.strip() or f"Note type {note_type.id}"
            if name in self.kept:
                name = f"{name} ({note_type.id})"
            self.yaml_names[note_type.id] = name
            self.kept[name] = OriginalNoteType(
                note_type.id,
                name,
                tuple(note_type.fields),
                found.to_drill,
                tuple(AnkiTemplate(t.name, t.front, t.back) for t in note_type.template_list),
                note_type.css,
                note_type.cloze,
                media=self._template_media(note_type),
            )
        return found

    def _template_media(self, note_type: NoteType) -> tuple[tuple[str, str], ...]:
        """The package's files the note type's templates or CSS name, by Anki's rule (names
        that start with `_`, which Anki's media check never deletes and its exports carry):
        kept under their own names, since the templates name them so."""
        text = note_type.css + "".join(t.front + t.back for t in note_type.template_list)
        found = []
        for name in sorted(self.anki.media):
            if name.startswith("_") and name in text and "/" not in name and name != "_":
                self.template_files.add(name)
                self.taken_names.add(name.casefold())
                found.append((f"{MEDIA_FOLDER}/{name}", ""))
        return tuple(found)

    def _mapped_item(
        self,
        number: int,
        note_type: NoteType,
        values: list[str],
        guid: str,
        cards: list[AnkiCard],
    ) -> tuple[Item | None, list[Problem]]:
        fields_map = self._map(note_type)
        names = list(note_type.fields)
        # A note with more fields than its note type names (a damaged collection): the rest
        # are kept under numbered names; with fewer, the missing ones are empty.
        names += [f"Field {i + 1}" for i in range(len(names), len(values))]
        referred: list[str] = []
        texts = {
            name: html_to_markdown(
                values[i] if i < len(values) else "", self._media(guid, referred)
            )
            for i, name in enumerate(names)
        }
        kind = fields_map.kind_for([c.ord for c in cards])
        item = Item(number, kind, {}, guid=guid, notetype=self.yaml_names[note_type.id])
        for anki_name, drill_name in fields_map.to_drill:
            if drill_name == "note":
                item.note = texts[anki_name] or None
            else:
                item.fields[drill_name] = texts[anki_name]
        if is_occlusion(note_type):
            item.fields["back"] = OCCLUSION_BACK
        self.cards_without_drill_card += _anki_only(kind, item.fields.get("text", ""), cards)
        mapped = {name for name, _ in fields_map.to_drill}
        item.extra = {name: texts[name] for name in names if name not in mapped and texts[name]}
        item.media = referred
        item.id = anki_id(guid)
        return item, []

    def _media(self, guid: str, referred: list[str]):
        """The callback that turns a file name in a field into the deck's path for it."""

        def path_for(name: str) -> str:
            if "://" in name or name.startswith("data:"):
                return name  # a remote image stays where it is, as in Anki
            found = name if name in self.anki.media else urllib.parse.unquote(name)
            if found not in self.anki.media:
                # Kept as a reference to a file that is not there (drill check warns, and
                # drill build gives Anki the name back, in case its collection has the file).
                self.missing[name].append(guid)
                if name not in self.missing_names:
                    self.missing_names[name] = safe_media_name(name, self.taken_names)
                return f"{MEDIA_FOLDER}/{self.missing_names[name]}"
            if found not in self.file_names:
                self.file_names[found] = safe_media_name(found, self.taken_names)
            referred.append(self.file_names[found])
            return f"{MEDIA_FOLDER}/{self.file_names[found]}"

        return path_for


def _anki_only(kind: str, text: str, cards: list[AnkiCard]) -> int:
    """How many of a note's Anki cards drill has no card for: templates past a basic note's
    first or a reverse note's second; a cloze's deletions in fields other than its text."""
    if kind == "cloze":
        numbers = set(cloze_numbers(text)) or {1}
        return sum(1 for c in cards if c.ord + 1 not in numbers)
    return sum(1 for c in cards if c.ord >= (2 if kind == "reverse" else 1))
