"""Synthetic benchmark data: deck files, a synced store with a year of reviews, a config.

Everything is generated from a fixed seed in a temporary folder, so two runs measure the same
work. Card counts are exact: `write_decks(folder, cards=10_000)` yields 10,000 cards.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

# A fixed "now" for every process (DRILL_NOW) so every run sees the same due cards.
NOW_TEXT = "2026-06-01T09:00:00+00:00"
NOW = datetime.fromisoformat(NOW_TEXT)

# fmt: off
WORDS = (
    "cache", "shard", "replica", "leader", "quorum", "queue", "stream", "batch", "index",
    "latency", "throughput", "partition", "consistency", "availability", "durability", "bandwidth",
    "storage", "request", "client", "server", "region", "zone", "failover", "snapshot",
    "compaction", "bloom", "filter", "hash", "ring", "token", "bucket", "window", "backpressure",
)
# fmt: on

UNITS = ("ms", "s", "MB/s", "GB", "TB", "QPS", "/s", "KB", "us", "Gbps")

# Cards each kind yields with the fields generated below (see the README's kinds table).
CARDS_PER_NOTE = {
    "basic": 1,
    "reverse": 2,
    "cloze": 2,
    "number": 1,
    "requirement": 2,
    "tradeoff": 3,
    "pitfall": 1,
    "prompt": 3,
}
KIND_CYCLE = (
    "basic",
    "basic",
    "number",
    "cloze",
    "reverse",
    "basic",
    "requirement",
    "number",
    "tradeoff",
    "pitfall",
    "prompt",
    "basic",
)


def _phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _q(text: str) -> str:
    """A double-quoted YAML scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _note_yaml(rng: random.Random, kind: str, note_id: str) -> str:
    lines = [f"  - id: {note_id}", f"    kind: {kind}"]
    if kind in ("basic", "reverse"):
        lines += [
            f"    front: {_q('What is the ' + _phrase(rng, 6) + '?')}",
            f"    back: {_q(_phrase(rng, 12).capitalize() + '.')}",
        ]
    elif kind == "cloze":
        text = (
            f"{_phrase(rng, 4)} {{{{c1::{_phrase(rng, 2)}}}}} {_phrase(rng, 3)} "
            f"{{{{c2::{rng.randint(2, 999)}::how many?}}}} {_phrase(rng, 2)}"
        )
        lines.append(f"    text: {_q(text)}")
    elif kind == "number":
        value = rng.choice((1, 1.5, 2, 3, 12, 40, 125, 250, 800))
        lines += [
            f"    front: {_q('How much ' + _phrase(rng, 5) + '?')}",
            f"    answer: {value} {rng.choice(UNITS)}",
            "    tolerance: 20%",
        ]
    elif kind == "requirement":
        lines += [
            f"    dimension: {_q(_phrase(rng, 1).capitalize())}",
            f"    question: {_q(_phrase(rng, 8).capitalize() + '?')}",
            f"    why: {_q(_phrase(rng, 10).capitalize() + '.')}",
        ]
    elif kind == "tradeoff":
        lines += [
            f"    decision: {_q(_phrase(rng, 6).capitalize())}",
            f"    pros: [{_q(_phrase(rng, 4))}, {_q(_phrase(rng, 5))}]",
            f"    cons: [{_q(_phrase(rng, 4))}]",
            f"    accepted_because: {_q(_phrase(rng, 9).capitalize() + '.')}",
        ]
    elif kind == "pitfall":
        lines += [
            f"    pitfall: {_q(_phrase(rng, 6).capitalize())}",
            f"    fix: {_q(_phrase(rng, 8).capitalize() + '.')}",
            f"    why: {_q(_phrase(rng, 8).capitalize() + '.')}",
        ]
    elif kind == "prompt":
        lines += [
            f"    prompt: {_q('Design a ' + _phrase(rng, 3) + '.')}",
            f"    challenges: [{_q(_phrase(rng, 3))}, {_q(_phrase(rng, 3))}]",
            f"    deep_dives: [{_q(_phrase(rng, 3))}]",
            f"    building_blocks: [{_q(_phrase(rng, 2))}, {_q(_phrase(rng, 2))}]",
        ]
    if rng.random() < 0.2:
        lines.append(f"    tags: [{rng.choice(WORDS)}]")
    if rng.random() < 0.1:
        lines.append(f"    note: {_q(_phrase(rng, 8))}")
    return "\n".join(lines)


@dataclass
class Decks:
    folder: Path
    files: list[Path]
    notes: int
    cards: int


