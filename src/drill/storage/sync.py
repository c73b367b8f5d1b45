"""Bringing the store in line with the deck files: the YAML says what the cards are, the
store keeps where each is in its schedule.

Unchanged files (same size and mtime, or same content hash) are not parsed. New ids become
new cards; edited text keeps the card's history (only `content_hash` and `content_changed`
change); cards whose id left the YAML are marked orphaned, hidden, and come back with their
history when the id returns; a file's `renamed:` moves history to a card's new id.

A file with a problem (broken YAML, a bad field, an id used elsewhere) is skipped as a whole,
as Anki skips a deck it cannot read: its cards keep their last good state, its problems are
reported, and it is read again next time. Never half a file.
"""

from __future__ import annotations

import functools
import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from drill.model import Card, Problem
from drill.storage.records import CONTENT_COLUMNS, iso

if TYPE_CHECKING:
    from drill.storage.store import Store


class SyncReport:
    """What a sync did. (A plain class: every command syncs, `drill due` in shell prompts.)"""

    __slots__ = (
        "added",
        "changed",
        "orphaned",
        "restored",
        "renamed",
        "problems",
        "files_read",
        "files_skipped",
    )

    def __init__(self, files_skipped: int = 0) -> None:
        self.added: list[str] = []
        self.changed: list[str] = []
        self.orphaned: list[str] = []
        self.restored: list[str] = []
        self.renamed: list[tuple[str, str]] = []
        self.problems: list[Problem] = []  # of the files skipped
        self.files_read = 0
        self.files_skipped = files_skipped  # unchanged, not parsed

    def __repr__(self) -> str:
        return (
            f"SyncReport(added={len(self.added)}, changed={len(self.changed)}, "
            f"orphaned={len(self.orphaned)}, files_read={self.files_read})"
        )


class _Read(NamedTuple):
    """One changed file, parsed."""

    key: str  # its resolved path, the `files` table's key
    stat: os.stat_result
    digest: str
    deck: str | None
    options: str | None
    study_order: int
    renamed: dict[str, str]
    cards: list[Card]
    problems: list[Problem]


def sync_files(store: Store, files: list[Path], now: datetime, *, prune: bool = True) -> SyncReport:
    """Bring the cards table in line with `files`; see the module docstring.

    `prune=False` syncs just the files given (e.g. `drill build one.yaml`): files known from
    earlier syncs but not given are left as they are instead of being orphaned."""
    skipped = _unchanged(store, files, prune)
    if skipped is not None:
        return SyncReport(files_skipped=skipped)
    # Changes: look again under the write lock, so two drill processes starting at once do
    # not both insert the same new cards.
    with store.transaction():
        changed, touched, removed, skipped = _scan(store, files, prune)
        report = SyncReport(files_skipped=skipped)
        if changed or removed:
            _apply(
                store,
                report,
                [_read(key, path, data, digest, st) for key, path, data, digest, st in changed],
                removed,
                now,
            )
        store.conn.executemany(
            "UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?",
            [(st.st_size, st.st_mtime_ns, key) for key, st in touched],
        )
    return report


def _unchanged(store: Store, files: list[Path], prune: bool) -> int | None:
    """How many files there are when none changed since the last sync (same size and mtime,
    and no file gone), else None. Read-only and cheap: no file is opened."""
    known = {
        row[0]: (row[1], row[2])
        for row in store.conn.execute("SELECT path, size, mtime_ns FROM files")
    }
    seen = 0
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            continue
        if known.get(str(path.resolve())) != (stat.st_size, stat.st_mtime_ns):
            return None
        seen += 1
    return seen if not prune or seen == len(known) else None


def _scan(store: Store, files: list[Path], prune: bool) -> tuple[list, list, list, int]:
    """Which files changed since the last sync (by size and mtime, then content hash)."""
    known = {row["path"]: row for row in store.conn.execute("SELECT * FROM files")}
    current: set[str] = set()
    changed: list[tuple[str, Path, bytes, str, os.stat_result]] = []
    touched: list[tuple[str, os.stat_result]] = []
    skipped = 0
    for path in files:
        key = str(path.resolve())
        current.add(key)
        try:
            stat = path.stat()
        except OSError:
            continue  # gone since it was listed: read as a problem below, by the loader
        row = known.get(key)
        if row and row["size"] == stat.st_size and row["mtime_ns"] == stat.st_mtime_ns:
            skipped += 1
            continue
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        import hashlib  # only for a file whose size or mtime changed

        digest = hashlib.sha1(data).hexdigest()
        if row and row["sha1"] == digest:
            touched.append((key, stat))
            skipped += 1
            continue
        changed.append((key, path, data, digest, stat))
    removed = [key for key in known if key not in current] if prune else []
    return changed, touched, removed, skipped


def _read(key: str, path: Path, data: bytes, digest: str, stat: os.stat_result) -> _Read:
    from drill.content import cards_for, read_deck_file

    deck_file = read_deck_file(path, data)
    cards: list[Card] = []
    problems = list(deck_file.problems)
    seen: dict[str, str] = {}
    for item in deck_file.items():
        if item.id in seen:
            problems.append(
                Problem(
                    deck_file.display,
                    item.location.line,
                    f"duplicate id '{item.id}' (also at {seen[item.id]})",
                )
            )
            continue
        seen[item.id] = str(item.location)
        cards.extend(cards_for(item))
    return _Read(
        key,
        stat,
        digest,
        deck_file.deck,
        json.dumps(deck_file.options) if deck_file.options else None,
        deck_file.study_order,
        deck_file.renamed,
        cards,
        problems,
    )


