"""The store: sync from YAML keeps history across edits, removals, returns and renames;
answers are durable and undoable; migrations upgrade old files after a backup."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from drill.scheduler import CardState, Rating, SchedulerConfig, answer
from drill.storage import SCHEMA_VERSION, StaleStateError, Store, StoreError

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
CONFIG = SchedulerConfig(fuzz=False, tz=UTC)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "drill.db") as s:
        yield s


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    # Make sure a rewrite within the same clock tick is still seen as a change.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    return path


def rows(store, sql, *args):
    return [dict(r) for r in store.conn.execute(sql, args)]


def card(store, card_id):
    return dict(store.conn.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone())


def answer_card(store, card_id, rating=Rating.GOOD, now=NOW):
    before = store.state(card_id)
    after = answer(before, rating, now=now, config=CONFIG, seed=1)
    return store.record_answer(card_id, before, after, rating, now, answer_ms=1500)


DECK = """
deck: T
cards:
  - {id: a, front: Question A, back: Answer A}
  - {id: r, kind: reverse, front: ping, back: pong}
"""


def test_new_ids_become_new_cards(store, tmp_path):
    deck = write(tmp_path / "t.yaml", DECK)
    report = store.sync([deck], NOW)
    assert report.added == ["a", "r", "r/reverse"]
    a = card(store, "a")
    assert (a["phase"], a["reps"], a["front"], a["deck"]) == ("new", 0, "Question A", "T")
    assert a["first_seen"] == NOW.isoformat()


def test_unchanged_files_are_not_read_again(store, tmp_path):
    deck = write(tmp_path / "t.yaml", DECK)
    store.sync([deck], NOW)
    report = store.sync([deck], NOW)
    assert (report.files_read, report.files_skipped, report.added) == (0, 1, [])
    # Touched but identical content: the hash matches, still not parsed.
    os.utime(deck, ns=(deck.stat().st_atime_ns, deck.stat().st_mtime_ns + 5_000_000))
    report = store.sync([deck], NOW)
    assert (report.files_read, report.files_skipped) == (0, 1)


def test_edited_text_keeps_history(store, tmp_path):
    deck = write(tmp_path / "t.yaml", DECK)
    store.sync([deck], NOW)
    answer_card(store, "a")
    before = card(store, "a")
    later = NOW + timedelta(hours=1)
    write(deck, DECK.replace("Answer A", "Answer A (reworded)"))
    report = store.sync([deck], later)
    assert report.changed == ["a"] and report.added == []
    after = card(store, "a")
    assert after["back"] == "Answer A (reworded)"
    assert after["content_hash"] != before["content_hash"]
    assert after["content_changed"] == later.isoformat()
    for column in ("phase", "step", "due", "reps", "ease", "first_seen"):
        assert after[column] == before[column]
    assert len(rows(store, "SELECT * FROM review_log WHERE card_id = 'a'")) == 1


def test_removed_card_is_orphaned_and_returns_with_history(store, tmp_path):
    deck = write(tmp_path / "t.yaml", DECK)
    store.sync([deck], NOW)
    answer_card(store, "a")
    state = store.state("a")
    write(deck, "deck: T\ncards:\n  - {id: r, kind: reverse, front: ping, back: pong}\n")
    report = store.sync([deck], NOW)
    assert report.orphaned == ["a"]
    assert card(store, "a")["orphaned"] == 1
    write(deck, DECK)
    report = store.sync([deck], NOW)
    assert report.restored == ["a"]
    assert card(store, "a")["orphaned"] == 0
    assert store.state("a") == state


def test_removed_file_orphans_its_cards(store, tmp_path):
    one = write(tmp_path / "one.yaml", DECK)
    two = write(tmp_path / "two.yaml", "deck: U\ncards:\n  - {id: u, front: q, back: a}\n")
    store.sync([one, two], NOW)
    report = store.sync([two], NOW)
    assert sorted(report.orphaned) == ["a", "r", "r/reverse"]


def test_card_moved_to_another_file_keeps_history(store, tmp_path):
    one = write(tmp_path / "one.yaml", DECK)
    store.sync([one], NOW)
    answer_card(store, "a")
    write(one, "deck: T\ncards:\n  - {id: r, kind: reverse, front: ping, back: pong}\n")
    two = write(tmp_path / "two.yaml", "deck: U\ncards:\n  - {id: a, front: Question A, back: B}\n")
    store.sync([one, two], NOW)
    moved = card(store, "a")
    assert (moved["orphaned"], moved["deck"], moved["reps"]) == (0, "U", 1)
    assert moved["path"] == str(two.resolve())


def test_a_duplicate_id_skips_the_later_file_whole(store, tmp_path, monkeypatch):
    """The file that brings an id another file holds is skipped (reported, nothing of it
    written); the other file's changes are written."""
    monkeypatch.chdir(tmp_path)
    one = write(tmp_path / "one.yaml", DECK)
    store.sync([one], NOW)
    write(one, DECK.replace("Answer A", "Changed"))
    two = write(
        tmp_path / "two.yaml",
        "deck: U\ncards:\n  - {id: a, front: q, back: b}\n  - {id: u, front: q, back: b}\n",
    )
    report = store.sync([one, two], NOW)
    assert [str(p) for p in report.problems] == [
        "two.yaml:3: duplicate id 'a' (also at one.yaml:3)"
    ]
    assert card(store, "a")["back"] == "Changed"
    assert store.card("u") is None
    assert [r["path"] for r in rows(store, "SELECT path FROM files")] == [str(one.resolve())]
    # Fixed, the file comes in at the next sync.
    write(two, "deck: U\ncards:\n  - {id: u, front: q, back: b}\n")
    assert store.sync([one, two], NOW).added == ["u"]


