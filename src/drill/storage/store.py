"""The store: one SQLite file holding every card's scheduling state and every review.

A repository with one method per query, returning records (drill.storage.records), never
rows; the only package that speaks SQL. The YAML decks say what the cards are; the store says
where each card is in its schedule and keeps the review log, which nothing ever deletes
(except `undo` of the answer just given). Tables are documented in the README, for people who
open the file in Datasette or sqlite3.

Durability: WAL mode, `synchronous=FULL`, and one `BEGIN IMMEDIATE` transaction per answer,
committed before the next card is shown. Writers wait (busy timeout) instead of failing with
"database is locked"; taking the write lock up front avoids the deadlock where two readers
both try to upgrade.

Start-up cost matters (`drill due` runs in shell prompts): the common paths use the standard
library's sqlite3; sqlite-utils is imported only to create and migrate.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from drill.scheduler import CardState
from drill.storage.migrations import CURRENT_SCHEMA, MIGRATIONS, REBUILDS, SCHEMA_VERSION
from drill.storage.records import (
    CONTENT_COLUMNS,
    CardRecord,
    ReviewRecord,
    common_json,
    comparable,
    from_iso,
    iso,
    state_columns,
    state_dict,
    state_from_dict,
    state_of,
)


class StoreError(Exception):
    """A problem with the database file itself (too new, unreadable, locked for too long)."""


class StaleStateError(StoreError):
    """The card was answered elsewhere (another drill process) since it was shown."""


def review_kind(before: CardState, cram: bool = False) -> str:
    """Anki's revlog types: learn (new or learning), review, relearn; cram for filtered study."""
    if cram:
        return "cram"
    return {"new": "learn", "learning": "learn", "review": "review", "relearning": "relearn"}[
        before.phase
    ]


class Flags(NamedTuple):
    """A card's own flags, as `s` and `b` change them (and undo puts them back)."""

    suspended: bool
    buried_until: datetime | None


# Content columns a rename keeps from the new id's row (the YAML's current text and place).
_CONTENT_KEYS = (*CONTENT_COLUMNS[2:], "content_changed")
_LIVE = "orphaned = 0 AND suspended = 0 AND yaml_suspended = 0"
_STUDY_ORDER = "coalesce(files.study_order, 100), cards.path, cards.position, cards.ordinal"


