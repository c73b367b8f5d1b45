"""Anki export: drill notes as .apkg packages that import cleanly and re-import as updates.

How Anki matches what it imports, and what this module does about it:

- Notes are matched by GUID, and an existing note is updated only when the incoming note's
  modification time is newer than the collection's. So a note's GUID comes from its stable id
  (`guid_for("drill", id)`), and its modification time is when its content last changed, read
  from the store (`content_changed`), never the build time: rebuilding unchanged decks and
  re-importing changes nothing, and an edited note is updated in place, keeping its cards and
  their review history.
- Note types are matched by id: each kind has a note type with a FIXED id derived from
  `drill:<kind>:v1`. Changing a note type's fields or card templates (names, number, order)
  needs a new version string; changing only template text or CSS needs a newer
  `TEMPLATES_MTIME`, so Anki takes the new templates on the next import.
- Decks are matched by name (`::` nests). Deck ids are a stable hash of the name.
- Field text is HTML: deck text is escaped and its light Markdown rendered (drill.markup).
- A note type yields the same cards as drill does for that kind: optional cards use
  conditional templates (`{{#Accepted because}}...`) so Anki does not create empty cards.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import genanki

from drill import markup
from drill.anki.notetypes import (  # noqa: F401 - NOTE_TYPES and field_name for callers
    NOTE_TYPES,
    PROBLEM_KIND,
    field_name,
    note_guid,
    note_type,
    source_text,
    stable_id,
)
from drill.kinds import KINDS
from drill.model import Note, OriginalNoteType
from drill.names import file_slug

if TYPE_CHECKING:
    from drill.anki.progress import Progress

ANKI_TAG_PREFIX = "drill::"  # plus the kind: drill::tradeoff
SINGLE_NAME = "drill"

IMPORT_HINT = (
    "Import in Anki with File > Import (or open the .apkg file). Re-importing a rebuilt file "
    "updates edited notes in place and keeps their review history."
)
PROGRESS_HINT = (
    'To keep your progress, tick "Import any learning progress" in Anki\'s import options; '
    "it applies to cards not yet in the collection."
)


class _Note(genanki.Note):
    """A genanki note written with its own modification time (genanki uses one for all)."""

    def __init__(self, *args: Any, mtime: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.mtime = mtime

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any) -> None:
        super().write_to_db(cursor, self.mtime, deck_id, id_gen)

    def _front_back_cards(self) -> list[Any]:
        if not isinstance(self.model, KeptModel):
            return super()._front_back_cards()
        from drill.anki.templates import card_ordinals

        fronts = [t["qfmt"] for t in self.model.templates]
        names = [f["name"] for f in self.model.fields]
        return [genanki.Card(i) for i in card_ordinals(fronts, names, self.fields)]

    def _cloze_cards(self) -> list[Any]:
        """One card per cloze number, nested deletions included (genanki's own search stops
        at the first `}}`, so `{{c1::a {{c2::b}} c}}` gave it c1 alone)."""
        numbers = {
            int(n)
            for value in self.fields
            for n in re.findall(r"\{\{c(\d+)::", value)
            if int(n) > 0
        }
        return [genanki.Card(n - 1) for n in sorted(numbers)] or [genanki.Card(0)]


class KeptModel(genanki.Model):
    """An Anki note type kept from an import, given back to Anki as it was: its own id, name,
    fields, templates and CSS, so Anki recognises it and updates the notes in place. Dated
    long ago, so Anki never takes its templates over the collection's own."""

    KEPT_MTIME = 1

    def __init__(self, notetype: OriginalNoteType):
        super().__init__(
            notetype.id,
            notetype.name,
            fields=[{"name": name} for name in notetype.fields],
            templates=[
                {"name": t.name, "qfmt": t.front, "afmt": t.back} for t in notetype.templates
            ],
            css=notetype.css,
            model_type=genanki.Model.CLOZE if notetype.cloze else genanki.Model.FRONT_BACK,
        )

    @property
    def _req(self) -> list[Any]:
        # genanki renders every template with chevron to find this; Anki has not read it since
        # 2.1.28, and the cards come from drill.anki.templates. Say each field is enough.
        return [[i, "any", list(range(len(self.fields)))] for i in range(len(self.templates))]

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        return super().to_json(self.KEPT_MTIME, deck_id)


def drill_suffix(kind: str, ordinal: int) -> str | None:
    """The drill card an Anki card of a kind's note is (its id suffix), by template ordinal;
    None when drill has no such card (a kept note type with more templates than the kind)."""
    spec = note_type(kind)
    if spec.cloze:
        return f"c{ordinal + 1}"
    return spec.templates[ordinal].suffix if ordinal < len(spec.templates) else None