def test_duplicate_against_an_unchanged_file_names_it(store, tmp_path):
    one = write(tmp_path / "one.yaml", DECK)
    store.sync([one], NOW)
    two = write(tmp_path / "two.yaml", "deck: U\ncards:\n  - {id: a, front: q, back: b}\n")
    report = store.sync([one, two], NOW)
    assert "duplicate id 'a' (also at" in str(report.problems[0])
    assert "one.yaml:3" in str(report.problems[0])
    assert rows(store, "SELECT count(*) AS n FROM cards") == [{"n": 3}]


def test_a_broken_file_keeps_its_last_good_state(store, tmp_path):
    """Never half a file: a file with a problem is skipped whole, its cards as they were,
    and it is read again next time."""
    deck = write(tmp_path / "t.yaml", DECK)
    store.sync([deck], NOW)
    snapshot = rows(store, "SELECT * FROM cards ORDER BY id")
    files = rows(store, "SELECT * FROM files")
    write(deck, DECK.replace("Answer A", "Changed") + "  - {id: z, front: only a front}\n")
    report = store.sync([deck], NOW)
    assert [p.line for p in report.problems] == [5]
    assert rows(store, "SELECT * FROM cards ORDER BY id") == snapshot
    assert rows(store, "SELECT * FROM files") == files
    assert store.sync([deck], NOW).problems  # still broken: read again, skipped again


def test_rename_moves_history(store, tmp_path):
    deck = write(tmp_path / "t.yaml", DECK)
    store.sync([deck], NOW)
    answer_card(store, "r")
    answer_card(store, "r/reverse")
    write(deck, DECK.replace("id: r,", "id: ping-pong,"))
    store.sync([deck], NOW)
    assert card(store, "r")["orphaned"] == 1 and card(store, "ping-pong")["reps"] == 0
    pairs = store.rename("r", "ping-pong")
    assert sorted(pairs) == [("r", "ping-pong"), ("r/reverse", "ping-pong/reverse")]
    renamed = card(store, "ping-pong")
    assert (renamed["reps"], renamed["orphaned"], renamed["note_id"]) == (1, 0, "ping-pong")
    log = rows(store, "SELECT card_id FROM review_log ORDER BY id")
    assert [r["card_id"] for r in log] == ["ping-pong", "ping-pong/reverse"]
    assert rows(store, "SELECT id FROM cards WHERE id LIKE 'r%'") == []
    # The next sync sees the file unchanged and keeps it that way.
    assert store.sync([deck], NOW).orphaned == []


