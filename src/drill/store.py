"""The store: one SQLite file holding every card's scheduling state and every review.

The only module that speaks SQL. The YAML decks say what the cards are; the store says where
each card is in its schedule and keeps the review log, which nothing ever deletes (except
`undo` of the answer just given). Tables are documented in the README, for people who open
the file in Datasette or sqlite3.

Durability: WAL mode, `synchronous=FULL`, and one `BEGIN IMMEDIATE` transaction per answer,
committed before the next card is shown. Writers wait (busy timeout) instead of failing
with "database is locked"; taking the write lock up front avoids the deadlock where two
readers both try to upgrade.

Start-up cost matters (`drill due` runs in shell prompts): the common paths use the standard
library's sqlite3; sqlite-utils is imported only to create, migrate and bulk-sync.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from drill.model import Card, ContentError, Problem


class StoreError(Exception):
    """A problem with the database file itself (too new, unreadable, locked for too long)."""


class StaleStateError(StoreError):
    """The card was answered elsewhere (another drill process) since it was shown."""


# --------------------------------------------------------------------------- migrations
# Forward-only and numbered: MIGRATIONS[n] takes a database from user_version n to n + 1.
# Never edit a released migration; add a new one (and a test that upgrades the old schema).


def _v1_initial(db: Any) -> None:
    db["cards"].create(
        {
            "id": str,
            "note_id": str,
            "deck": str,
            "kind": str,
            "front": str,
            "back": str,
            "answer": str,
            "tolerance": float,
            "extra": str,
            "tags": str,
            "source": str,
            "path": str,
            "line": int,
            "position": int,
            "ordinal": int,
            "content_hash": str,
            "yaml_suspended": int,
            "phase": str,
            "step": int,
            "interval_days": int,
            "ease": float,
            "reps": int,
            "lapses": int,
            "due": str,
            "last_review": str,
            "scheduled_secs": int,
            "interday": int,
            "suspended": int,
            "buried_until": str,
            "leech": int,
            "first_seen": str,
            "content_changed": str,
            "orphaned": int,
        },
        pk="id",
        not_null={"note_id", "deck", "kind", "phase"},
        defaults={
            "phase": "new",
            "step": 0,
            "interval_days": 0,
            "ease": 2.5,
            "reps": 0,
            "lapses": 0,
            "scheduled_secs": 0,
            "interday": 0,
            "suspended": 0,
            "leech": 0,
            "orphaned": 0,
            "yaml_suspended": 0,
        },
    )
    db["cards"].create_index(["note_id"])
    db["cards"].create_index(["path", "position", "ordinal"])  # deck order, without a sort
    db["review_log"].create(
        {
            "id": int,
            "card_id": str,
            "reviewed_at": str,
            "rating": int,
            "review_kind": str,
            "phase_before": str,
            "phase_after": str,
            "interval_before": int,
            "interval_after": int,
            "ease_before": float,
            "ease_after": float,
            "due_after": str,
            "answer_ms": int,
            "typed_answer": str,
            "grade": str,
            "state_before": str,
        },
        pk="id",
        not_null={"card_id", "reviewed_at", "rating", "review_kind"},
    )
    db["review_log"].create_index(["card_id"])
    db["review_log"].create_index(["reviewed_at"])
    db["files"].create(
        {"path": str, "size": int, "mtime_ns": int, "sha1": str, "deck": str, "options": str},
        pk="path",
    )


def _v2_fsrs(db: Any) -> None:
    """FSRS beside SM-2 (issue 10): which scheduler a card is on ('fsrs', or NULL for SM-2),
    its FSRS memory state, and, while FSRS schedules it, its SM-2 state (JSON, kept current
    answer by answer) so that switching back to SM-2 loses nothing."""
    for name, kind in (
        ("scheduler", str),
        ("stability", float),
        ("difficulty", float),
        ("sm2_state", str),
    ):
        db["cards"].add_column(name, kind)


MIGRATIONS = [_v1_initial, _v2_fsrs]
SCHEMA_VERSION = len(MIGRATIONS)


# --------------------------------------------------------------------------- the store


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    files_read: int = 0
    files_skipped: int = 0


def iso(moment: datetime | None) -> str | None:
    """Stored times are UTC ISO 8601 text, so they sort and compare as text."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(
        timespec="seconds" if not moment.microsecond else "microseconds"
    )


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def review_kind(before: Any, cram: bool = False) -> str:
    """Anki's revlog types: learn (new or learning), review, relearn; cram for filtered study."""
    if cram:
        return "cram"
    return {"new": "learn", "learning": "learn", "review": "review", "relearning": "relearn"}[
        before.phase
    ]


