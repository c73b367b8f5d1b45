"""`drill due` (and bare `drill`): what a quiz started now would show, per deck."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, NamedTuple

from drill.options import DailyLimits
from drill.scheduler import day_start
from drill.services.workspace import Workspace


# NamedTuples, not dataclasses: `drill due` runs in shell prompts, and defining a dataclass
# costs a millisecond at start-up.
class Counts(NamedTuple):
    new: int = 0
    learning: int = 0
    review: int = 0

    def to_json(self) -> dict[str, int]:
        return {"new": self.new, "learning": self.learning, "review": self.review}

    def plus(self, other: Counts) -> Counts:
        return Counts(
            self.new + other.new, self.learning + other.learning, self.review + other.review
        )


class DueReport(NamedTuple):
    decks: dict[str, Counts]  # every deck with live cards, zeros included, by name

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.decks.values():
            total = total.plus(counts)
        return total

    def to_json(self) -> dict[str, Any]:
        return {
            "decks": {deck: c.to_json() for deck, c in self.decks.items()},
            "total": self.total.to_json(),
        }


def due(ws: Workspace) -> DueReport:
    """Per deck: (new, learning, review) a quiz started now would show, daily limits applied
    as the study queue applies them (drill.services.study)."""
    config = ws.config
    now = ws.now
    start = day_start(now, config)
    daily = DailyLimits(ws.options_for, ws.store.done_today(start))
    raw = ws.store.due_counts(
        now, start + timedelta(days=1), now + timedelta(minutes=config.learn_ahead_minutes)
    )
    counts: dict[str, Counts] = {}
    for deck in ws.store.decks():  # in deck-file order, as the quiz fills its queue
        new, learning, review = raw.get(deck, (0, 0, 0))
        new = min(new, daily.available("new", deck))
        review = min(review, daily.available("review", deck))
        daily.take("new", deck, new)
        daily.take("review", deck, review)
        counts[deck] = Counts(new, learning, review)
    return DueReport(dict(sorted(counts.items())))