class Store:
    """An open drill database. Use as a context manager, or call close()."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            self._functions = False  # SQL functions registered on this connection
            self._use_wal()
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: not a usable drill database ({err})") from None
        except OSError as err:
            raise StoreError(f"{self.path}: cannot open ({err.strerror or err})") from None

    def _use_wal(self, attempts: int = 200) -> None:
        """Switch to WAL. On a brand-new file another process may hold the lock while it
        does the same, and this pragma fails at once instead of waiting: so wait here."""
        import time

        for attempt in range(attempts):
            try:
                self.conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or attempt == attempts - 1:
                    raise
                time.sleep(0.05)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; the write lock is taken at once (BEGIN IMMEDIATE)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @property
    def version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.version
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer drill (schema {version}, this drill knows "
                f"up to {SCHEMA_VERSION}); upgrade drill"
            )
        if version == 0 and CURRENT_SCHEMA:
            with self.transaction():
                if self.version == 0:  # another process may have made it meanwhile
                    for statement in CURRENT_SCHEMA:
                        self.conn.execute(statement)
                    self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
        self.backup(self.path.with_name(f"{self.path.name}.backup-v{version}"))
        import sqlite_utils

        db = sqlite_utils.Database(self.conn, execute_plugins=False)
        # Table rebuilds need foreign keys off, which cannot change inside a transaction.
        self.conn.execute("PRAGMA foreign_keys=OFF")
        try:
            with self.transaction():
                # Re-read inside the lock: another process may have migrated meanwhile.
                for number in range(self.version, SCHEMA_VERSION):
                    MIGRATIONS[number](db)
                    self.conn.execute(f"PRAGMA user_version = {number + 1}")
                    if number in REBUILDS:
                        broken = self.conn.execute("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise StoreError(f"{self.path}: migration {number + 1} broke links")
        finally:
            self.conn.execute("PRAGMA foreign_keys=ON")

    def backup(self, target: Path) -> Path:
        """A consistent copy of the database (SQLite's online backup), e.g. before a migration."""
        if target.exists():
            import shutil

            shutil.copy2(target, target.with_name(target.name + ".old"))
        dest = sqlite3.connect(target)
        try:
            self.conn.backup(dest)
        finally:
            dest.close()
        return target

    # ----------------------------------------------------------------------- cards

    def card(self, card_id: str) -> CardRecord | None:
        row = self.conn.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone()
        return CardRecord(row) if row is not None else None

    def state(self, card_id: str) -> CardState:
        """The scheduler state of a card; KeyError when there is no such card."""
        card = self.card(card_id)
        if card is None:
            raise KeyError(card_id)
        return card.state

    def cards(
        self, now: datetime | None = None, *, include_suspended: bool = False
    ) -> list[CardRecord]:
        """Live cards (not orphaned), in study order (the files' `order:`, then path, then
        place in the file); unless `include_suspended`, suspended cards and cards buried at
        `now` are left out."""
        sql = "SELECT cards.* FROM cards LEFT JOIN files USING (path) WHERE orphaned = 0"
        params: list[Any] = []
        if not include_suspended:
            sql += f" AND {_LIVE} AND (buried_until IS NULL OR buried_until <= ?)"
            params.append(iso(now))
        sql += f" ORDER BY {_STUDY_ORDER}"
        return [CardRecord(row) for row in self.conn.execute(sql, params)]

    def cards_of_note(self, note_id: str) -> list[CardRecord]:
        rows = self.conn.execute(
            "SELECT * FROM cards WHERE note_id = ? AND orphaned = 0 ORDER BY ordinal", (note_id,)
        )
        return [CardRecord(row) for row in rows]

    def decks(self) -> list[str]:
        """Every deck with live cards, in study order (the order new cards come in)."""
        rows = self.conn.execute(
            "SELECT cards.deck FROM cards LEFT JOIN files USING (path) WHERE orphaned = 0 "
            "GROUP BY cards.deck ORDER BY min(coalesce(study_order, 100)), min(path)"
        )
        return [row[0] for row in rows]

    def deck_options(self) -> dict[str, dict[str, Any]]:
        """Per deck name, the `options:` of its deck file(s)."""
        found: dict[str, dict[str, Any]] = {}
        for row in self.conn.execute(
            "SELECT deck, options FROM files WHERE options IS NOT NULL ORDER BY path"
        ):
            found.setdefault(row["deck"], {}).update(json.loads(row["options"]))
        return found

    def due_counts(
        self, now: datetime, tomorrow: datetime, horizon: datetime
    ) -> dict[str, tuple[int, int, int]]:
        """Per deck, before daily limits: new cards, intraday learning cards due by `horizon`,
        and reviews (and interday steps) due before `tomorrow`. One aggregate pass, so `drill
        due` stays quick on a large store; it counts what the study queue would hold."""
        rows = self.conn.execute(
            "SELECT deck, sum(phase = 'new') AS new, "
            "sum(phase IN ('learning', 'relearning') AND NOT interday AND due <= :horizon) "
            "AS learning, "
            "sum((phase = 'review' OR (phase IN ('learning', 'relearning') AND interday)) "
            "AND (due IS NULL OR due < :tomorrow)) AS review "
            f"FROM cards WHERE {_LIVE} "
            "AND (buried_until IS NULL OR buried_until <= :now) GROUP BY deck",
            {"now": iso(now), "tomorrow": iso(tomorrow), "horizon": iso(horizon)},
        )
        return {r["deck"]: (r["new"], r["learning"], r["review"]) for r in rows}

    def done_today(self, day_start: datetime) -> dict[str, tuple[int, int]]:
        """Per deck, new cards introduced and reviews done since `day_start` (cram excluded),
        so the daily limits hold across sessions."""
        rows = self.conn.execute(
            "SELECT c.deck AS deck, "
            "sum(r.phase_before = 'new') AS new, sum(r.review_kind = 'review') AS reviews "
            "FROM review_log r JOIN cards c ON c.id = r.card_id "
            "WHERE r.reviewed_at >= ? AND r.review_kind != 'cram' GROUP BY c.deck",
            (iso(day_start),),
        )
        return {row["deck"]: (row["new"] or 0, row["reviews"] or 0) for row in rows}

    def next_due(self, after: datetime) -> datetime | None:
        row = self.conn.execute(
            f"SELECT min(due) FROM cards WHERE {_LIVE} AND phase != 'new' AND due > ?",
            (iso(after),),
        ).fetchone()
        return from_iso(row[0]) if row and row[0] else None

    def note_changed_times(self) -> dict[str, datetime]:
        """Per note id, when any of its cards' content last changed (the Anki note mtime)."""
        rows = self.conn.execute(
            "SELECT note_id, max(content_changed) FROM cards GROUP BY note_id"
        ).fetchall()
        return {note_id: datetime.fromisoformat(stamp) for note_id, stamp in rows if stamp}

    def rename_hints(self) -> list[tuple[str, str]]:
        """(old id, new id) where an orphaned card with reviews has the same content as a
        live card with none: most likely an id changed in the YAML (`drill rename`)."""
        rows = self.conn.execute(
            "SELECT o.id, n.id FROM cards o JOIN cards n ON n.content_hash = o.content_hash "
            "WHERE o.orphaned = 1 AND n.orphaned = 0 AND o.id != n.id "
            "AND EXISTS (SELECT 1 FROM review_log WHERE card_id = o.id) "
            "AND NOT EXISTS (SELECT 1 FROM review_log WHERE card_id = n.id) ORDER BY o.id"
        )
        return [(row[0], row[1]) for row in rows]

    def reviewed_cards(self) -> list[tuple[str, str]]:
        """(card id, content hash) of every card with reviews."""
        rows = self.conn.execute(
            "SELECT id, content_hash FROM cards "
            "WHERE EXISTS (SELECT 1 FROM review_log WHERE card_id = cards.id) ORDER BY id"
        )
        return [(row[0], row[1]) for row in rows]

    # ----------------------------------------------------------------------- flags

    def flags(self, card_id: str) -> Flags:
        card = self.card(card_id)
        if card is None:
            raise KeyError(card_id)
        return Flags(card.suspended, card.buried_until)

    def set_flags(self, card_ids: Iterable[str], **flags: Any) -> int:
        """Set `suspended`, `buried_until` or `leech` on cards; returns how many changed."""
        allowed = {"suspended", "buried_until", "leech"}
        if not flags or set(flags) - allowed:
            raise ValueError(f"flags must be among {sorted(allowed)}")
        assignments = ", ".join(f"{name} = ?" for name in flags)
        values = [
            iso(v) if isinstance(v, datetime) else int(v) if isinstance(v, bool) else v
            for v in flags.values()
        ]
        with self.transaction():
            return sum(
                self.conn.execute(
                    f"UPDATE cards SET {assignments} WHERE id = ?", [*values, card_id]
                ).rowcount
                for card_id in card_ids
            )

    # ----------------------------------------------------------------------- answers

    def record_answer(
        self,
        card_id: str,
        before: CardState,
        after: CardState,
        rating: int,
        now: datetime,
        *,
        answer_ms: int = 0,
        typed_answer: str | None = None,
        grade: str | None = None,
        cram: bool = False,
    ) -> int:
        """Write the new state and its review-log row in one committed transaction.

        `before` is the state the answer was computed from; if the card changed since (another
        drill process answered it), StaleStateError is raised and nothing is written. A cram
        answer is logged but leaves the schedule alone. Returns the review-log id (for undo).
        """
        with self.transaction():
            row = self.conn.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone()
            if row is None:
                raise KeyError(card_id)
            if state_of(row) != comparable(before):
                raise StaleStateError(f"card {card_id} was answered elsewhere meanwhile")
            snapshot = {
                **state_dict(before),
                "suspended_flag": row["suspended"],
                "leech_flag": row["leech"],
            }
            if not cram:
                values = state_columns(after)
                if after.leech:
                    values["leech"] = 1
                if after.suspended:
                    values["suspended"] = 1
                self._update(card_id, values)
            cursor = self.conn.execute(
                "INSERT INTO review_log (card_id, reviewed_at, rating, review_kind, "
                "phase_before, phase_after, interval_before, interval_after, ease_before, "
                "ease_after, due_after, answer_ms, typed_answer, grade, state_before) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    card_id,
                    iso(now),
                    int(rating),
                    review_kind(before, cram),
                    before.phase,
                    after.phase,
                    before.interval_days,
                    after.interval_days,
                    before.ease,
                    after.ease,
                    iso(after.due),
                    max(int(answer_ms), 0),
                    typed_answer,
                    grade,
                    json.dumps(snapshot),
                ),
            )
            return int(cursor.lastrowid or 0)

    def _update(self, card_id: str, values: dict[str, Any]) -> None:
        assignments = ", ".join(f"{name} = ?" for name in values)
        self.conn.execute(
            f"UPDATE cards SET {assignments} WHERE id = ?", [*values.values(), card_id]
        )

    def undo(self, review_id: int) -> str:
        """Take back one answer: the card's state and flags are restored exactly and the
        review-log row is deleted. Returns the card id."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT card_id, state_before FROM review_log WHERE id = ?", (review_id,)
            ).fetchone()
            if row is None:
                raise KeyError(review_id)
            snapshot = json.loads(row["state_before"])
            flags = {
                "suspended": snapshot.pop("suspended_flag"),
                "leech": snapshot.pop("leech_flag"),
            }
            self._update(row["card_id"], {**state_columns(state_from_dict(snapshot)), **flags})
            self.conn.execute("DELETE FROM review_log WHERE id = ?", (review_id,))
            return str(row["card_id"])

    def reset(self, card_ids: Iterable[str]) -> int:
        """Forget cards' scheduling (they become new); their review history stays."""
        values = {**state_columns(CardState()), "leech": 0, "buried_until": None}
        assignments = ", ".join(f"{name} = ?" for name in values)
        with self.transaction():
            return sum(
                self.conn.execute(
                    f"UPDATE cards SET {assignments} WHERE id = ?", [*values.values(), card_id]
                ).rowcount
                for card_id in card_ids
            )

    def switch_states(self, changes: Iterable[tuple[str, CardState, CardState]]) -> int:
        """Replace cards' scheduling states, (card id, state before, state after) each, in one
        transaction, when a deck switches between SM-2 and FSRS. The review log is not
        touched. A card no longer in its `before` state (answered meanwhile in another drill
        process) is left alone. Returns how many cards changed."""
        changed = 0
        with self.transaction():
            for card_id, before, after in changes:
                row = self.conn.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone()
                if row is None or state_of(row) != comparable(before):
                    continue
                self._update(card_id, state_columns(after))
                changed += 1
        return changed

    def scheduler_counts(self) -> dict[str, dict[str, int]]:
        """Per deck, how many cards are on each scheduler ('sm2', 'fsrs'). New cards on SM-2
        are not counted: a new card has no state to convert, whatever its deck's scheduler."""
        rows = self.conn.execute(
            "SELECT deck, coalesce(scheduler, 'sm2') AS scheduler, count(*) AS n FROM cards "
            "WHERE scheduler IS NOT NULL OR phase != 'new' GROUP BY deck, scheduler"
        )
        found: dict[str, dict[str, int]] = {}
        for row in rows:
            found.setdefault(row["deck"], {})[row["scheduler"]] = row["n"]
        return found

    def cards_on(self, deck: str, scheduler: str) -> list[CardRecord]:
        """A deck's cards (orphaned ones included) on a scheduler; SM-2 ones not new."""
        where = (
            "scheduler = 'fsrs'" if scheduler == "fsrs" else "scheduler IS NULL AND phase != 'new'"
        )
        rows = self.conn.execute(
            f"SELECT * FROM cards WHERE deck = ? AND {where} ORDER BY id", (deck,)
        )
        return [CardRecord(row) for row in rows]

    # ----------------------------------------------------------------------- history

    def history(self, card_id: str) -> list[ReviewRecord]:
        rows = self.conn.execute(
            "SELECT * FROM review_log WHERE card_id = ? ORDER BY reviewed_at, id", (card_id,)
        )
        return [ReviewRecord(row) for row in rows]

    def reviews(
        self, decks: list[str] | None = None, card_ids: list[str] | None = None
    ) -> list[ReviewRecord]:
        """Review-log rows in the order they were answered: every card's, or those of some
        decks' cards, or of some cards."""
        sql = "SELECT r.* FROM review_log r JOIN cards c ON c.id = r.card_id WHERE 1"
        params: list[Any] = []
        if decks is not None:
            sql += " AND c.deck IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(decks))
        if card_ids is not None:
            sql += " AND r.card_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(card_ids))
        return [
            ReviewRecord(row)
            for row in self.conn.execute(sql + " ORDER BY r.reviewed_at, r.id", params)
        ]

    def reviews_per_period(
        self, since: datetime, deck: str | None = None, *, minutes: bool = False
    ) -> list[tuple[datetime, int]]:
        """Reviews (cram included) per UTC hour since `since`, or per minute with `minutes`:
        (the period's start, count). Counting by a text prefix is far cheaper than a date
        function on 100,000 rows; the caller puts each period on its scheduling day."""
        width = 16 if minutes else 13  # 'YYYY-MM-DDTHH:MM' or 'YYYY-MM-DDTHH'
        sql, params = self._log_filter(
            f"SELECT substr(reviewed_at, 1, {width}) AS period, count(*) AS n FROM review_log "
            "WHERE reviewed_at >= ?",
            [iso(since)],
            deck,
        )
        pad = "" if minutes else ":00"
        return [
            (datetime.fromisoformat(row["period"] + pad + "+00:00"), row["n"])
            for row in self.conn.execute(sql + " GROUP BY period", params)
        ]

    def retention(self, since: datetime, deck: str | None = None) -> dict[str, tuple[int, int]]:
        """True retention of reviews (not learning) since `since`: for young (interval < 21 d)
        and mature cards, (passed, total)."""
        sql, params = self._log_filter(
            "SELECT interval_before >= 21 AS mature, sum(rating > 1) AS passed, "
            "count(*) AS total FROM review_log WHERE review_kind = 'review' "
            "AND reviewed_at >= ?",
            [iso(since)],
            deck,
        )
        out = {"young": (0, 0), "mature": (0, 0)}
        for row in self.conn.execute(sql + " GROUP BY mature", params):
            out["mature" if row["mature"] else "young"] = (row["passed"], row["total"])
        return out

    def _log_filter(self, sql: str, params: list[Any], deck: str | None) -> tuple[str, list[Any]]:
        """Review-log rows of the cards of a deck and its children."""
        if deck is None:
            return sql, params
        where, deck_params = self._deck_filter(deck)
        return f"{sql} AND card_id IN (SELECT id FROM cards WHERE {where})", [
            *params,
            *deck_params,
        ]

    # ----------------------------------------------------------------------- stats

    def _deck_filter(self, deck: str | None, column: str = "deck") -> tuple[str, list[Any]]:
        """A WHERE condition for a deck and its children (case aside, as in Anki)."""
        if deck is None:
            return "1", []
        if not self._functions:
            from drill.model import deck_matches

            self.conn.create_function("deck_matches", 2, deck_matches, deterministic=True)
            self._functions = True
        return f"deck_matches({column}, ?)", [deck]

    def phase_counts(self, deck: str | None = None) -> dict[str, int]:
        """Live cards per phase; suspended ones (by drill or the YAML) as 'suspended'."""
        where, params = self._deck_filter(deck)
        rows = self.conn.execute(
            "SELECT CASE WHEN suspended OR yaml_suspended THEN 'suspended' ELSE phase END, "
            f"count(*) FROM cards WHERE orphaned = 0 AND {where} GROUP BY 1",
            params,
        )
        return {row[0]: row[1] for row in rows}

    def eases(self, deck: str | None = None) -> list[float]:
        """The ease of every scheduled review or relearning card."""
        where, params = self._deck_filter(deck)
        rows = self.conn.execute(
            "SELECT ease FROM cards WHERE orphaned = 0 AND suspended = 0 AND due IS NOT NULL "
            f"AND phase IN ('review', 'relearning') AND {where}",
            params,
        )
        return [row[0] for row in rows]

    def due_per_hour(
        self, start: datetime, end: datetime, deck: str | None = None
    ) -> tuple[int, list[tuple[datetime, int]]]:
        """Scheduled cards due before `start` (overdue), and those due in [start, end) per
        UTC hour: (the hour, count). The caller puts each hour on its scheduling day."""
        where, params = self._deck_filter(deck)
        base = (
            "FROM cards WHERE orphaned = 0 AND suspended = 0 AND phase != 'new' "
            f"AND due IS NOT NULL AND {where}"
        )
        overdue = self.conn.execute(
            f"SELECT count(*) {base} AND due < ?", [*params, iso(start)]
        ).fetchone()[0]
        rows = self.conn.execute(
            f"SELECT substr(due, 1, 13), count(*) {base} AND due >= ? AND due < ? GROUP BY 1",
            [*params, iso(start), iso(end)],
        )
        return overdue, [(datetime.fromisoformat(r[0] + ":00+00:00"), r[1]) for r in rows]

    def problem_times(self, deck: str | None = None) -> list[tuple[str | None, int]]:
        """(family, answer_ms) of every timed answer to a problem card: the family from the
        card's `family::` tag (None without one)."""
        where, params = self._deck_filter(deck, "c.deck")
        rows = self.conn.execute(
            "SELECT (SELECT substr(value, 9) FROM json_each(c.tags) "
            "        WHERE substr(value, 1, 8) = 'family::' LIMIT 1), r.answer_ms "
            "FROM review_log r JOIN cards c ON c.id = r.card_id "
            f"WHERE c.kind = 'problem' AND r.answer_ms > 0 AND {where}",
            params,
        )
        return [(family, ms) for family, ms in rows]

    def leeches(self, deck: str | None = None) -> list[CardRecord]:
        where, params = self._deck_filter(deck)
        rows = self.conn.execute(
            f"SELECT * FROM cards WHERE orphaned = 0 AND leech = 1 AND {where} "
            "ORDER BY path, position, ordinal",
            params,
        )
        return [CardRecord(row) for row in rows]

    def fsrs_reviewing(self, deck: str | None = None) -> list[CardRecord]:
        """Cards on FSRS in review or relearning (for their predicted retrievability)."""
        where, params = self._deck_filter(deck)
        rows = self.conn.execute(
            "SELECT * FROM cards WHERE orphaned = 0 AND scheduler = 'fsrs' "
            f"AND phase IN ('review', 'relearning') AND {where}",
            params,
        )
        return [CardRecord(row) for row in rows]

    # ----------------------------------------------------------------------- renames

    def rename(self, old: str, new: str) -> list[tuple[str, str]]:
        """Move a note's (or a card's) history to a new id, after its id changed in YAML.

        Every card `old` or `old/...` takes the place of `new` or `new/...`. The old id must
        have left the YAML and the new one be in it (the store is synced first), and the new
        id's cards must not have been reviewed yet (they are replaced). Returns (old, new)
        pairs. KeyError when the store has no `old`; StoreError when it cannot be done."""
        with self.transaction():
            pairs = self._rename_pairs(old, new)
            for old_id, new_id in pairs:
                problem = self._rename_problem(old_id, new_id)
                if problem:
                    raise StoreError(problem)
            for old_id, new_id in pairs:
                self._move(old_id, new_id)
            return pairs

    def rename_where_possible(self, renamed: dict[str, str]) -> list[tuple[str, str]]:
        """A deck file's `renamed:` (old: new), applied card by card where it is a real
        rename (see `rename`); anything else is left as it is. Inside the caller's
        transaction (a sync). Returns the (old, new) card pairs moved."""
        moved = []
        for old, new in renamed.items():
            try:
                pairs = self._rename_pairs(old, new)
            except KeyError:  # a store that never had the old id: nothing to move
                continue
            for old_id, new_id in pairs:
                if self._rename_problem(old_id, new_id) is None:
                    self._move(old_id, new_id)
                    moved.append((old_id, new_id))
        return moved

    def _rename_pairs(self, old: str, new: str) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            "SELECT id FROM cards WHERE id = ? OR note_id = ?", (old, old)
        ).fetchall()
        if not rows:
            raise KeyError(old)
        return [(r["id"], new + r["id"][len(old) :]) for r in rows]

    def _rename_problem(self, old_id: str, new_id: str) -> str | None:
        source = self.conn.execute(
            "SELECT orphaned, path, line FROM cards WHERE id = ?", (old_id,)
        ).fetchone()
        if not source["orphaned"]:
            return (
                f"'{old_id}' is still in {source['path']}:{source['line']}; change the id in "
                "the YAML first, then rename"
            )
        target = self.conn.execute("SELECT orphaned FROM cards WHERE id = ?", (new_id,)).fetchone()
        if target is None or target["orphaned"]:
            return f"'{new_id}' is not in any deck file; put the new id in the YAML first"
        reviewed = self.conn.execute(
            "SELECT count(*) FROM review_log WHERE card_id = ?", (new_id,)
        ).fetchone()[0]
        if reviewed:
            return (
                f"'{new_id}' already has {reviewed} reviews; renaming onto it would mix two "
                "histories"
            )
        return None

    def _move(self, old_id: str, new_id: str) -> None:
        """The old card's state and history under the new id, with the new id's content.
        The review log follows through its foreign key (ON UPDATE CASCADE)."""
        target = self.conn.execute("SELECT * FROM cards WHERE id = ?", (new_id,)).fetchone()
        self.conn.execute("DELETE FROM cards WHERE id = ?", (new_id,))
        self.conn.execute(
            "UPDATE cards SET id = ?, note_id = ? WHERE id = ?",
            (new_id, new_id.split("/")[0], old_id),
        )
        if target is not None:
            self._update(new_id, {k: target[k] for k in _CONTENT_KEYS})

    # ----------------------------------------------------------------------- export

    def card_progress(self) -> dict[str, tuple[CardState, bool, bool]]:
        """Per live card id: (scheduler state, suspended flag, leech flag)."""
        return {
            card.id: (card.state, card.suspended, card.leech)
            for card in self.cards(include_suspended=True)
        }

    # ----------------------------------------------------------------------- deck sync

    def sync(self, files: Iterable[Path], now: datetime, *, prune: bool = True) -> Any:
        """Bring the cards table in line with the deck files (drill.storage.sync)."""
        from drill.storage.sync import sync_files

        return sync_files(self, list(files), now, prune=prune)

    # ----------------------------------------------------------------------- Anki history

    def apply_anki(
        self,
        merges: Iterable[Any],
        *,
        sent: Iterable[tuple[int, int]] = (),
        shared: Iterable[tuple[str, CardState]] = (),
    ) -> AnkiApplied:
        """Write what merges with Anki's history decided, in one transaction: each merge
        (drill.anki.history.CardMerge) brings in Anki's answers (never twice: `anki_id` is
        unique), gives drill reviews Anki had under its own id their id, rewrites replayed
        rows, and sets the card's state, flags and last common state. `sent`: (review id,
        anki id) of drill reviews now in Anki; `shared`: (card id, state) of cards whose
        state Anki now holds too. StaleStateError, and nothing written, when a card was
        answered in drill since the merge was computed."""
        applied = AnkiApplied()
        shared = list(shared)
        now_shared = {card_id for card_id, _ in shared}
        with self.transaction():
            merges = list(merges)
            rows = {
                row["id"]: row
                for row in self.conn.execute(
                    "SELECT * FROM cards WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps([m.card_id for m in merges]),),
                )
            }
            for merge in merges:
                row = rows.get(merge.card_id)
                if row is None:
                    raise KeyError(merge.card_id)
                if state_of(row) != comparable(merge.expected):
                    raise StaleStateError(f"card {merge.card_id} was answered meanwhile")
                for entry in merge.insert:
                    cursor = self.conn.execute(
                        _INSERT_LOGGED + " ON CONFLICT (anki_id) DO NOTHING",
                        (merge.card_id, *_logged_values(entry), "anki", entry.anki_id),
                    )
                    applied.received += cursor.rowcount
                for review_id, anki_id in merge.adopt:
                    applied.matched += self.conn.execute(
                        "UPDATE review_log SET anki_id = ? WHERE id = ? AND anki_id IS NULL",
                        (anki_id, review_id),
                    ).rowcount
                for review_id, entry in merge.rewrite:
                    self.conn.execute(
                        "UPDATE review_log SET review_kind = ?, phase_before = ?, "
                        "phase_after = ?, interval_before = ?, interval_after = ?, "
                        "ease_before = ?, ease_after = ?, due_after = ?, state_before = ? "
                        "WHERE id = ?",
                        (*_logged_values(entry, derived_only=True), review_id),
                    )
                values: dict[str, Any] = {}
                if merge.state is not None:
                    values.update(state_columns(merge.state))
                    applied.cards += 1
                if merge.suspended is not None:
                    values["suspended"] = int(merge.suspended)
                if merge.leech is not None:
                    values["leech"] = int(merge.leech)
                if merge.common is not None and merge.card_id not in now_shared:
                    values["anki_common"] = common_json(merge.common.state, merge.common.shared)
                if values:
                    self._update(merge.card_id, values)
                applied.replayed += bool(merge.replayed)
            for review_id, anki_id in sent:  # sent now (or sent again, under a new id)
                applied.sent += self.conn.execute(
                    "UPDATE review_log SET anki_id = ? WHERE id = ?", (anki_id, review_id)
                ).rowcount
            for card_id, state in shared:
                self._update(card_id, {"anki_common": common_json(state, True)})
        return applied

    def live_decks(self) -> dict[str, str]:
        """Every live card's deck, by card id (one cheap pass: no record is built)."""
        return dict(self.conn.execute("SELECT id, deck FROM cards WHERE orphaned = 0"))

    def cards_by_id(self, card_ids: Iterable[str]) -> dict[str, CardRecord]:
        """Some cards' records, by id (in one query)."""
        rows = self.conn.execute(
            "SELECT * FROM cards WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(card_ids)),),
        )
        return {row["id"]: CardRecord(row) for row in rows}

    def anki_ids(self) -> set[int]:
        """The Anki revlog ids drill's review log holds."""
        rows = self.conn.execute("SELECT anki_id FROM review_log WHERE anki_id IS NOT NULL")
        return {row[0] for row in rows}

    def moved_since_common(self) -> set[str]:
        """Live cards whose schedule is not the one Anki was last given: never merged with
        Anki yet (and not new), merged by a pull only, or changed in drill since."""
        differs = " OR ".join(
            f"json_extract(anki_common, '$.columns.{name}') IS NOT {name}"
            for name in _STATE_COLUMNS
        )
        rows = self.conn.execute(
            "SELECT id FROM cards WHERE orphaned = 0 AND ("
            "(anki_common IS NULL AND phase != 'new') "
            f"OR (anki_common IS NOT NULL AND (NOT json_extract(anki_common, '$.shared') "
            f"OR {differs})))"
        )
        return {row[0] for row in rows}

    def unsent_reviews(self) -> list[ReviewRecord]:
        """Drill's reviews Anki does not have yet (no `anki_id`), in the order answered."""
        rows = self.conn.execute(
            "SELECT * FROM review_log WHERE anki_id IS NULL ORDER BY reviewed_at, id"
        )
        return [ReviewRecord(row) for row in rows]

    def origins(self, deck: str | None = None) -> dict[str, int]:
        """How many reviews were done where: {'drill': n, 'anki': m}."""
        sql, params = self._log_filter("SELECT origin, count(*) FROM review_log WHERE 1", [], deck)
        found = {"drill": 0, "anki": 0}
        found.update(
            {row[0]: row[1] for row in self.conn.execute(sql + " GROUP BY origin", params)}
        )
        return found