def write_decks(
    folder: Path,
    cards: int | None = None,
    files: int = 50,
    seed: int = 1,
    *,
    notes: int | None = None,
) -> Decks:
    """Deck files holding exactly `cards` cards, or exactly `notes` notes (a mix of every
    kind), across `files` files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    kinds: list[str] = []
    total = 0
    i = 0
    while (notes is not None and len(kinds) < notes) or (cards is not None and total < cards):
        kind = KIND_CYCLE[i % len(KIND_CYCLE)]
        if cards is not None and total + CARDS_PER_NOTE[kind] > cards:
            kind = "basic"
        kinds.append(kind)
        total += CARDS_PER_NOTE[kind]
        i += 1
    per_file = -(-len(kinds) // files)
    paths = []
    for f in range(files):
        chunk = kinds[f * per_file : (f + 1) * per_file]
        if not chunk:
            break
        group = f // 10
        body = [
            f"deck: Bench {group}::Topic {f:02d}",
            f"description: {_q('Synthetic deck ' + str(f))}",
            f"tags: [bench, group{group}]",
            "cards:",
        ]
        for j, kind in enumerate(chunk):
            body.append(_note_yaml(rng, kind, f"b{f:02d}-{kind[:3]}-{j:05d}"))
        path = folder / f"deck-{f:02d}.yaml"
        path.write_text("\n".join(body) + "\n", encoding="utf-8")
        paths.append(path)
    return Decks(folder, paths, len(kinds), total)


def write_config(path: Path, decks: Path) -> Path:
    """A config file that reads only `decks` (no bundled decks)."""
    path.write_text(f"bundled: false\ndecks: [{_q(str(decks))}]\n", encoding="utf-8")
    return path


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def age_store(db: Path, reviews: int = 100_000, seed: int = 2) -> None:
    """Make a synced store look like a year of use: ~70% of its cards studied (review,
    learning and relearning states, due around now) and `reviews` review-log rows spread over
    the last 365 days, inserted directly with SQL."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    ids = [row[0] for row in conn.execute("SELECT id FROM cards ORDER BY id")]
    studied = ids[: int(len(ids) * 0.7)]
    rng.shuffle(studied)
    updates = []
    for card_id in studied:
        roll = rng.random()
        if roll < 0.9:
            phase, interval = "review", rng.randint(1, 200)
            due = NOW.replace(hour=4, minute=0) + timedelta(days=rng.randint(-5, interval))
        elif roll < 0.95:
            phase, interval = "learning", 0
            due = NOW + timedelta(minutes=rng.randint(-60, 60))
        else:
            phase, interval = "relearning", rng.randint(1, 30)
            due = NOW + timedelta(minutes=rng.randint(-60, 60))
        ease = rng.choice((1.3, 1.85, 2.1, 2.3, 2.5, 2.5, 2.5, 2.65, 2.8))
        reps = rng.randint(1, 30)
        lapses = rng.choice((0, 0, 0, 1, 2, 9))
        last = due - timedelta(days=max(interval, 1))
        updates.append(
            (phase, interval, ease, reps, lapses, _iso(due), _iso(last), int(lapses >= 8), card_id)
        )
    conn.executemany(
        "UPDATE cards SET phase = ?, interval_days = ?, ease = ?, reps = ?, lapses = ?, "
        "due = ?, last_review = ?, leech = ? WHERE id = ?",
        updates,
    )
    # Up to the end of yesterday, so today's new-card limits are untouched.
    start = NOW.replace(hour=0, minute=0, second=0) - timedelta(days=365)
    kinds = ("learn", "review", "review", "review", "relearn")
    rows = []
    for _ in range(reviews):
        at = start + timedelta(seconds=rng.randint(0, 365 * 86_400 - 1))
        kind = rng.choice(kinds)
        rating = rng.choice((1, 2, 3, 3, 3, 3, 4))
        ivl = rng.randint(1, 120)
        rows.append(
            (
                rng.choice(studied),
                _iso(at),
                rating,
                kind,
                "review" if kind == "review" else "learning",
                "relearning" if rating == 1 else "review",
                ivl,
                1 if rating == 1 else int(ivl * 2.5),
                2.5,
                2.3 if rating == 1 else 2.5,
                _iso(at + timedelta(days=ivl)),
                rng.randint(1_500, 20_000),
            )
        )
    rows.sort(key=lambda r: r[1])
    conn.executemany(
        "INSERT INTO review_log (card_id, reviewed_at, rating, review_kind, phase_before, "
        "phase_after, interval_before, interval_after, ease_before, ease_after, due_after, "
        "answer_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
