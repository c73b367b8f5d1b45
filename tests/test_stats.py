"""`drill stats` counts each review on the scheduling day it was done, by the same day rule as
the scheduler (the day starts at 04:00 local time), whatever the UTC offset is today."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

from drill.scheduler import CardState, Rating
from drill.storage import Store


def test_reviews_keep_their_day_across_a_dst_change(tmp_path):
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "s.yaml").write_text(
        "deck: S\ncards:\n  - {id: a, front: Q, back: A}\n  - {id: b, front: Q2, back: A2}\n",
        encoding="utf-8",
    )
    (tmp_path / "config.yaml").write_text(f"bundled: false\ndecks: [{decks}]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRILL_")}
    env.update(
        DRILL_CONFIG=str(tmp_path / "config.yaml"),
        DRILL_DB=str(tmp_path / "drill.db"),
        DRILL_NOW="2027-01-15T12:00:00+01:00",  # read in winter (CET, UTC+1)
        TZ="Europe/Berlin",
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )

    def drill(*args: str) -> str:
        run = subprocess.run(
            [sys.executable, "-m", "drill", *args], env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        return run.stdout

    drill("due")  # sync the deck into the store
    with Store(tmp_path / "drill.db") as store:
        # Summer (CEST, UTC+2): 04:30 local on July 10 is that day; 03:30 is still July 9.
        for card_id, moment in (
            ("a", datetime(2026, 7, 10, 2, 30, tzinfo=UTC)),
            ("b", datetime(2026, 7, 10, 1, 30, tzinfo=UTC)),
        ):
            before = store.state(card_id)
            after = CardState(phase="learning", reps=1, due=moment, last_review=moment)
            store.record_answer(card_id, before, after, Rating.GOOD, moment)
    per_day = json.loads(drill("stats", "--json"))["reviews_per_day"]
    assert per_day == {"2026-07-09": 1, "2026-07-10": 1}