def test_rename_refuses_to_mix_histories(store, tmp_path):
    deck = write(tmp_path / "t.yaml", DECK + "  - {id: b, front: Question B, back: Answer B}\n")
    store.sync([deck], NOW)
    answer_card(store, "a")
    answer_card(store, "b")
    write(
        deck,
        DECK.replace("  - {id: a, front: Question A, back: Answer A}\n", "")
        + "  - {id: b, front: Question B, back: Answer B}\n",
    )
    store.sync([deck], NOW)
    with pytest.raises(StoreError, match="already has 1 reviews"):
        store.rename("a", "b")


def test_answer_is_committed_with_its_log_row(store, tmp_path):
    store.sync([write(tmp_path / "t.yaml", DECK)], NOW)
    review_id = answer_card(store, "a", Rating.GOOD)
    # A second connection (another process) sees it at once.
    other = sqlite3.connect(store.path)
    log = other.execute(
        "SELECT card_id, rating, review_kind, phase_before, phase_after, answer_ms "
        "FROM review_log WHERE id = ?",
        (review_id,),
    ).fetchone()
    assert log == ("a", 3, "learn", "new", "learning", 1500)
    assert other.execute("SELECT phase, step FROM cards WHERE id = 'a'").fetchone() == (
        "learning",
        1,
    )
    other.close()


def test_undo_restores_state_and_removes_the_log_row(store, tmp_path):
    store.sync([write(tmp_path / "t.yaml", DECK)], NOW)
    answer_card(store, "a", Rating.GOOD)
    before = card(store, "a")
    review_id = answer_card(store, "a", Rating.AGAIN, NOW + timedelta(minutes=10))
    assert card(store, "a") != before
    assert store.undo(review_id) == "a"
    assert card(store, "a") == before
    assert len(rows(store, "SELECT * FROM review_log")) == 1


def test_stale_state_is_refused(store, tmp_path):
    store.sync([write(tmp_path / "t.yaml", DECK)], NOW)
    before = store.state("a")
    answer_card(store, "a")
    after = answer(before, Rating.EASY, now=NOW, config=CONFIG, seed=1)
    with pytest.raises(StaleStateError):
        store.record_answer("a", before, after, Rating.EASY, NOW)
    assert len(rows(store, "SELECT * FROM review_log")) == 1


def test_cram_answers_are_logged_without_rescheduling(store, tmp_path):
    store.sync([write(tmp_path / "t.yaml", DECK)], NOW)
    before = store.state("a")
    after = answer(before, Rating.EASY, now=NOW, config=CONFIG, seed=1)
    store.record_answer("a", before, after, Rating.EASY, NOW, cram=True)
    assert store.state("a") == before
    assert rows(store, "SELECT review_kind FROM review_log") == [{"review_kind": "cram"}]


def test_leech_flags_are_kept_and_undone(store, tmp_path):
    store.sync([write(tmp_path / "t.yaml", DECK)], NOW)
    leech_config = SchedulerConfig(fuzz=False, tz=UTC, leech_threshold=1, leech_action="suspend")
    state = CardState(phase="review", interval_days=10, ease=2.5, reps=5, due=NOW)
    with store.transaction():
        store.conn.execute(
            "UPDATE cards SET phase='review', interval_days=10, reps=5, due=? WHERE id='a'",
            (NOW.isoformat(),),
        )
    assert store.state("a") == state
    after = answer(state, Rating.AGAIN, now=NOW, config=leech_config, seed=1)
    assert after.leech and after.suspended
    review_id = store.record_answer("a", state, after, Rating.AGAIN, NOW)
    assert (card(store, "a")["leech"], card(store, "a")["suspended"]) == (1, 1)
    store.undo(review_id)
    assert (card(store, "a")["leech"], card(store, "a")["suspended"]) == (0, 0)


def test_new_database_has_the_latest_schema(tmp_path):
    with Store(tmp_path / "new.db") as s:
        assert s.version == SCHEMA_VERSION
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not list(tmp_path.glob("*.backup-*"))


def test_database_from_a_newer_drill_is_refused(tmp_path):
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer drill"):
        Store(path)


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable drill database"):
        Store(path)


