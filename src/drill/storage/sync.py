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
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drill.model import Card, Problem
from drill.storage.records import iso

if TYPE_CHECKING:
    from drill.storage.store import Store


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # of the files skipped
    files_read: int = 0
    files_skipped: int = 0  # unchanged, not parsed


@dataclass
class _Read:
    """One changed file, parsed."""

    key: str  # its resolved path, the `files` table's key
    stat: os.stat_result
    digest: str
    deck: str | None
    options: str | None
    renamed: dict[str, str]
    cards: list[Card]
    problems: list[Problem]


def sync_files(store: Store, files: list[Path], now: datetime, *, prune: bool = True) -> SyncReport:
    """Bring the cards table in line with `files`; see the module docstring.

    `prune=False` syncs just the files given (e.g. `drill build one.yaml`): files known from
    earlier syncs but not given are left as they are instead of being orphaned."""
    changed, touched, removed, skipped = _scan(store, files, prune)
    if not changed and not removed and not touched:
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
    # Two batches with one set of columns each: a batch with mixed columns would write NULL
    # into the columns some rows lack.
    new_rows: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    arriving: set[str] = set()
    for read in accepted:
        for ordinal, card in enumerate(read.cards):
            arriving.add(card.id)
            old = existing.get(card.id)
            row = _content_row(card, read.key, ordinal)
            if old is None:
                row.update(first_seen=stamp, content_changed=stamp)
                report.added.append(card.id)
                new_rows.append(row)
                continue
            row["content_changed"] = old["content_changed"]
            if old["content_hash"] != card.content_hash:
                row["content_changed"] = stamp
                report.changed.append(card.id)
            if old["orphaned"]:
                report.restored.append(card.id)
            rows.append(row)
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
    for batch, statement in ((new_rows, _insert_sql), (rows, _update_sql)):
        if batch:
            sql, columns = statement(batch[0])
            conn.executemany(sql, [[row[c] for c in columns] for row in batch])
    conn.executemany("UPDATE cards SET orphaned = 1 WHERE id = ?", [(i,) for i in leaving])
    conn.executemany("DELETE FROM files WHERE path = ?", [(k,) for k in removed])
    conn.executemany(
        "INSERT OR REPLACE INTO files (path, size, mtime_ns, sha1, deck, options) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (r.key, r.stat.st_size, r.stat.st_mtime_ns, r.digest, r.deck, r.options)
            for r in accepted
        ],
    )
    for read in accepted:
        if read.renamed:
            report.renamed.extend(store.rename_where_possible(read.renamed))


def _insert_sql(row: dict[str, Any]) -> tuple[str, list[str]]:
    columns = list(row)
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO cards ({', '.join(columns)}) VALUES ({marks})", columns


def _update_sql(row: dict[str, Any]) -> tuple[str, list[str]]:
    columns = [c for c in row if c != "id"]
    assignments = ", ".join(f"{c} = ?" for c in columns)
    return f"UPDATE cards SET {assignments} WHERE id = ?", [*columns, "id"]


@functools.lru_cache(maxsize=1024)
def _tags_json(tags: tuple[str, ...]) -> str:
    return json.dumps(list(tags), ensure_ascii=False)  # a few tag sets serve many cards


def _content_row(card: Card, path_key: str, ordinal: int) -> dict[str, Any]:
    return {
        "id": card.id,
        "note_id": card.note_id,
        "deck": card.deck,
        "kind": card.kind,
        "front": card.front,
        "back": card.back,
        "answer": card.answer_text,
        "tolerance": card.tolerance,
        "extra": card.extra,
        "tags": _tags_json(card.tags),
        "source": card.source,
        "as_of": card.as_of,
        "path": path_key,
        "line": card.location.line,
        "position": card.order,
        "ordinal": ordinal,
        "content_hash": card.content_hash,
        "yaml_suspended": int(card.suspended),
        "orphaned": 0,
    }