def _live_notes(store: Store) -> dict[str, dict[str, tuple[str, int]]]:
    """Per file key, the note ids of its live cards and where each is."""
    found: dict[str, dict[str, tuple[str, int]]] = {}
    for row in store.conn.execute("SELECT note_id, path, line FROM cards WHERE orphaned = 0"):
        found.setdefault(row["path"], {}).setdefault(row["note_id"], (row["path"], row["line"]))
    return found


def _accept(
    store: Store, reads: list[_Read], removed: list[str]
) -> tuple[list[_Read], list[Problem]]:
    """The files that can be written: no problem of their own, and no note id that a card
    elsewhere still holds (a file not re-read, a file skipped, or a file accepted before
    it in path order). A skipped file's cards stay as they were, so they keep their ids."""
    from drill.paths import display_path

    live = _live_notes(store)
    rescanned = {r.key for r in reads} | set(removed)
    bad = {r.key for r in reads if r.problems}
    problems = [p for r in reads if r.problems for p in r.problems]
    while True:
        claims: dict[str, tuple[str, int]] = {}
        for key, notes in live.items():
            if key not in rescanned or key in bad:
                for note_id, where in notes.items():
                    claims.setdefault(note_id, where)
        newly_bad = []
        for read in reads:
            if read.key in bad:
                continue
            clash = None
            for card in read.cards:
                other = claims.get(card.note_id)
                if other is not None and card.id == _first_card_id(read.cards, card.note_id):
                    also = f"{display_path(Path(other[0]))}:{other[1]}"
                    clash = Problem(
                        card.location.path,
                        card.location.line,
                        f"duplicate id '{card.note_id}' (also at {also})",
                    )
                    break
            if clash is not None:
                newly_bad.append((read, clash))
                continue
            for card in read.cards:
                claims.setdefault(card.note_id, (read.key, card.location.line))
        if not newly_bad:
            break
        for read, clash in newly_bad:
            bad.add(read.key)
            problems.append(clash)
    return [r for r in reads if r.key not in bad], problems


def _first_card_id(cards: list[Card], note_id: str) -> str:
    return next(c.id for c in cards if c.note_id == note_id)


def _apply(
    store: Store, report: SyncReport, reads: list[_Read], removed: list[str], now: datetime
) -> None:
    """Write the accepted files' cards, orphan what left them; inside the caller's
    transaction."""
    report.files_read = len(reads)
    accepted, report.problems = _accept(store, reads, removed)
    stamp = iso(now)
    existing = {
        row["id"]: row
        for row in store.conn.execute(
            "SELECT id, content_hash, content_changed, orphaned, path FROM cards"
        )
    }
    # New cards and known ones, as rows of _CONTENT plus the dates: tuples, not dicts (a
    # cold sync writes ten thousand of them).
    new_rows: list[tuple[Any, ...]] = []
    rows: list[tuple[Any, ...]] = []
    arriving: set[str] = set()
    for read in accepted:
        key = read.key
        for ordinal, card in enumerate(read.cards):
            arriving.add(card.id)
            old = existing.get(card.id)
            row = _content_row(card, key, ordinal)
            if old is None:
                report.added.append(card.id)
                new_rows.append((*row, stamp, stamp))
                continue
            changed = old["content_changed"]
            if old["content_hash"] != card.content_hash:
                changed = stamp
                report.changed.append(card.id)
            if old["orphaned"]:
                report.restored.append(card.id)
            rows.append((*row[1:], changed, card.id))
    written = {r.key for r in accepted} | set(removed)
    leaving = [
        card_id
        for card_id, row in existing.items()
        if row["path"] in written and card_id not in arriving and not row["orphaned"]
    ]
    report.orphaned.extend(leaving)
    # Plain executemany: sqlite-utils' insert_all checks every value of every row
    # (jsonify_if_needed), which was a quarter of a cold sync of 10,000 cards.
    conn = store.conn
    if new_rows:
        conn.executemany(_INSERT, new_rows)
    if rows:
        conn.executemany(_UPDATE, rows)
    conn.executemany("UPDATE cards SET orphaned = 1 WHERE id = ?", [(i,) for i in leaving])
    conn.executemany("DELETE FROM files WHERE path = ?", [(k,) for k in removed])
    conn.executemany(
        "INSERT OR REPLACE INTO files (path, size, mtime_ns, sha1, deck, options, study_order) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (r.key, r.stat.st_size, r.stat.st_mtime_ns, r.digest, r.deck, r.options, r.study_order)
            for r in accepted
        ],
    )
    for read in accepted:
        if read.renamed:
            report.renamed.extend(store.rename_where_possible(read.renamed))


_CONTENT = CONTENT_COLUMNS
_INSERT = (
    f"INSERT INTO cards ({', '.join(_CONTENT)}, first_seen, content_changed) "
    f"VALUES ({', '.join('?' * (len(_CONTENT) + 2))})"
)
_UPDATE = (
    f"UPDATE cards SET {', '.join(f'{c} = ?' for c in _CONTENT[1:])}, content_changed = ? "
    "WHERE id = ?"
)


@functools.lru_cache(maxsize=1024)
def _tags_json(tags: tuple[str, ...]) -> str:
    return json.dumps(list(tags), ensure_ascii=False)  # a few tag sets serve many cards


def _content_row(card: Card, path_key: str, ordinal: int) -> tuple[Any, ...]:
    """A card's `_CONTENT` columns, in that order."""
    return (
        card.id,
        card.note_id,
        card.deck,
        card.kind,
        card.front,
        card.back,
        card.answer_text,
        card.tolerance,
        card.extra,
        _tags_json(card.tags),
        card.source,
        card.as_of,
        path_key,
        card.location.line,
        card.order,
        ordinal,
        card.content_hash,
        int(card.suspended),
        0,
    )