def test_two_processes_answering_at_once_lose_nothing(tmp_path):
    """Two writers on one file: every answer lands, none fails with 'database is locked'."""
    deck = write(
        tmp_path / "t.yaml",
        "deck: T\ncards:\n"
        + "".join(f"  - {{id: c{i}, front: q{i}, back: a{i}}}\n" for i in range(60)),
    )
    db = tmp_path / "drill.db"
    with Store(db) as s:
        s.sync([deck], NOW)
    script = textwrap.dedent(f"""
        import sys
        from datetime import datetime, timezone
        from drill.scheduler import Rating, SchedulerConfig, answer
        from drill.storage import Store
        now = datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)
        config = SchedulerConfig(fuzz=False, tz=timezone.utc)
        parity = int(sys.argv[1])
        with Store({str(db)!r}) as store:
            for i in range(parity, 60, 2):
                for _ in range(3):
                    before = store.state(f"c{{i}}")
                    after = answer(before, Rating.GOOD, now=now, config=config, seed=i)
                    store.record_answer(f"c{{i}}", before, after, Rating.GOOD, now)
    """)
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(p)], stderr=subprocess.PIPE, text=True)
        for p in (0, 1)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with Store(db) as s:
        assert s.conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 180
        assert s.conn.execute("SELECT count(*) FROM cards WHERE reps = 3").fetchone()[0] == 60


def test_migration_upgrades_an_old_file_after_a_backup(tmp_path, monkeypatch):
    """A file at the previous schema is backed up, then upgraded in place, data intact."""
    import drill.storage.store as store_module

    path = tmp_path / "drill.db"
    deck = write(tmp_path / "t.yaml", DECK)
    with Store(path) as old:
        old.sync([deck], NOW)
        answer_card(old, "a")

    def add_flag_column(db):
        db["cards"].add_column("flag", int)

    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, add_flag_column])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Store(path) as upgraded:
        assert upgraded.version == SCHEMA_VERSION + 1
        assert "flag" in sqlite_utils.Database(upgraded.conn)["cards"].columns_dict
        assert upgraded.state("a").reps == 1
    backup = tmp_path / f"drill.db.backup-v{SCHEMA_VERSION}"
    assert backup.exists()
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 1
    conn.close()


def test_editing_one_card_leaves_the_others_dates_alone(store, tmp_path):
    """Regression: a sync batch mixing new and changed cards must not blank the dates of
    the unchanged ones (the Anki export dates notes by `content_changed`)."""
    deck = write(tmp_path / "t.yaml", DECK)
    store.sync([deck], NOW)
    later = NOW + timedelta(days=1)
    write(deck, DECK.replace("Answer A", "Answer A2") + "  - {id: n, front: New, back: N}\n")
    store.sync([deck], later)
    dates = {
        r["id"]: (r["first_seen"], r["content_changed"])
        for r in rows(store, "SELECT id, first_seen, content_changed FROM cards")
    }
    assert dates["a"] == (NOW.isoformat(), later.isoformat())
    assert dates["r"] == (NOW.isoformat(), NOW.isoformat())
    assert dates["n"] == (later.isoformat(), later.isoformat())
    assert store.note_changed_times() == {"a": later, "r": NOW, "n": later}


def test_tags_and_source_count_as_content(store, tmp_path):
    deck = write(tmp_path / "t.yaml", DECK)
    store.sync([deck], NOW)
    write(deck, DECK.replace("back: Answer A}", "back: Answer A, tags: [x]}"))
    assert store.sync([deck], NOW + timedelta(hours=1)).changed == ["a"]


def test_sync_without_prune_leaves_other_files_alone(store, tmp_path):
    one = write(tmp_path / "one.yaml", DECK)
    two = write(tmp_path / "two.yaml", "deck: U\ncards:\n  - {id: u, front: q, back: a}\n")
    store.sync([one, two], NOW)
    report = store.sync([two], NOW, prune=False)
    assert report.orphaned == []
    assert card(store, "a")["orphaned"] == 0