# The scheduling columns (records.state_columns writes them), compared with a card's
# `anki_common` to find the cards drill moved since Anki last had them.
_STATE_COLUMNS = (
    "scheduler",
    "stability",
    "difficulty",
    "sm2_state",
    "phase",
    "step",
    "interval_days",
    "ease",
    "reps",
    "lapses",
    "due",
    "last_review",
    "scheduled_secs",
    "interday",
)


class AnkiApplied:
    """What `Store.apply_anki` wrote."""

    __slots__ = ("cards", "matched", "received", "replayed", "sent")

    def __init__(self) -> None:
        self.received = 0  # Anki's answers brought in
        self.matched = 0  # drill reviews found in Anki under their own id
        self.sent = 0  # drill reviews marked as in Anki
        self.cards = 0  # cards whose state changed
        self.replayed = 0  # cards answered on both sides, replayed


_INSERT_LOGGED = (
    "INSERT INTO review_log (card_id, reviewed_at, rating, review_kind, phase_before, "
    "phase_after, interval_before, interval_after, ease_before, ease_after, due_after, "
    "answer_ms, state_before, origin, anki_id) VALUES "
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _logged_values(entry: Any, *, derived_only: bool = False) -> tuple[Any, ...]:
    """A review-log row's columns from an answer with its states before and after
    (drill.anki.history.Row): the same columns `record_answer` writes."""
    before, after = entry.before, entry.after
    snapshot = {**state_dict(comparable(before)), "suspended_flag": 0, "leech_flag": 0}
    derived = (
        entry.kind,
        before.phase,
        after.phase,
        before.interval_days,
        after.interval_days,
        before.ease,
        after.ease,
        iso(after.due),
        json.dumps(snapshot),
    )
    if derived_only:
        return derived
    return (
        iso(entry.reviewed_at),
        int(entry.rating),
        *derived[:8],
        max(int(entry.answer_ms), 0),
        derived[8],
    )