class _Answering:
    """Mixin: reading card state and recording answers (one transaction each)."""

    conn: sqlite3.Connection

    def state(self, card_id: str) -> Any:
        """The scheduler state of a card (drill.scheduler.CardState)."""
        row = self.conn.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone()
        if row is None:
            raise KeyError(card_id)
        return state_from_row(row)

    def record_answer(
        self,
        card_id: str,
        before: Any,
        after: Any,
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
            if state_from_row(row) != _comparable(before):
                raise StaleStateError(f"card {card_id} was answered elsewhere meanwhile")
            snapshot = {
                **_state_dict(before),
                "suspended_flag": row["suspended"],
                "leech_flag": row["leech"],
            }
            if not cram:
                values = _state_columns(after)
                if after.leech:
                    values["leech"] = 1
                if after.suspended:
                    values["suspended"] = 1
                assignments = ", ".join(f"{name} = ?" for name in values)
                self.conn.execute(
                    f"UPDATE cards SET {assignments} WHERE id = ?", [*values.values(), card_id]
                )
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
                    int(answer_ms),
                    typed_answer,
                    grade,
                    json.dumps(snapshot),
                ),
            )
            return int(cursor.lastrowid)

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
            values = {**_state_columns(_state_from_dict(snapshot)), **flags}
            assignments = ", ".join(f"{name} = ?" for name in values)
            self.conn.execute(
                f"UPDATE cards SET {assignments} WHERE id = ?", [*values.values(), row["card_id"]]
            )
            self.conn.execute("DELETE FROM review_log WHERE id = ?", (review_id,))
            return str(row["card_id"])

    def reset(self, card_ids: Iterable[str]) -> int:
        """Forget cards' scheduling (they become new); their review history stays."""
        from drill.scheduler import CardState

        values = {**_state_columns(CardState()), "leech": 0, "buried_until": None}
        assignments = ", ".join(f"{name} = ?" for name in values)
        with self.transaction():
            return sum(
                self.conn.execute(
                    f"UPDATE cards SET {assignments} WHERE id = ?", [*values.values(), card_id]
                ).rowcount
                for card_id in card_ids
            )

    def history(self, card_id: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM review_log WHERE card_id = ? ORDER BY id", (card_id,)
        ).fetchall()

    def rename(self, old: str, new: str) -> list[tuple[str, str]]:
        """Move a note's (or a card's) history to a new id, after its id changed in YAML.

        Every card `old` or `old/...` takes the place of `new` or `new/...`. The old id must
        have left the YAML and the new one be in it (the store is synced first), and the new
        id's cards must not have been reviewed yet (they are replaced). Returns (old, new) pairs.
        """
        with self.transaction():
            rows = self.conn.execute(
                "SELECT id FROM cards WHERE id = ? OR note_id = ?", (old, old)
            ).fetchall()
            if not rows:
                raise KeyError(old)
            pairs = [(r["id"], new + r["id"][len(old) :]) for r in rows]
            for old_id, new_id in pairs:
                # Only a real rename: the old id has left the YAML, the new one is in it.
                source = self.conn.execute(
                    "SELECT orphaned, path, line FROM cards WHERE id = ?", (old_id,)
                ).fetchone()
                if not source["orphaned"]:
                    raise StoreError(
                        f"'{old_id}' is still in {source['path']}:{source['line']}; change the "
                        "id in the YAML first, then rename"
                    )
                target = self.conn.execute(
                    "SELECT orphaned FROM cards WHERE id = ?", (new_id,)
                ).fetchone()
                if target is None or target["orphaned"]:
                    raise StoreError(
                        f"'{new_id}' is not in any deck file; put the new id in the YAML first"
                    )
                reviewed = self.conn.execute(
                    "SELECT count(*) FROM review_log WHERE card_id = ?", (new_id,)
                ).fetchone()[0]
                if reviewed:
                    raise StoreError(
                        f"'{new_id}' already has {reviewed} reviews; "
                        "renaming onto it would mix two histories"
                    )
            for old_id, new_id in pairs:
                target = self.conn.execute("SELECT * FROM cards WHERE id = ?", (new_id,)).fetchone()
                self.conn.execute("DELETE FROM cards WHERE id = ?", (new_id,))
                self.conn.execute(
                    "UPDATE cards SET id = ?, note_id = ? WHERE id = ?",
                    (new_id, new_id.split("/")[0], old_id),
                )
                if target is not None:  # keep the YAML's current text and place
                    content = {k: target[k] for k in _CONTENT_KEYS}
                    assignments = ", ".join(f"{k} = ?" for k in content)
                    self.conn.execute(
                        f"UPDATE cards SET {assignments} WHERE id = ?", [*content.values(), new_id]
                    )
                self.conn.execute(
                    "UPDATE review_log SET card_id = ? WHERE card_id = ?", (new_id, old_id)
                )
            return pairs