def test_two_processes_syncing_a_new_database_at_once(tmp_path):
    """Both start on an empty file: one creates and fills it, the other waits and finds
    everything in place (no 'UNIQUE constraint failed', no 'database is locked')."""
    deck = write(
        tmp_path / "t.yaml",
        "deck: T\ncards:\n"
        + "".join(f"  - {{id: c{i}, front: q{i}, back: a{i}}}\n" for i in range(300)),
    )
    db = tmp_path / "drill.db"
    script = textwrap.dedent(f"""
        from datetime import datetime, timezone
        from pathlib import Path
        from drill.storage import Store
        with Store({str(db)!r}) as store:
            store.sync([Path({str(deck)!r})], datetime(2026, 11, 29, tzinfo=timezone.utc))
    """)
    for _ in range(3):
        db.unlink(missing_ok=True)
        procs = [
            subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        with Store(db) as s:
            assert s.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 300


def test_rename_needs_the_old_id_gone_and_the_new_one_present(store, tmp_path):
    deck = write(tmp_path / "t.yaml", DECK)
    store.sync([deck], NOW)
    answer_card(store, "a")
    with pytest.raises(StoreError, match="'a' is still in"):
        store.rename("a", "b")  # both live: that would move a's history onto b
    write(deck, DECK.replace("id: a,", "id: alpha,"))
    store.sync([deck], NOW)
    with pytest.raises(StoreError, match="'nowhere' is not in any deck file"):
        store.rename("a", "nowhere")
    assert store.state("a").reps == 1  # nothing moved
    assert store.rename("a", "alpha") == [("a", "alpha")]


@pytest.mark.parametrize(
    "zone", ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe"]
)
def test_reviews_per_day_periods_match_the_day_rule_of_each_review(store, tmp_path, zone):
    """Counting per hour (or per minute in half-hour zones) gives each review the day the
    scheduler's rule gives its own moment, across DST changes too."""
    from zoneinfo import ZoneInfo

    from drill.scheduler import SchedulerConfig, scheduling_day
    from drill.services.stats import reviews_per_day

    store.sync([write(tmp_path / "t.yaml", DECK)], NOW)
    config = SchedulerConfig(tz=ZoneInfo(zone))
    when = datetime(2026, 3, 20, tzinfo=UTC)  # Berlin and St John's change clocks in March
    moments = [when + timedelta(minutes=m) for m in range(0, 20 * 24 * 60, 97)]
    for moment in moments:
        before = store.state("a")
        store.record_answer(
            "a", before, answer(before, Rating.AGAIN, now=moment, config=CONFIG, seed=1), 1, moment
        )
    expected: dict[str, int] = {}
    for moment in moments:
        day = scheduling_day(moment, config).isoformat()
        expected[day] = expected.get(day, 0) + 1
    assert reviews_per_day(store, when - timedelta(days=1), config, None) == expected


# --------------------------------------------------------------------------- schema v3


def test_a_deck_file_s_renamed_moves_history_at_sync(store, tmp_path):
    deck = write(tmp_path / "t.yaml", DECK)
    store.sync([deck], NOW)
    answer_card(store, "a")
    answer_card(store, "r/reverse")
    renamed = DECK.replace("id: a,", "id: apple,").replace("id: r,", "id: rr,")
    write(deck, "renamed:\n  a: apple\n  r: rr\n" + renamed)
    report = store.sync([deck], NOW)
    assert sorted(report.renamed) == [("a", "apple"), ("r", "rr"), ("r/reverse", "rr/reverse")]
    assert store.state("apple").reps == 1 and store.state("rr/reverse").reps == 1
    assert [r["card_id"] for r in rows(store, "SELECT card_id FROM review_log ORDER BY id")] == [
        "apple",
        "rr/reverse",
    ]
    assert store.card("a") is None and store.rename_hints() == []
    assert store.sync([deck], NOW).renamed == []  # nothing left to move


def test_a_changed_id_with_the_same_text_is_hinted(store, tmp_path):
    deck = write(tmp_path / "t.yaml", DECK)
    store.sync([deck], NOW)
    answer_card(store, "a")
    write(deck, DECK.replace("id: a,", "id: apple,"))
    store.sync([deck], NOW)
    assert store.rename_hints() == [("a", "apple")]


def test_tables_are_strict_with_checks_and_the_log_follows_its_card(store, tmp_path):
    deck = write(tmp_path / "t.yaml", DECK)
    store.sync([deck], NOW)
    answer_card(store, "a")
    schema = {row[0]: row[1] for row in store.conn.execute("SELECT name, sql FROM sqlite_master")}
    assert schema["cards"].rstrip().endswith("STRICT") and "CHECK" in schema["cards"]
    assert "REFERENCES cards (id) ON UPDATE CASCADE" in schema["review_log"]
    for bad in (
        "UPDATE cards SET phase = 'dormant' WHERE id = 'a'",
        "UPDATE cards SET reps = 'many' WHERE id = 'a'",
        "UPDATE review_log SET rating = 5",
        "INSERT INTO review_log (card_id, reviewed_at, rating, review_kind) "
        "VALUES ('nope', '2026', 3, 'learn')",
        "DELETE FROM cards WHERE id = 'a'",  # a card with history cannot go
    ):
        with pytest.raises(sqlite3.IntegrityError):
            store.conn.execute(bad)
    store.conn.execute("UPDATE cards SET id = 'a2' WHERE id = 'a'")
    assert [r["card_id"] for r in rows(store, "SELECT card_id FROM review_log")] == ["a2"]


def test_a_v2_database_becomes_strict_with_its_data(tmp_path, monkeypatch):
    import drill.storage.store as store_module

    path = tmp_path / "drill.db"
    deck = write(tmp_path / "t.yaml", DECK)
    with monkeypatch.context() as patch:
        patch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:2])
        patch.setattr(store_module, "SCHEMA_VERSION", 2)
        patch.setattr(store_module, "CURRENT_SCHEMA", [])
        with Store(path) as old:
            old.conn.execute(
                "INSERT INTO cards (id, note_id, deck, kind, front, back, tags, path, line, "
                "position, ordinal, content_hash, suspended) VALUES "
                "('a', 'a', 'T', 'basic', 'Question A', 'Answer A', NULL, ?, 3, 1, 0, 'h', NULL)",
                (str(deck.resolve()),),
            )
            old.conn.execute(
                "INSERT INTO review_log (card_id, reviewed_at, rating, review_kind, "
                "phase_before, phase_after, answer_ms, state_before) VALUES "
                "('a', '2026-11-29T09:00:00+00:00', 3, 'learn', 'new', 'learning', NULL, '{}'), "
                "('gone', '2026-11-29T09:01:00+00:00', 3, 'learn', 'new', 'learning', 5, '{}')"
            )
            assert old.version == 2
    with Store(path) as upgraded:
        assert upgraded.version == store_module.SCHEMA_VERSION
        a = upgraded.card("a")
        assert (a.front, a.tags, a.suspended) == ("Question A", (), False)
        log = rows(upgraded, "SELECT card_id, answer_ms FROM review_log ORDER BY id")
        assert log == [{"card_id": "a", "answer_ms": 0}, {"card_id": "gone", "answer_ms": 5}]
        assert upgraded.card("gone").orphaned  # kept, under an orphan
        assert upgraded.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert (tmp_path / "drill.db.backup-v2").exists()


