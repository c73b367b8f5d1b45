"""What the store returns: slotted, read-only records over its rows. Only this package knows
the column names; everything above reads attributes with Python types (bools, datetimes,
tuples, scheduler states).

A record reads its row lazily: building 10,000 records for a queue or a count should not
parse 10,000 dates or scheduler states that nobody looks at."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from drill.model import Location
from drill.scheduler import CardState


def iso(moment: datetime | None) -> str | None:
    """Stored times are UTC ISO 8601 text, so they sort and compare as text."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(
        timespec="seconds" if not moment.microsecond else "microseconds"
    )


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# --------------------------------------------------------------------------- states


def state_dict(state: CardState) -> dict[str, Any]:
    """A state as JSON-ready data (the review log's `state_before`, for undo)."""
    from drill.fsrs_scheduler import FsrsState
    from drill.fsrs_scheduler import to_dict as fsrs_to_dict
    from drill.scheduler import to_dict

    return fsrs_to_dict(state) if isinstance(state, FsrsState) else to_dict(state)


def state_from_dict(data: dict[str, Any]) -> CardState:
    if data.get("scheduler") == "fsrs":
        from drill.fsrs_scheduler import from_dict as fsrs_from_dict

        return fsrs_from_dict(data)
    from drill.scheduler import from_dict

    return from_dict(data)


def common_json(state: CardState, shared: bool) -> str:
    """A card's `anki_common`: its last state in common with Anki, as the `cards` columns
    that hold it (so SQL can tell which cards moved since), and whether Anki holds it too."""
    return json.dumps({"columns": state_columns(state), "shared": shared})


def comparable(state: CardState) -> CardState:
    """The stored part of a state (leech and suspended live in their own flags)."""
    return replace(state, leech=False, suspended=False)