class _Exporting:
    """Mixin: what the Anki export needs from the store."""

    conn: sqlite3.Connection

    def note_changed_times(self) -> dict[str, datetime]:
        """Per note id, when any of its cards' content last changed (the Anki note mtime)."""
        rows = self.conn.execute(
            "SELECT note_id, max(content_changed) FROM cards GROUP BY note_id"
        ).fetchall()
        return {note_id: datetime.fromisoformat(stamp) for note_id, stamp in rows if stamp}


class _Progress:
    """Mixin: every card's schedule and review log, for `drill build --with-progress`."""

    conn: sqlite3.Connection

    def card_progress(self) -> dict[str, tuple[Any, bool, bool]]:
        """Per live card id: (scheduler state, suspended flag, leech flag)."""
        rows = self.conn.execute("SELECT * FROM cards WHERE orphaned = 0")
        return {
            row["id"]: (state_from_row(row), bool(row["suspended"]), bool(row["leech"]))
            for row in rows
        }

    def review_log(self) -> list[dict[str, Any]]:
        """Every review-log row (incl. the state before it), per card, oldest first."""
        rows = self.conn.execute(
            "SELECT card_id, reviewed_at, rating, review_kind, phase_after, interval_after, "
            "ease_after, due_after, answer_ms, state_before FROM review_log "
            "ORDER BY card_id, id"
        )
        return [dict(row) for row in rows]


class _Stats:
    """Mixin: aggregate reads for `drill stats`, done in SQL so 100k log rows stay quick."""

    conn: sqlite3.Connection

    def reviews_per_period(
        self, since: datetime, card_ids: list[str] | None = None, *, minutes: bool = False
    ) -> list[tuple[datetime, int]]:
        """Reviews (cram included) per UTC hour since `since`, or per minute with `minutes`:
        (the period's start, count). Counting by a text prefix is far cheaper than a date
        function on 100,000 rows; the caller puts each period on its scheduling day."""
        width = 16 if minutes else 13  # 'YYYY-MM-DDTHH:MM' or 'YYYY-MM-DDTHH'
        sql, params = self._log_filter(
            f"SELECT substr(reviewed_at, 1, {width}) AS period, count(*) AS n FROM review_log "
            "WHERE reviewed_at >= ?",
            [iso(since)],
            card_ids,
        )
        pad = "" if minutes else ":00"
        return [
            (datetime.fromisoformat(row["period"] + pad + "+00:00"), row["n"])
            for row in self.conn.execute(sql + " GROUP BY period", params)
        ]

    def retention(
        self, since: datetime, card_ids: list[str] | None = None
    ) -> dict[str, tuple[int, int]]:
        """True retention of reviews (not learning) since `since`: for young (interval < 21 d)
        and mature cards, (passed, total)."""
        sql, params = self._log_filter(
            "SELECT interval_before >= 21 AS mature, sum(rating > 1) AS passed, "
            "count(*) AS total FROM review_log WHERE review_kind = 'review' "
            "AND reviewed_at >= ?",
            [iso(since)],
            card_ids,
        )
        out = {"young": (0, 0), "mature": (0, 0)}
        for row in self.conn.execute(sql + " GROUP BY mature", params):
            out["mature" if row["mature"] else "young"] = (row["passed"], row["total"])
        return out

    @staticmethod
    def _log_filter(
        sql: str, params: list[Any], card_ids: list[str] | None
    ) -> tuple[str, list[Any]]:
        if card_ids is None:
            return sql, params
        marks = ",".join("?" * len(card_ids))
        return f"{sql} AND card_id IN ({marks})", [*params, *card_ids]


