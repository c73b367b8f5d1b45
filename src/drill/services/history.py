"""`drill pull FILE`: reviews done in Anki brought into drill's review log, from a `.colpkg`,
a bare collection (`collection.anki2`, `.anki21b`) or an `.apkg` exported with scheduling.

Anki's notes are matched to drill's by GUID (a drill note's is made from its id, or is the
`guid:` a note that came from Anki carries), and each Anki card to the drill card of its
template (drill.anki.notetypes). Each card's two histories are merged (drill.anki.history):
Anki's answers come in once (matched by revlog id), the card's state follows the newer side,
and a card answered on both sides is replayed through its scheduler. Everything is written
in one transaction, so a pull is done whole or not at all, and a second pull of the same file
changes nothing. Works without the `anki` package: the file is read with sqlite3 (and
zstandard for a current Anki's compressed collection).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from drill.services.errors import DrillError
from drill.services.settings import Settings
from drill.services.workspace import Workspace, open_workspace


@dataclass
class PullReport:
    """What a pull (or the reviews-in half of a sync) did."""

    path: Path | None = None
    notes: int = 0  # Anki notes that are drill's
    other_notes: int = 0  # Anki notes drill has no note for (left alone)
    cards: int = 0  # Anki cards matched to drill cards
    reviews_in_file: int = 0  # answers of those cards in the file
    received: int = 0  # answers new to drill, now in its log
    matched: int = 0  # drill reviews found in Anki (they keep their place, now with an id)
    updated: int = 0  # cards whose state changed
    replayed: list[str] = field(default_factory=list)  # cards answered on both sides
    manual: int = 0  # manual rows left out (set due date, forget, reschedule)

    @property
    def changed(self) -> bool:
        return bool(self.received or self.matched or self.updated)


# --------------------------------------------------------------------------- matching


def card_id_for(note: Any, ordinal: int) -> str | None:
    """The drill card id of an Anki card of a drill note (drill.model.Note), by its template
    ordinal, as `drill build` writes them (None: a card drill has no card for)."""
    from drill.anki.package import drill_suffix

    try:
        suffix = drill_suffix(note.kind, ordinal)
    except (IndexError, KeyError):
        return None
    if suffix is None:
        return None
    return f"{note.id}/{suffix}" if suffix else note.id


class NoteRef(NamedTuple):
    """What matching needs of a drill note: its id and kind (its cards' ids)."""

    id: str
    kind: str


def guid_map(notes: Iterable[Any]) -> dict[str, NoteRef]:
    """drill's notes (drill.model.Note) by the GUID Anki knows them by: the one a note
    carries (`guid:`), else the one made from its id."""
    from drill.anki.notetypes import note_guid

    return {note.guid or note_guid(note.id): NoteRef(note.id, note.kind) for note in notes}


class _Matcher:
    """Anki notes to drill notes: by GUID, or by the id an import from Anki made of it."""

    def __init__(self, by_guid: dict[str, NoteRef]) -> None:
        self.by_guid = by_guid
        self.by_id = {note.id: note for note in by_guid.values()}

    def note(self, guid: str) -> NoteRef | None:
        found = self.by_guid.get(guid)
        if found is not None:
            return found
        from drill.importers.common import anki_id

        return self.by_id.get(anki_id(guid))


# --------------------------------------------------------------------------- merging


@dataclass
class Plan:
    """The merges of one Anki collection with the store, not yet written."""

    merges: list[Any] = field(default_factory=list)  # drill.anki.history.CardMerge
    cards: dict[int, str] = field(default_factory=dict)  # Anki card id -> drill card id
    report: PullReport = field(default_factory=PullReport)
    days: Any = None  # drill.anki.history.DayMap: the collection's day numbers, now
    decks: dict[str, str] = field(default_factory=dict)  # drill's live cards: id -> deck


def plan(
    ws: Workspace,
    anki: Any,
    now: datetime,
    *,
    shared: bool,
    notes: dict[str, NoteRef] | None = None,
) -> Plan:
    """Every drill card's merge with an open Anki collection (drill.anki.reader.AnkiFile, or
    a mirror's Snapshot). `shared`: whether Anki will hold the merged states too (a sync),
    or not (a pull). `notes`: drill's notes by GUID (default: from the deck files)."""
    from drill.anki import history

    result = Plan()
    report = result.report
    matcher = _Matcher(notes if notes is not None else guid_map(ws.collection().notes))
    found_notes: dict[int, tuple[NoteRef, bool]] = {}  # Anki note id -> (drill note, leech)
    for anki_note in anki.notes():
        note = matcher.note(anki_note.guid)
        if note is None:
            report.other_notes += 1
            continue
        report.notes += 1
        found_notes[anki_note.id] = (note, history.LEECH_TAG in anki_note.tags.split())
    revlog: dict[int, list[Any]] = {}
    for row in anki.revlog():
        revlog.setdefault(row.card_id, []).append(row)
    days = result.days = history.DayMap.at(
        history.AnkiClock(anki.created, anki.rollover, anki.creation_offset), now, ws.config
    )
    store = ws.store
    decks = result.decks = store.live_decks()
    for cid, nid, ordinal in anki.card_keys():
        found = found_notes.get(nid)
        card_id = card_id_for(found[0], ordinal) if found is not None else None
        if card_id is not None and card_id in decks:
            result.cards[cid] = card_id
    report.cards = len(result.cards)
    known = store.anki_ids()
    todo: list[tuple[str, Any, list[Any], bool]] = []  # cards Anki has answers of, new to drill
    for card in anki.cards():
        card_id = result.cards.get(card.id)
        if card_id is None:
            continue
        rows = revlog.get(card.id, [])
        report.manual += sum(1 for r in rows if r.type in history.MANUAL_TYPES or r.ease == 0)
        answers = [r.id for r in rows if r.type in history.ANSWER_TYPES and 1 <= r.ease <= 4]
        report.reviews_in_file += len(answers)
        if not all(anki_id in known for anki_id in answers):  # the usual case: all known
            todo.append((card_id, card, rows, found_notes[card.note_id][1]))
    records = store.cards_by_id(card_id for card_id, *_ in todo)
    logs: dict[str, list[Any]] = {card_id: [] for card_id, *_ in todo}
    if todo:
        for review in store.reviews(card_ids=list(logs)):
            logs[review.card_id].append(review)
    for card_id, card, rows, leech in todo:
        record = records[card_id]
        options = ws.options_for(record.deck)
        anki_side = history.card_state(card, rows, days, options.scheduler, leech)
        merge = history.merge_card(
            card_id, drill_side(record, logs[card_id]), anki_side, options, shared=shared
        )
        if merge is not None:
            result.merges.append(merge)
    return result


def drill_side(record: Any, reviews: Iterable[Any]) -> Any:
    """A drill card (a CardRecord) and its review log (ReviewRecords, in answer order), as
    the merge reads them."""
    from drill.anki import history

    common = record.anki_common
    log = [
        history.Logged(r.id, r.reviewed_at, r.rating, r.kind, r.anki_id, r.answer_ms)
        for r in reviews
    ]
    return history.DrillSide(
        record.state,
        record.suspended,
        record.leech,
        history.Common(*common) if common is not None else None,
        log,
    )


def apply(ws: Workspace, result: Plan, **extra: Any) -> PullReport:
    """Write a plan in one transaction; the report says what it did."""
    from drill.storage import StaleStateError

    try:
        applied = ws.store.apply_anki(result.merges, **extra)
    except StaleStateError:
        raise DrillError(
            "a card was answered in drill while Anki's reviews were being merged; run again"
        ) from None
    report = result.report
    report.received, report.matched, report.updated = (
        applied.received,
        applied.matched,
        applied.cards,
    )
    report.replayed = [m.card_id for m in result.merges if m.replayed]
    return report


# --------------------------------------------------------------------------- pull


def pull_file(settings: Settings, path: Path, *, now: datetime | None = None) -> PullReport:
    """Merge the review history in an Anki file into drill's (see the module docstring)."""
    from drill.anki.reader import AnkiFileError, open_anki
    from drill.paths import display_path

    if now is None:
        from drill.clock import now as clock_now

        now = clock_now()
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DrillError(f"cannot read {display_path(path)}: {err.strerror or err}") from None
    with open_workspace(settings, now) as ws:
        try:
            with open_anki(path, data) as anki:
                result = plan(ws, anki, now, shared=False)
        except AnkiFileError as err:
            raise DrillError(f"{display_path(path)}: {err}") from None
        report = apply(ws, result)
    report.path = path
    return report