# --------------------------------------------------------------------------- notes


def format_tolerance(tolerance: float) -> str:
    return f"{tolerance * 100:.4g}%"


def media_name(path: str) -> str:
    """A media file's name in a package: `drill-<hash of its bytes>-<its name>`, so two decks'
    `media/lb.png` never clash, and the same file in two decks is stored once."""
    return _media_name(path, os.stat(path).st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _media_name(path: str, _mtime_ns: int) -> str:
    with open(path, "rb") as handle:
        digest = hashlib.sha1(handle.read()).hexdigest()[:10]
    return f"drill-{digest}-{os.path.basename(path)}"


def field_html(
    value: Any, kind_field: str, kind: str, media: Mapping[str, str] | None = None
) -> str:
    """One field's value as Anki HTML, by the field's type: lists as bullets, a tolerance as
    a percentage, a quantity or formula as typed (compared as text: no Markdown), other text
    escaped with its light Markdown rendered. `media` names each image and sound as the
    package holds it."""
    if value is None or value == "":
        return ""
    if isinstance(value, (tuple, list)):
        return markup.bullets(value, (lambda path: media.get(path, path)) if media else None)
    spec = KINDS[kind].field(kind_field) if kind in KINDS else None
    field_type = spec.type if spec is not None else "text"
    if field_type == "tolerance":
        return markup.escape(format_tolerance(float(value)))
    if field_type in ("quantity", "formula"):
        return markup.escape(str(value))
    return markup.to_html(str(value), media)


def note_media(note: Note) -> dict[str, str]:
    """A note's images and sounds: the path as written -> the name in the package."""
    # A file an imported note refers to that its package lacked ("" for the file) is given
    # to Anki by its name, in case the collection has it.
    return {
        written: media_name(path) if path else _kept_reference(written)
        for written, path in note.media
    }


def _kept_reference(written: str) -> str:
    """How an imported note's reference to a file drill does not have reaches Anki: a URL as
    it is, a missing file by its name (`media/x.png` -> `x.png`)."""
    return written if "://" in written else os.path.basename(written)


def anki_fields(note: Note) -> list[str]:
    """The note's Anki fields, in its note type's order."""
    kind = KINDS[note.kind]
    media = note_media(note) if note.media else None
    if note.notetype is not None:
        return kept_fields(note, note.notetype, media)
    values = [
        field_html(note.fields.get(name), name, note.kind, media) for name in kind.field_names
    ]
    values.append(field_html(note.fields.get("note"), "note", note.kind, media))
    values.append(markup.escape(source_text(note.source, note.as_of)))
    values.append(markup.escape(note.id))
    return values


def kept_fields(
    note: Note, notetype: OriginalNoteType, media: Mapping[str, str] | None
) -> list[str]:
    """An imported note's fields in its own Anki note type: each field from the drill field
    the note type maps it to, or from the note's `extra:`; empty when it has neither."""
    to_drill = dict(notetype.to_drill)
    extra = dict(note.extra)
    values = []
    for name in notetype.fields:
        target = to_drill.get(name)
        if target == "source":
            values.append(markup.escape(note.source or ""))
        elif target is not None:
            values.append(field_html(note.fields.get(target), target, note.kind, media))
        else:
            values.append(markup.to_html(extra[name], media) if extra.get(name) else "")
    return values


def anki_tags(note: Note) -> list[str]:
    """The file's and the card's tags (as authored; drill tags have no spaces) and drill::kind."""
    return list(_anki_tags(note.tags, note.kind))


@functools.lru_cache(maxsize=4096)
def _anki_tags(tags: tuple[str, ...], kind: str) -> tuple[str, ...]:
    # Cached: a deck has a few tag sets shared by thousands of notes.
    kept = [t for t in tags if t and not any(c.isspace() for c in t)]
    return tuple(dict.fromkeys([*kept, ANKI_TAG_PREFIX + kind]))


@dataclass(frozen=True)
class ExportNote:
    """One Anki note to write: what it shows, where it goes, and when its content changed."""

    id: str
    kind: str  # a key of NOTE_TYPES
    deck: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    mtime: int  # seconds since the epoch
    media: tuple[tuple[str, str], ...] = ()  # (name in the package, the file)
    anki_guid: str | None = None  # the GUID of a note that came from Anki
    notetype: OriginalNoteType | None = None  # the Anki note type it came from

    @property
    def guid(self) -> str:
        return self.anki_guid or note_guid(self.id)

    @property
    def model_key(self) -> str | int:
        """Which note type it is written in: its kind's, or the id of the one it came with."""
        return self.notetype.id if self.notetype is not None else self.kind

    def model(self) -> genanki.Model:
        return (
            KeptModel(self.notetype) if self.notetype is not None else note_type(self.kind).model()
        )

    def genanki_note(self, models: Mapping[str | int, genanki.Model], due: int) -> _Note:
        return _Note(
            model=models[self.model_key],
            fields=list(self.fields),
            tags=list(self.tags),
            guid=self.guid,
            due=due,
            mtime=self.mtime,
        )


def export_notes(
    notes: Iterable[Note], changed: Mapping[str, datetime], default: datetime
) -> list[ExportNote]:
    """Drill notes as Anki notes; `changed` maps note ids to when their content last changed
    (see `content_changed`); a note missing from it takes `default`."""
    out = []
    for note in notes:
        mtime = int(changed.get(note.id, default).timestamp())
        media = tuple((media_name(path), path) for _, path in note.media if path)
        if media:  # an edited image changes the note in Anki too: its name holds its hash
            mtime = max(mtime, *(int(os.stat(path).st_mtime) for _, path in media))
        if note.notetype is not None and note.notetype.media:
            # The files a kept note type's templates name go by those names (`_font.ttf`).
            media += tuple(
                (os.path.basename(path), path) for _, path in note.notetype.media if path
            )
        out.append(
            ExportNote(
                id=note.id,
                kind=note.kind,
                deck=note.deck,
                fields=tuple(anki_fields(note)),
                tags=tuple(anki_tags(note)),
                mtime=mtime,
                media=media,
                anki_guid=note.guid,
                notetype=note.notetype,
            )
        )
    return out


# --------------------------------------------------------------------------- packages


@dataclass
class Written:
    """One .apkg file written."""

    path: Path
    decks: list[str] = field(default_factory=list)
    notes: int = 0
    cards: int = 0
    media: int = 0  # images and sounds in the package
    scheduled: int = 0  # with progress: cards that are not new (or are suspended)
    reviews: int = 0  # with progress: review-log rows


def top_deck(deck: str) -> str:
    return deck.split("::", 1)[0].strip()


def write_packages(
    notes: Sequence[ExportNote],
    out_dir: Path,
    single: bool = False,
    progress: Progress | None = None,
) -> list[Written]:
    """Write one .apkg per top-level deck (or one `drill.apkg`); returns what was written.
    With `progress`, each card carries its schedule and review log (drill.anki.progress),
    with review-log ids unique across all the packages."""
    from drill.anki.progress import RevlogIds

    ids = RevlogIds()
    groups: dict[str, list[ExportNote]] = {}
    names: dict[str, str] = {}
    for note in notes:
        key = "" if single else top_deck(note.deck).casefold()  # Anki: names ignore case
        names.setdefault(key, SINGLE_NAME if single else top_deck(note.deck))
        groups.setdefault(key, []).append(note)
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    written = []
    for key, group in groups.items():
        stem = file_slug(names[key])
        if stem in used:  # two deck names that slugify alike
            stem += "-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:6]
        used.add(stem)
        written.append(write_package(group, out_dir / f"{stem}.apkg", progress, ids))
    return written


class _Package(genanki.Package):
    """A genanki package that can change its collection before it is zipped."""

    def __init__(self, decks: list[genanki.Deck], after: Any = None):
        super().__init__(decks)
        self.after = after

    def write_to_db(self, cursor: Any, timestamp: float, id_gen: Any) -> None:
        super().write_to_db(cursor, timestamp, id_gen)
        if self.after is not None:
            self.after(cursor)


def package_cards(cursor: Any, notes: Sequence[ExportNote]) -> list[Any]:
    """The cards genanki wrote, each with the drill card it is (drill.progress.PackageCard):
    the note by its GUID, the card by its template ordinal. Problem notes have no drill card
    of their own (one card schedules the whole template), so they are left out."""
    from drill.anki.progress import PackageCard

    by_guid = {note.guid: note for note in notes}
    found = []
    for cid, ordinal, guid in cursor.execute(
        "SELECT cards.id, cards.ord, notes.guid FROM cards JOIN notes ON notes.id = cards.nid"
    ).fetchall():
        note = by_guid.get(guid)
        if note is None or note.kind == PROBLEM_KIND:
            continue
        suffix = drill_suffix(note.kind, ordinal)
        if suffix is None:
            continue
        found.append(PackageCard(cid, f"{note.id}/{suffix}" if suffix else note.id, note.deck))
    return found


def write_package(
    notes: Sequence[ExportNote],
    path: Path,
    progress: Progress | None = None,
    ids: Any = None,
) -> Written:
    """Write one .apkg holding these notes, their decks and their note types (and, with
    `progress`, each card's schedule and review log)."""
    models: dict[str | int, genanki.Model] = {}
    for note in notes:
        if note.model_key not in models:
            models[note.model_key] = note.model()
    decks: dict[str, genanki.Deck] = {}
    result = Written(path)
    for due, note in enumerate(notes):
        deck = decks.get(note.deck)
        if deck is None:
            deck = decks[note.deck] = genanki.Deck(stable_id(f"drill:deck:{note.deck}"), note.deck)
            result.decks.append(note.deck)
        gnote = note.genanki_note(models, due)
        deck.add_note(gnote)
        result.notes += 1
        result.cards += len(gnote.cards)
    tmp = path.with_name(path.name + ".tmp")
    try:
        after = None
        if progress is not None:
            from drill.anki import progress as progress_module

            def after(cursor: Any) -> None:
                cards = package_cards(cursor, notes)
                applied = progress_module.apply(cursor, progress, cards, ids)
                result.scheduled, result.reviews = applied.scheduled, applied.reviews

        # The package time only seeds the ids inside the file; notes carry their own mtime.
        with tempfile.TemporaryDirectory(prefix="drill-media-") as folder:
            # genanki stores each file under its base name: copies carry the package names.
            files = {}
            for note in notes:
                for name, source in note.media:
                    if name not in files:
                        files[name] = os.path.join(folder, name)
                        shutil.copyfile(source, files[name])
            package = _Package(list(decks.values()), after)
            package.media_files = list(files.values())
            package.write_to_file(str(tmp))
            result.media = len(files)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return result


# --------------------------------------------------------------------------- build


def tag_leeches(notes: list[ExportNote], progress: Progress) -> list[ExportNote]:
    """Notes with a leech card get Anki's `leech` tag, as Anki tags its own leeches."""
    from dataclasses import replace

    from drill.anki.progress import LEECH_TAG

    leeches = {card_id.split("/", 1)[0] for card_id, card in progress.cards.items() if card.leech}
    return [
        replace(n, tags=(*n.tags, LEECH_TAG))
        if n.id in leeches and n.kind != PROBLEM_KIND and LEECH_TAG not in n.tags
        else n
        for n in notes
    ]


# --------------------------------------------------------------------------- problems


def problem_note_id(template_id: str, seed: int) -> str:
    """The Id of a generated problem note (its GUID comes from it): `template-id@seed`."""
    return f"{template_id}@{seed}"


def problem_fields(instance: Any) -> tuple[str, ...]:
    """A problem instance (drill.problems.ProblemInstance) as the problem note's fields."""
    answers = list(instance.answers.values())
    main = answers[0]
    question = markup.to_html(instance.question) + (
        f'<div class="ask">{markup.escape(main.prompt)}</div>'
    )
    listed = [
        f"{a.prompt} **{a.text}** (right within ± {format_tolerance(a.tolerance)})" for a in answers
    ]
    decision = instance.decision
    if decision is not None:
        listed.append(
            f"{decision.prompt} **{decision.answer}** (of: {', '.join(decision.options)})"
        )
    source = instance.template.source
    return (
        question,
        markup.escape(main.text),
        markup.bullets(listed),
        "<br>".join(_indented(markup.escape(line)) for line in instance.worked),
        markup.bullets(instance.hints) if instance.hints else "",
        markup.escape(source or ""),
        markup.escape(problem_note_id(instance.id, instance.seed)),
    )


def _indented(html_line: str) -> str:
    """Leading spaces kept in HTML (the worked solution's napkin and exact lines)."""
    stripped = html_line.lstrip(" ")
    return "&nbsp;" * (len(html_line) - len(stripped)) + stripped


def problem_notes(
    templates: Iterable[Any], count: int, first_seed: int, default: datetime
) -> list[ExportNote]:
    """`count` problem notes per template (drill.problems.ProblemTemplate), seeds
    first_seed .. first_seed + count - 1. A note's modification time is its deck file's
    (else `default`), so rebuilding an unchanged file and re-importing changes nothing."""
    notes = []
    mtimes: dict[str, int] = {}
    for template in templates:
        path = template.location.path if template.location else ""
        if path not in mtimes:
            try:
                mtimes[path] = int(Path(path).stat().st_mtime)
            except OSError:
                mtimes[path] = int(default.timestamp())
        tags = [t for t in template.tags if t and not any(c.isspace() for c in t)]
        for seed in range(first_seed, first_seed + count):
            instance = template.instance(seed)
            notes.append(
                ExportNote(
                    id=problem_note_id(template.id, seed),
                    kind=PROBLEM_KIND,
                    deck=template.deck,
                    fields=problem_fields(instance),
                    tags=tuple(dict.fromkeys([*tags, ANKI_TAG_PREFIX + PROBLEM_KIND])),
                    mtime=mtimes[path],
                )
            )
    return notes