class _Studying:
    """Mixin: the reads and flag changes a study session needs."""

    conn: sqlite3.Connection

    def study_rows(self, now: datetime, *, include_suspended: bool = False) -> list[sqlite3.Row]:
        """Live cards (not orphaned), in deck order; suspended and buried ones left out."""
        sql = "SELECT * FROM cards WHERE orphaned = 0"
        params: list[Any] = []
        if not include_suspended:
            sql += (
                " AND suspended = 0 AND yaml_suspended = 0"
                " AND (buried_until IS NULL OR buried_until <= ?)"
            )
            params.append(iso(now))
        sql += " ORDER BY path, position, ordinal"
        return self.conn.execute(sql, params).fetchall()

    def due_counts(
        self, now: datetime, tomorrow: datetime, horizon: datetime
    ) -> dict[str, tuple[int, int, int]]:
        """Per deck, before daily limits: new cards, intraday learning cards due by `horizon`,
        and reviews (and interday steps) due before `tomorrow`. One aggregate pass, so `drill
        due` stays quick on a large store; it counts what Session.build would queue."""
        rows = self.conn.execute(
            "SELECT deck, sum(phase = 'new') AS new, "
            "sum(phase IN ('learning', 'relearning') AND NOT interday AND due <= :horizon) "
            "AS learning, "
            "sum((phase = 'review' OR (phase IN ('learning', 'relearning') AND interday)) "
            "AND (due IS NULL OR due < :tomorrow)) AS review "
            "FROM cards WHERE orphaned = 0 AND suspended = 0 AND yaml_suspended = 0 "
            "AND (buried_until IS NULL OR buried_until <= :now) GROUP BY deck",
            {"now": iso(now), "tomorrow": iso(tomorrow), "horizon": iso(horizon)},
        )
        return {r["deck"]: (r["new"], r["learning"], r["review"]) for r in rows}

    def decks(self) -> list[str]:
        """Every deck with live cards, in deck-file order (the order new cards come in)."""
        rows = self.conn.execute(
            "SELECT deck FROM cards WHERE orphaned = 0 GROUP BY deck ORDER BY min(path)"
        )
        return [row[0] for row in rows]

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

    def deck_options(self) -> dict[str, dict[str, Any]]:
        """Per deck name, the `options:` of its deck file(s)."""
        found: dict[str, dict[str, Any]] = {}
        for row in self.conn.execute(
            "SELECT deck, options FROM files WHERE options IS NOT NULL ORDER BY path"
        ):
            found.setdefault(row["deck"], {}).update(json.loads(row["options"]))
        return found

    def card_row(self, card_id: str) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone()

    def set_flags(self, card_ids: Iterable[str], **flags: Any) -> int:
        """Set `suspended`, `buried_until` or `leech` on cards; returns how many changed."""
        allowed = {"suspended", "buried_until", "leech"}
        if not flags or set(flags) - allowed:
            raise ValueError(f"flags must be among {sorted(allowed)}")
        assignments = ", ".join(f"{name} = ?" for name in flags)
        values = [iso(v) if isinstance(v, datetime) else v for v in flags.values()]
        with self.transaction():
            changed = 0
            for card_id in card_ids:
                cursor = self.conn.execute(
                    f"UPDATE cards SET {assignments} WHERE id = ?", [*values, card_id]
                )
                changed += cursor.rowcount
        return changed

    def next_due(self, after: datetime) -> datetime | None:
        row = self.conn.execute(
            "SELECT min(due) FROM cards WHERE orphaned = 0 AND suspended = 0 "
            "AND yaml_suspended = 0 AND phase != 'new' AND due > ?",
            (iso(after),),
        ).fetchone()
        return from_iso(row[0]) if row and row[0] else None


_CONTENT_KEYS = (
    "deck",
    "kind",
    "front",
    "back",
    "answer",
    "tolerance",
    "extra",
    "tags",
    "source",
    "path",
    "line",
    "position",
    "ordinal",
    "content_hash",
    "yaml_suspended",
    "orphaned",
    "content_changed",
)


