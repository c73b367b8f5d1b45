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
from typing import Any

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


class _Matcher:
    """Anki notes to drill notes: by GUID, or by the id an import from Anki made of it."""

    def __init__(self, notes: Iterable[Any]) -> None:
        from drill.anki.notetypes import note_guid

        self.by_guid: dict[str, Any] = {}
        self.by_id: dict[str, Any] = {}
        for note in notes:
            self.by_guid[note.guid or note_guid(note.id)] = note
            self.by_id[note.id] = note

    def note(self, guid: str) -> Any | None:
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


def plan(ws: Workspace, anki: Any, now: datetime, *, shared: bool) -> Plan:
    """Every drill card's merge with an open Anki collection (drill.anki.reader.AnkiFile).
    `shared`: whether Anki will hold the merged states too (a sync), or not (a pull)."""
    from drill.anki import history

    result = Plan()
    report = result.report
    matcher = _Matcher(ws.collection().notes)
    notes: dict[int, tuple[Any, bool]] = {}  # Anki note id -> (drill note, leech)
    for anki_note in anki.notes():
        note = matcher.note(anki_note.guid)
        if note is None:
            report.other_notes += 1
            continue
        report.notes += 1
        tags = anki_note.tags.split()
        notes[anki_note.id] = (note, history.LEECH_TAG in tags)
    revlog: dict[int, list[Any]] = {}
    for row in anki.revlog():
        revlog.setdefault(row.card_id, []).append(row)
    days = history.DayMap.at(
        history.AnkiClock(anki.created, anki.rollover, anki.creation_offset), now, ws.config
    )
    store = ws.store
    for card in anki.cards():
        found = notes.get(card.note_id)
        if found is None:
            continue
        note, leech = found
        card_id = card_id_for(note, card.ord)
        record = store.card(card_id) if card_id else None
        if card_id is None or record is None or record.orphaned:
            continue
        report.cards += 1
        result.cards[card.id] = card_id
        rows = revlog.get(card.id, [])
        report.manual += sum(1 for r in rows if r.type in history.MANUAL_TYPES or r.ease == 0)
        options = ws.options_for(record.deck)
        anki_side = history.card_state(card, rows, days, options.scheduler, leech)
        report.reviews_in_file += len(anki_side.rows)
        if not anki_side.rows:
            continue
        merge = history.merge_card(
            card_id, drill_side(store, record), anki_side, options, shared=shared
        )
        if merge is not None:
            result.merges.append(merge)
    return result


def drill_side(store: Any, record: Any) -> Any:
    """A drill card (a CardRecord) and its review log, as the merge reads them."""
    from drill.anki import history

    common = record.anki_common
    log = [
        history.Logged(r.id, r.reviewed_at, r.rating, r.kind, r.anki_id, r.answer_ms)
        for r in store.history(record.id)
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
