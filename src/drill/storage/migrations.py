"""The database schema, forward-only and numbered: MIGRATIONS[n] takes a database from
`PRAGMA user_version` n to n + 1. Never edit a released migration; add a new one, and a test
that upgrades a database of the old schema. Store makes a backup before any upgrade.

v1 and v2 were written with sqlite-utils (its DDL). v3 rebuilds every table as STRICT with
CHECK constraints and a foreign key from the review log to its card; that DDL is written by
hand, because sqlite-utils' `create` and `transform` cannot declare CHECK constraints. v3
also says where each review was done (`origin`: drill, or anki for a review brought in from
an Anki package or a sync) and, once Anki has the row, its id in Anki's revlog (`anki_id`, epoch
milliseconds), so the same review is never brought in or sent twice; and each card's last
state in common with Anki (`anki_common`: the state as JSON, and whether Anki holds it too),
the point a card answered on both sides is replayed from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


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


def _one_of(column: str, *values: str) -> str:
    """`column = 'a' OR column = 'b'`: in a CHECK, SQLite evaluates `IN (...)` by building a
    table for every row (28 ms for a cold sync of 10,000 cards); a chain of = costs nothing."""
    return " OR ".join(f"{column} = '{v}'" for v in values)


_PHASES = ("new", "learning", "review", "relearning")

# The flags and counters are checked together: for integers (STRICT makes them integers),
# a | b | ... is 0 or 1 only when each is, and min(...) >= 0 when each is.
CARDS_V3 = f"""
CREATE TABLE cards_v3 (
  id TEXT PRIMARY KEY,
  note_id TEXT NOT NULL,
  deck TEXT NOT NULL,
  kind TEXT NOT NULL,
  front TEXT,
  back TEXT,
  answer TEXT,
  tolerance REAL,
  extra TEXT,
  tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
  source TEXT,
  as_of TEXT,
  path TEXT,
  line INTEGER,
  position INTEGER,
  ordinal INTEGER,
  content_hash TEXT,
  yaml_suspended INTEGER NOT NULL DEFAULT 0,
  phase TEXT NOT NULL DEFAULT 'new' CHECK ({_one_of("phase", *_PHASES)}),
  step INTEGER NOT NULL DEFAULT 0,
  interval_days INTEGER NOT NULL DEFAULT 0,
  ease REAL NOT NULL DEFAULT 2.5 CHECK (ease > 0),
  reps INTEGER NOT NULL DEFAULT 0,
  lapses INTEGER NOT NULL DEFAULT 0,
  due TEXT,
  last_review TEXT,
  scheduled_secs INTEGER NOT NULL DEFAULT 0,
  interday INTEGER NOT NULL DEFAULT 0,
  suspended INTEGER NOT NULL DEFAULT 0,
  buried_until TEXT,
  leech INTEGER NOT NULL DEFAULT 0,
  first_seen TEXT,
  content_changed TEXT,
  orphaned INTEGER NOT NULL DEFAULT 0,
  scheduler TEXT CHECK (scheduler IS NULL OR scheduler = 'fsrs'),
  stability REAL,
  difficulty REAL,
  sm2_state TEXT CHECK (sm2_state IS NULL OR json_valid(sm2_state)),
  anki_common TEXT CHECK (anki_common IS NULL OR json_valid(anki_common)),
  CHECK ((yaml_suspended | interday | suspended | leech | orphaned) BETWEEN 0 AND 1),
  CHECK (min(step, interval_days, reps, lapses, scheduled_secs) >= 0),
  CHECK ((scheduler IS NULL) = (sm2_state IS NULL))
) STRICT
"""

REVIEW_LOG_V3 = f"""
CREATE TABLE review_log_v3 (
  id INTEGER PRIMARY KEY,
  card_id TEXT NOT NULL REFERENCES cards (id) ON UPDATE CASCADE,
  reviewed_at TEXT NOT NULL,
  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
  review_kind TEXT NOT NULL
    CHECK ({_one_of("review_kind", "learn", "review", "relearn", "cram")}),
  phase_before TEXT CHECK ({_one_of("phase_before", *_PHASES)}),
  phase_after TEXT CHECK ({_one_of("phase_after", *_PHASES)}),
  interval_before INTEGER,
  interval_after INTEGER,
  ease_before REAL,
  ease_after REAL,
  due_after TEXT,
  answer_ms INTEGER NOT NULL DEFAULT 0 CHECK (answer_ms >= 0),
  typed_answer TEXT,
  grade TEXT,
  state_before TEXT CHECK (state_before IS NULL OR json_valid(state_before)),
  origin TEXT NOT NULL DEFAULT 'drill' CHECK (origin = 'drill' OR origin = 'anki'),
  anki_id INTEGER UNIQUE
) STRICT
"""

FILES_V3 = """
CREATE TABLE files_v3 (
  path TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  sha1 TEXT NOT NULL,
  deck TEXT,
  options TEXT CHECK (options IS NULL OR json_valid(options)),
  study_order INTEGER NOT NULL DEFAULT 100
) STRICT
"""

_CARD_COLUMNS = (
    "id, note_id, deck, kind, front, back, answer, tolerance, extra, tags, source, path, "
    "line, position, ordinal, content_hash, yaml_suspended, phase, step, interval_days, ease, "
    "reps, lapses, due, last_review, scheduled_secs, interday, suspended, buried_until, "
    "leech, first_seen, content_changed, orphaned, scheduler, stability, difficulty, sm2_state"
)
_LOG_COLUMNS = (
    "id, card_id, reviewed_at, rating, review_kind, phase_before, phase_after, "
    "interval_before, interval_after, ease_before, ease_after, due_after, answer_ms, "
    "typed_answer, grade, state_before"
)


_INDEXES = (
    "CREATE INDEX cards_note_id ON cards (note_id)",
    "CREATE INDEX cards_deck_order ON cards (path, position, ordinal)",
    "CREATE INDEX review_log_card_id ON review_log (card_id)",
    "CREATE INDEX review_log_reviewed_at ON review_log (reviewed_at)",
)


def _v3_strict(db: Any) -> None:
    """STRICT tables with CHECK constraints; review_log.card_id a foreign key to cards.id
    (ON UPDATE CASCADE: `drill rename` moves a history by changing the card's id); and
    `as_of`, when a card's facts were checked. The caller has turned foreign keys off for
    the rebuild and checks them after."""
    conn = db.conn
    conn.execute(CARDS_V3)
    # Values from a v1 table may be NULL where v3 wants a default.
    conn.execute(
        f"INSERT INTO cards_v3 ({_CARD_COLUMNS}) SELECT id, note_id, deck, kind, front, back, "
        "answer, tolerance, extra, coalesce(tags, '[]'), source, path, line, position, "
        "ordinal, content_hash, coalesce(yaml_suspended, 0), coalesce(phase, 'new'), "
        "coalesce(step, 0), coalesce(interval_days, 0), coalesce(ease, 2.5), "
        "coalesce(reps, 0), coalesce(lapses, 0), due, last_review, "
        "coalesce(scheduled_secs, 0), coalesce(interday, 0), coalesce(suspended, 0), "
        "buried_until, coalesce(leech, 0), first_seen, content_changed, "
        "coalesce(orphaned, 0), scheduler, stability, difficulty, sm2_state FROM cards"
    )
    # A review of a card the cards table lost (never expected): keep it, under an orphan.
    conn.execute(
        "INSERT INTO cards_v3 (id, note_id, deck, kind, orphaned) "
        "SELECT DISTINCT card_id, card_id, '?', '?', 1 FROM review_log "
        "WHERE card_id NOT IN (SELECT id FROM cards)"
    )
    conn.execute(REVIEW_LOG_V3)
    values = _LOG_COLUMNS.replace("answer_ms", "coalesce(answer_ms, 0)")
    conn.execute(f"INSERT INTO review_log_v3 ({_LOG_COLUMNS}) SELECT {values} FROM review_log")
    conn.execute(FILES_V3)
    conn.execute(
        "INSERT INTO files_v3 (path, size, mtime_ns, sha1, deck, options) "
        "SELECT path, size, mtime_ns, sha1, deck, options FROM files"
    )
    for table in ("review_log", "cards", "files"):
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE {table}_v3 RENAME TO {table}")
    for index in _INDEXES:
        conn.execute(index)


MIGRATIONS: list[Callable[[Any], None]] = [_v1_initial, _v2_fsrs, _v3_strict]

# A new file gets the current schema at once (the same tables the migrations end with; a test
# compares them), without sqlite-utils or rebuilding tables it has only just made.
CURRENT_SCHEMA = [
    CARDS_V3.replace("cards_v3", "cards"),
    REVIEW_LOG_V3.replace("review_log_v3", "review_log"),
    FILES_V3.replace("files_v3", "files"),
    *_INDEXES,
]
SCHEMA_VERSION = len(MIGRATIONS)
# Migrations that rebuild tables: foreign keys are off while they run.
REBUILDS = {2}