def _state_dict(state: Any) -> dict[str, Any]:
    """A state as JSON-ready data (the review log's `state_before`, for undo)."""
    if type(state).__name__ == "FsrsState":
        from drill.fsrs_scheduler import to_dict as fsrs_to_dict

        return fsrs_to_dict(state)
    from drill.scheduler import to_dict

    return to_dict(state)


def _state_from_dict(data: dict[str, Any]) -> Any:
    if data.get("scheduler") == "fsrs":
        from drill.fsrs_scheduler import from_dict as fsrs_from_dict

        return fsrs_from_dict(data)
    from drill.scheduler import from_dict

    return from_dict(data)


def _comparable(state: Any) -> Any:
    """The stored part of a state (leech/suspended live in their own flags)."""
    from dataclasses import replace

    return replace(state, leech=False, suspended=False)


def _state_columns(state: Any) -> dict[str, Any]:
    """The `cards` columns of a state. An SM-2 state (drill.scheduler.CardState) clears the
    FSRS columns; an FSRS state (drill.fsrs_scheduler.FsrsState) also writes its memory
    state and the SM-2 state kept beside it."""
    fsrs = type(state).__name__ == "FsrsState"
    return {
        "scheduler": "fsrs" if fsrs else None,
        "stability": state.stability if fsrs else None,
        "difficulty": state.difficulty if fsrs else None,
        "sm2_state": json.dumps(_state_dict(state.sm2)) if fsrs else None,
        "phase": state.phase,
        "step": state.step,
        "interval_days": state.interval_days,
        "ease": state.ease,
        "reps": state.reps,
        "lapses": state.lapses,
        "due": iso(state.due),
        "last_review": iso(state.last_review),
        "scheduled_secs": state.scheduled_secs,
        "interday": int(state.interday),
    }


def state_from_row(row: sqlite3.Row) -> Any:
    """The scheduling state a `cards` row holds: a drill.scheduler.CardState, or for a card
    on FSRS a drill.fsrs_scheduler.FsrsState (the same fields, plus stability, difficulty
    and the SM-2 state kept beside them)."""
    if row["scheduler"] == "fsrs":
        from drill.fsrs_scheduler import state_from_columns

        return state_from_columns(
            _sm2_state_from_row(row),
            row["stability"],
            row["difficulty"],
            _state_from_dict(json.loads(row["sm2_state"])),
        )
    return _sm2_state_from_row(row)


def _sm2_state_from_row(row: sqlite3.Row) -> Any:
    from drill.scheduler import CardState

    return CardState(
        phase=row["phase"],
        step=row["step"],
        interval_days=row["interval_days"],
        ease=row["ease"],
        reps=row["reps"],
        lapses=row["lapses"],
        due=from_iso(row["due"]),
        last_review=from_iso(row["last_review"]),
        scheduled_secs=row["scheduled_secs"],
        interday=bool(row["interday"]),
    )


class _Switching:
    """Mixin: what switching a deck between SM-2 and FSRS, and `drill optimize`, need."""

    conn: sqlite3.Connection
    transaction: Any

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

    def cards_on(self, deck: str, scheduler: str) -> list[sqlite3.Row]:
        """A deck's cards (orphaned ones included) on a scheduler; SM-2 ones not new."""
        if scheduler == "fsrs":
            where = "scheduler = 'fsrs'"
        else:
            where = "scheduler IS NULL AND phase != 'new'"
        return self.conn.execute(
            f"SELECT * FROM cards WHERE deck = ? AND {where} ORDER BY id", (deck,)
        ).fetchall()

    def review_rows(
        self, decks: list[str] | None = None, card_ids: list[str] | None = None
    ) -> list[sqlite3.Row]:
        """Review-log rows (card_id, reviewed_at, rating, review_kind, phase_before,
        answer_ms) in the order they were answered: every card's, or those of some decks'
        cards, or of some cards."""
        sql = (
            "SELECT r.id, r.card_id, r.reviewed_at, r.rating, r.review_kind, r.phase_before, "
            "r.answer_ms FROM review_log r JOIN cards c ON c.id = r.card_id WHERE 1"
        )
        params: list[Any] = []
        if decks is not None:
            sql += " AND c.deck IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(decks))
        if card_ids is not None:
            sql += " AND r.card_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(card_ids))
        return self.conn.execute(sql + " ORDER BY r.id", params).fetchall()

    def switch_states(self, changes: Iterable[tuple[str, Any, Any]]) -> int:
        """Replace cards' scheduling states, (card id, state before, state after) each, in one
        transaction, when a deck switches between SM-2 and FSRS. The review log is not
        touched. A card no longer in its `before` state (answered meanwhile in another drill
        process) is left alone. Returns how many cards changed."""
        changed = 0
        with self.transaction():
            for card_id, before, after in changes:
                row = self.conn.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone()
                if row is None or state_from_row(row) != _comparable(before):
                    continue
                values = _state_columns(after)
                assignments = ", ".join(f"{name} = ?" for name in values)
                self.conn.execute(
                    f"UPDATE cards SET {assignments} WHERE id = ?", [*values.values(), card_id]
                )
                changed += 1
        return changed