def test_renamed_can_move_one_card_of_a_note(store, tmp_path):
    """A cloze rewritten as a basic card: its first deletion's history goes to the new card."""
    deck = write(
        tmp_path / "t.yaml",
        "deck: T\ncards:\n  - {id: z, kind: cloze, text: '{{c1::a}} {{c2::b}}'}\n",
    )
    store.sync([deck], NOW)
    answer_card(store, "z/c1")
    write(deck, "deck: T\nrenamed:\n  z/c1: zb\ncards:\n  - {id: zb, front: Q, back: A}\n")
    assert store.sync([deck], NOW).renamed == [("z/c1", "zb")]
    assert store.state("zb").reps == 1 and store.card("z/c2").orphaned


def test_a_new_file_has_the_schema_the_migrations_end_with(tmp_path, monkeypatch):
    import drill.storage.store as store_module

    def schema(path):
        conn = sqlite3.connect(path)
        try:
            rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
            # A renamed table's text says "cards" where a created one says cards.
            return sorted((t, n, (sql or "").replace('"', "")) for t, n, sql in rows)
        finally:
            conn.close()

    with Store(tmp_path / "new.db"):
        pass
    # An old file walked up through every migration: v1 made by the first one alone.
    with monkeypatch.context() as patch:
        patch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:1])
        patch.setattr(store_module, "SCHEMA_VERSION", 1)
        patch.setattr(store_module, "CURRENT_SCHEMA", [])  # force the migration path
        with Store(tmp_path / "old.db") as old:
            assert old.version == 1
    with Store(tmp_path / "old.db") as upgraded:
        assert upgraded.version == SCHEMA_VERSION
    assert schema(tmp_path / "new.db") == schema(tmp_path / "old.db")