def state_columns(state: CardState) -> dict[str, Any]:
    """The `cards` columns of a state. An SM-2 state clears the FSRS columns; an FSRS state
    also writes its memory state and the SM-2 state kept beside it."""
    from drill.fsrs_scheduler import FsrsState

    fsrs = state if isinstance(state, FsrsState) else None
    return {
        "scheduler": "fsrs" if fsrs else None,
        "stability": fsrs.stability if fsrs else None,
        "difficulty": fsrs.difficulty if fsrs else None,
        "sm2_state": json.dumps(state_dict(fsrs.sm2)) if fsrs and fsrs.sm2 else None,
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


def _sm2_state(row: Any) -> CardState:
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


def state_of(row: Any) -> CardState:
    """The scheduling state a `cards` row (or a mapping of its columns) holds: a CardState,
    or for a card on FSRS an FsrsState (the same fields, plus stability, difficulty and the
    SM-2 state)."""
    if row["scheduler"] == "fsrs":
        from drill.fsrs_scheduler import state_from_columns

        return state_from_columns(
            _sm2_state(row),
            row["stability"],
            row["difficulty"],
            state_from_dict(json.loads(row["sm2_state"])),
        )
    return _sm2_state(row)


# --------------------------------------------------------------------------- cards


class CardRecord:
    """One card as the store has it: its content, where it lives, its flags and its
    scheduling state. `with_state` gives the same card in another state (an answer given in
    this session, not yet re-read)."""

    __slots__ = ("_row", "_state", "_tags")

    def __init__(self, row: sqlite3.Row, state: CardState | None = None):
        self._row = row
        self._state = state
        self._tags: tuple[str, ...] | None = None

    def with_state(self, state: CardState) -> CardRecord:
        return CardRecord(self._row, state)

    def __repr__(self) -> str:
        return f"CardRecord({self.id!r}, {self.phase})"

    # content
    @property
    def id(self) -> str:
        return self._row["id"]

    @property
    def note_id(self) -> str:
        return self._row["note_id"]

    @property
    def deck(self) -> str:
        return self._row["deck"]

    @property
    def kind(self) -> str:
        return self._row["kind"]

    @property
    def front(self) -> str:
        return self._row["front"] or ""

    @property
    def back(self) -> str:
        return self._row["back"] or ""

    @property
    def answer(self) -> str | None:
        """A number card's answer as authored (a quantity's text)."""
        return self._row["answer"]

    @property
    def tolerance(self) -> float | None:
        return self._row["tolerance"]

    @property
    def extra(self) -> str | None:
        """The note's `note:`, shown under the answer."""
        return self._row["extra"]

    @property
    def source(self) -> str | None:
        return self._row["source"]

    @property
    def as_of(self) -> str | None:
        return self._row["as_of"]

    @property
    def tags(self) -> tuple[str, ...]:
        if self._tags is None:
            self._tags = tuple(json.loads(self._row["tags"] or "[]"))
        return self._tags

    @property
    def path(self) -> str:
        return self._row["path"]

    @property
    def line(self) -> int:
        return self._row["line"]

    @property
    def location(self) -> Location:
        return Location(self._row["path"], self._row["line"])

    @property
    def content_hash(self) -> str:
        return self._row["content_hash"]

    @property
    def content_changed(self) -> datetime | None:
        return from_iso(self._row["content_changed"])

    # flags
    @property
    def suspended(self) -> bool:
        """Suspended in drill (`s`, `drill card suspend`); see also yaml_suspended."""
        return bool(self._row["suspended"])

    @property
    def yaml_suspended(self) -> bool:
        return bool(self._row["yaml_suspended"])

    @property
    def buried_until(self) -> datetime | None:
        return from_iso(self._row["buried_until"])

    @property
    def leech(self) -> bool:
        return bool(self._row["leech"])

    @property
    def orphaned(self) -> bool:
        return bool(self._row["orphaned"])

    # scheduling
    @property
    def state(self) -> CardState:
        if self._state is None:
            self._state = state_of(self._row)
        return self._state

    @property
    def phase(self) -> str:
        return self._state.phase if self._state is not None else self._row["phase"]

    @property
    def interday(self) -> bool:
        if self._state is not None:
            return self._state.interday
        return bool(self._row["interday"])

    @property
    def due_key(self) -> str:
        """The due time as stored (UTC ISO text), for sorting and comparing without parsing."""
        if self._state is not None:
            return iso(self._state.due) or ""
        return self._row["due"] or ""

    @property
    def due(self) -> datetime | None:
        return self._state.due if self._state is not None else from_iso(self._row["due"])

    @property
    def scheduler(self) -> str:
        """'fsrs' or 'sm2': which scheduler this card's stored state is on."""
        return self._row["scheduler"] or "sm2"

    @property
    def ease(self) -> float:
        return self._row["ease"]

    @property
    def lapses(self) -> int:
        return self._row["lapses"]

    @property
    def stability(self) -> float | None:
        return self._row["stability"]

    @property
    def difficulty(self) -> float | None:
        return self._row["difficulty"]

    @property
    def anki_common(self) -> tuple[CardState, bool] | None:
        """The card's last state in common with Anki, and whether Anki holds it too (None
        before the card's first merge with Anki's history)."""
        text = self._row["anki_common"]
        if not text:
            return None
        data = json.loads(text)
        return state_of(data["columns"]), bool(data["shared"])


# --------------------------------------------------------------------------- reviews


REVIEW_KINDS = ("learn", "review", "relearn", "cram")


class ReviewRecord:
    """One row of the review log: one answer."""

    __slots__ = ("_row",)

    def __init__(self, row: sqlite3.Row):
        self._row = row

    def __repr__(self) -> str:
        return f"ReviewRecord({self.id}, {self.card_id!r}, rating {self.rating})"

    def as_dict(self) -> dict[str, Any]:
        """Every column but the undo snapshot, JSON-ready (for `drill card show --json`)."""
        row = self._row
        return {k: row[k] for k in row.keys() if k != "state_before"}  # noqa: SIM118 - a Row

    @property
    def id(self) -> int:
        return self._row["id"]

    @property
    def card_id(self) -> str:
        return self._row["card_id"]

    @property
    def reviewed_at(self) -> datetime:
        moment = from_iso(self._row["reviewed_at"])
        assert moment is not None
        return moment

    @property
    def rating(self) -> int:
        return self._row["rating"]

    @property
    def kind(self) -> str:
        """learn, review, relearn or cram (Anki's revlog types)."""
        return self._row["review_kind"]

    @property
    def phase_before(self) -> str:
        return self._row["phase_before"]

    @property
    def phase_after(self) -> str:
        return self._row["phase_after"]

    @property
    def interval_before(self) -> int:
        return self._row["interval_before"] or 0

    @property
    def interval_after(self) -> int:
        return self._row["interval_after"] or 0

    @property
    def ease_after(self) -> float:
        return self._row["ease_after"] or 0.0

    @property
    def due_after(self) -> datetime | None:
        return from_iso(self._row["due_after"])

    @property
    def answer_ms(self) -> int:
        return self._row["answer_ms"] or 0

    @property
    def typed_answer(self) -> str | None:
        return self._row["typed_answer"]

    @property
    def grade(self) -> str | None:
        return self._row["grade"]

    @property
    def origin(self) -> str:
        """Where the review was done: 'drill', or 'anki' (brought in from Anki)."""
        return self._row["origin"]

    @property
    def anki_id(self) -> int | None:
        """Its id in Anki's revlog (epoch milliseconds), once Anki has it."""
        return self._row["anki_id"]

    @property
    def state_before(self) -> CardState:
        """The card's state before this answer (flags cleared)."""
        snapshot = json.loads(self._row["state_before"] or "{}")
        snapshot.pop("suspended_flag", None)
        snapshot.pop("leech_flag", None)
        return comparable(state_from_dict(snapshot))


# The cards table's content columns: what the YAML says of a card (the rest of a row is its
# schedule). The sync writes them; a rename keeps the new id's.
CONTENT_COLUMNS = (
    "id",
    "note_id",
    "deck",
    "kind",
    "front",
    "back",
    "answer",
    "tolerance",
    "extra",
    "tags",
    "source",
    "as_of",
    "path",
    "line",
    "position",
    "ordinal",
    "content_hash",
    "yaml_suspended",
    "orphaned",
)
