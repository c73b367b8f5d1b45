"""A study session's queue, built as Anki builds it.

Order: (re)learning cards whose step is due now; then reviews due today (interday learning
steps included), oldest first; then new cards in deck order; then, when nothing else is
left, learning cards due within the learn-ahead limit (20 minutes). Daily limits (new cards
and reviews per deck) are counted from the review log, so two sessions on one day share them.
Cards answered into a learning step come back in the same session when their step is due.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from drill.model import deck_matches
from drill.options import DailyLimits, DeckOptions
from drill.scheduler import CardState, day_start
from drill.store import Store, iso, state_from_row


class StudyCard:
    """A card as the session shows it: its stored row, and its scheduling state (read from
    the row when first needed: counting 10,000 cards should not build 10,000 states)."""

    __slots__ = ("row", "_state")

    def __init__(self, row: Any, state: CardState | None = None):
        self.row = row
        self._state = state

    @property
    def state(self) -> CardState:
        if self._state is None:
            self._state = state_from_row(self.row)
        return self._state

    @property
    def due_key(self) -> str:
        """The due time as stored (UTC ISO text), for sorting without parsing."""
        if self._state is not None:  # answered in this session: the row is out of date
            return iso(self._state.due) or ""
        return self.row["due"] or ""

    @property
    def id(self) -> str:
        return self.row["id"]

    @property
    def deck(self) -> str:
        return self.row["deck"]

    @property
    def seed(self) -> int:
        # Anki seeds fuzz with card id + reps: stable for one card at one review count.
        return zlib.crc32(self.id.encode("utf-8")) + self.state.reps

    @property
    def tags(self) -> list[str]:
        return json.loads(self.row["tags"] or "[]")


@dataclass
class Filters:
    deck: str | None = None
    tag: str | None = None
    kind: str | None = None

    def match(self, row: Any) -> bool:
        if self.deck is not None and not deck_matches(row["deck"], self.deck):
            return False
        if self.kind is not None and row["kind"] != self.kind:
            return False
        return self.tag is None or self.tag in json.loads(row["tags"] or "[]")


@dataclass
class Session:
    store: Store
    options_for: Callable[[str], DeckOptions]
    filters: Filters = field(default_factory=Filters)
    new_limit: int | None = None  # --new: overrides the per-deck daily new limit
    review_limit: int | None = None  # --limit: overrides the per-deck daily review limit
    cram: bool = False
    learning: list[StudyCard] = field(default_factory=list)
    reviews: list[StudyCard] = field(default_factory=list)
    new: list[StudyCard] = field(default_factory=list)
    first: StudyCard | None = None  # shown before anything else (after an undo)

    def build(self, now: datetime) -> None:
        """Fill the queues from the store as of `now`."""
        self.learning, self.reviews, self.new = [], [], []
        rows = [r for r in self.store.study_rows(now) if self.filters.match(r)]
        if self.cram:
            # Like a filtered deck without rescheduling: every selected card, in deck order.
            self.new = [StudyCard(r) for r in rows]
            return
        config = self.options_for("").scheduler
        daily = DailyLimits(self.options_for, self.store.done_today(day_start(now, config)))
        # --new / --limit replace the daily limits for this session.
        session_left = {"new": self.new_limit, "review": self.review_limit}

        def take(limit: str, card: StudyCard, queue: list[StudyCard]) -> None:
            budget = session_left[limit]
            if budget is not None:
                if budget > 0:
                    session_left[limit] = budget - 1
                    queue.append(card)
            elif daily.available(limit, card.deck) > 0:
                daily.take(limit, card.deck)
                queue.append(card)

        # Compared as stored UTC text: no need to parse 10,000 due dates to count them.
        tomorrow = iso(day_start(now, config) + timedelta(days=1)) or ""
        for row in rows:
            card = StudyCard(row)
            phase = row["phase"]
            if phase == "new":
                take("new", card, self.new)
            elif phase in ("learning", "relearning") and not row["interday"]:
                self.learning.append(card)
            elif card.due_key < tomorrow:
                take("review", card, self.reviews)
        self.reviews.sort(key=lambda c: c.due_key)
        self.learning.sort(key=lambda c: c.due_key)

    def _learn_ahead(self) -> timedelta:
        return timedelta(minutes=self.options_for("").scheduler.learn_ahead_minutes)

    def next(self, now: datetime) -> StudyCard | None:
        """The card to show at `now`, or None when the session is over."""
        if self.first is not None:
            return self.first
        self.learning.sort(key=lambda c: c.due_key)
        if self.learning and (self.learning[0].state.due or now) <= now:
            return self.learning[0]
        if self.reviews:
            return self.reviews[0]
        if self.new:
            return self.new[0]
        if self.learning and (self.learning[0].state.due or now) <= now + self._learn_ahead():
            return self.learning[0]
        return None

    def counts(self, now: datetime) -> tuple[int, int, int]:
        """(new, learning, review) still to come in this session, for the status line."""
        horizon = iso(now + self._learn_ahead()) or ""
        new, learning, review = (
            len(self.new),
            sum(1 for c in self.learning if c.due_key <= horizon),
            len(self.reviews),
        )
        if self.first is not None:  # the card an undo brought back counts where it belongs
            phase = self.first.state.phase
            if phase == "new":
                new += 1
            elif phase in ("learning", "relearning") and not self.first.state.interday:
                learning += 1
            else:
                review += 1
        return new, learning, review

    def remove(self, card_id: str) -> None:
        if self.first is not None and self.first.id == card_id:
            self.first = None
        for queue in (self.learning, self.reviews, self.new):
            queue[:] = [c for c in queue if c.id != card_id]

    def answered(self, card: StudyCard, after: CardState, now: datetime) -> None:
        """Take the card off its queue; a card now in a same-day learning step comes back."""
        self.remove(card.id)
        if self.cram:
            return
        if (
            after.phase in ("learning", "relearning")
            and not after.interday
            and not (after.suspended)
        ):
            config = self.options_for(card.deck).scheduler
            if after.due is not None and after.due < day_start(now, config) + timedelta(days=1):
                self.learning.append(StudyCard(card.row, after))

    def put_back(self, card: StudyCard, current: StudyCard | None = None) -> None:
        """After undo: the card is shown again first; the card that was on screen goes back
        to the front of its queue."""
        self.remove(card.id)
        if current is not None and current.id != card.id:
            self.remove(current.id)
            if current.state.phase in ("learning", "relearning") and not current.state.interday:
                self.learning.insert(0, current)
            elif current.state.phase == "new":
                self.new.insert(0, current)
            else:
                self.reviews.insert(0, current)
        self.first = card

    def requeue_cram(self, card: StudyCard) -> None:
        """In cram mode, a card answered Again comes back at the end."""
        self.new.append(card)