class Store(_Answering, _Studying, _Exporting, _Progress, _Stats, _Switching):
    """An open drill database. Use as a context manager, or call close()."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            self._use_wal()
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: not a usable drill database ({err})") from None

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

    def _sqlite_utils(self) -> Any:
        import sqlite_utils

        return sqlite_utils.Database(self.conn, execute_plugins=False)

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.version
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer drill (schema {version}, this drill knows "
                f"up to {SCHEMA_VERSION}); upgrade drill"
            )
        if version > 0:
            self.backup(self.path.with_name(f"{self.path.name}.backup-v{version}"))
        db = self._sqlite_utils()
        with self.transaction():
            # Re-read inside the lock: another process may have migrated meanwhile.
            version = self.version
            for number in range(version, SCHEMA_VERSION):
                MIGRATIONS[number](db)
                self.conn.execute(f"PRAGMA user_version = {number + 1}")

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

    # ----------------------------------------------------------------------- sync

    def sync(self, files: Iterable[Path], now: datetime, *, prune: bool = True) -> SyncReport:
        """Bring the cards table in line with the deck files.

        Unchanged files (same size and mtime, or same content hash) are not parsed. New ids
        become new cards; edited text keeps the card's history (only `content_hash` and
        `content_changed` change); cards whose id left the YAML are marked orphaned, hidden,
        and come back with their history when the id returns. If any changed file has a
        problem, ContentError is raised and nothing is written.

        `prune=False` syncs just the files given (e.g. `drill build one.yaml`): files known
        from earlier syncs but not given are left as they are instead of being orphaned.
        """
        files = list(files)
        report, changed, touched, removed = self._scan(files, prune)
        if not changed and not removed and not touched:
            return report
        # Changes: look again under the write lock, so two drill processes starting at once
        # do not both insert the same new cards.
        with self.transaction():
            report, changed, touched, removed = self._scan(files, prune)
            if changed or removed:
                self._apply(report, changed, removed, now)
            self._touch_files(touched)
        return report

    def _scan(self, files: list[Path], prune: bool) -> tuple[SyncReport, list, list, list]:
        """Which files changed since the last sync (by size and mtime, then content hash)."""
        report = SyncReport()
        known = {row["path"]: row for row in self.conn.execute("SELECT * FROM files")}
        current: dict[str, Path] = {}
        changed: list[tuple[str, Path, bytes, str, os.stat_result]] = []
        touched: list[tuple[str, os.stat_result]] = []
        for path in files:
            key = str(path.resolve())
            current[key] = path
            stat = path.stat()
            row = known.get(key)
            if row and row["size"] == stat.st_size and row["mtime_ns"] == stat.st_mtime_ns:
                report.files_skipped += 1
                continue
            data = path.read_bytes()
            import hashlib

            digest = hashlib.sha1(data).hexdigest()
            if row and row["sha1"] == digest:
                touched.append((key, stat))
                report.files_skipped += 1
                continue
            changed.append((key, path, data, digest, stat))
        removed = [key for key in known if key not in current] if prune else []
        return report, changed, touched, removed

    def _apply(self, report: SyncReport, changed: list, removed: list, now: datetime) -> None:
        """Parse the changed files and write the cards; inside the caller's transaction."""
        from drill.content import cards_for, read_deck_file

        problems: list[Problem] = []
        incoming: dict[str, list[Card]] = {}
        decks: dict[str, str | None] = {}
        options: dict[str, str | None] = {}
        seen: dict[str, str] = {}
        for key, path, data, _digest, _stat in changed:
            deck_file = read_deck_file(path, data)
            report.files_read += 1
            problems.extend(deck_file.problems)
            decks[key] = deck_file.deck
            options[key] = json.dumps(deck_file.options) if deck_file.options else None
            cards: list[Card] = []
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
            incoming[key] = cards
        rescanned = set(incoming) | set(removed)
        elsewhere = self._live_notes_outside(rescanned)
        from drill.paths import display_path

        for cards in incoming.values():
            for card in cards:
                other = elsewhere.get(card.note_id)
                if other and card.id == _first_card_id(cards, card.note_id):
                    where = f"{display_path(Path(other[0]))}:{other[1]}"
                    problems.append(
                        Problem(
                            card.location.path,
                            card.location.line,
                            f"duplicate id '{card.note_id}' (also at {where})",
                        )
                    )
        if problems:
            raise ContentError(problems)

        stamp = iso(now)
        existing = {
            row["id"]: row
            for row in self.conn.execute(
                "SELECT id, content_hash, content_changed, orphaned, path FROM cards"
            )
        }
        # Two batches with one set of columns each: a batch with mixed columns would write
        # NULL into the columns some rows lack.
        new_rows: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        arriving: set[str] = set()
        for key, cards in incoming.items():
            for ordinal, card in enumerate(cards):
                arriving.add(card.id)
                old = existing.get(card.id)
                row = _content_row(card, key, ordinal)
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
        leaving = [
            card_id
            for card_id, row in existing.items()
            if row["path"] in rescanned and card_id not in arriving and not row["orphaned"]
        ]
        report.orphaned.extend(leaving)
        # Plain executemany: sqlite-utils' insert_all checks every value of every row
        # (jsonify_if_needed), which was a quarter of a cold sync of 10,000 cards.
        for batch, statement in ((new_rows, _insert_sql), (rows, _update_sql)):
            if batch:
                sql, columns = statement(batch[0])
                self.conn.executemany(sql, [[row[c] for c in columns] for row in batch])
        self.conn.executemany("UPDATE cards SET orphaned = 1 WHERE id = ?", [(i,) for i in leaving])
        self.conn.executemany("DELETE FROM files WHERE path = ?", [(k,) for k in removed])
        self.conn.executemany(
            "INSERT OR REPLACE INTO files (path, size, mtime_ns, sha1, deck, options) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (key, st.st_size, st.st_mtime_ns, digest, decks.get(key), options.get(key))
                for key, _p, _d, digest, st in changed
            ],
        )

    def _touch_files(self, touched: list[tuple[str, os.stat_result]]) -> None:
        self.conn.executemany(
            "UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?",
            [(st.st_size, st.st_mtime_ns, key) for key, st in touched],
        )

    def _live_notes_outside(self, paths: set[str]) -> dict[str, tuple[str, int]]:
        """Note ids of live cards in files that are not being re-read: (path, line) each."""
        found: dict[str, tuple[str, int]] = {}
        for row in self.conn.execute("SELECT note_id, path, line FROM cards WHERE orphaned = 0"):
            if row["path"] not in paths:
                found.setdefault(row["note_id"], (row["path"], row["line"]))
        return found


def _insert_sql(row: dict[str, Any]) -> tuple[str, list[str]]:
    columns = list(row)
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO cards ({', '.join(columns)}) VALUES ({marks})", columns


def _update_sql(row: dict[str, Any]) -> tuple[str, list[str]]:
    columns = [c for c in row if c != "id"]
    assignments = ", ".join(f"{c} = ?" for c in columns)
    return f"UPDATE cards SET {assignments} WHERE id = ?", [*columns, "id"]


def _first_card_id(cards: list[Card], note_id: str) -> str:
    return next(c.id for c in cards if c.note_id == note_id)


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
        "path": path_key,
        "line": card.location.line,
        "position": card.order,
        "ordinal": ordinal,
        "content_hash": card.content_hash,
        "yaml_suspended": int(card.suspended),
        "orphaned": 0,
    }
