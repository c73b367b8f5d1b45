"""A study session, as Anki's reviewer runs one, without a terminal.

`next()` gives the card to show with the four outcomes its answers would lead to;
`answer()` records one (committed before the next card is shown); `undo()` takes back the
last answer, suspend or bury of the session, as Anki keeps undo in the collection and not in
the screen that shows the card. The terminal reviewer (drill.ui.reviewer) is a loop over this.

The queue is built as Anki builds it: (re)learning cards whose step is due now; then reviews
due today (interday learning steps included), oldest first; then new cards in study order
(deck order, or a deck file's `order:`); then, when nothing else is left, learning cards due
within the learn-ahead limit (20 minutes). Daily limits (new cards and reviews per deck) are
counted from the review log, so two sessions on one day share them. A card answered into a
learning step comes back in the same session when its step is due. Answering a card buries
its siblings (the other cards of its note) until tomorrow, unless `bury_siblings: false`.
Building the queue writes nothing.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from drill.fsrs_scheduler import next_states
from drill.model import deck_matches
from drill.options import DailyLimits
from drill.scheduler import CardState, Rating, day_start
from drill.services.errors import DrillError
from drill.services.workspace import Workspace
from drill.storage import CardRecord, Flags, StaleStateError, iso

if TYPE_CHECKING:
    from drill.grading import Grade
    from drill.problems import ProblemInstance
    from drill.problems.attempt import Attempt

MAX_ANSWER_MS = 60_000  # as Anki: a card left on screen counts one minute at most
MAX_PROBLEM_MS = 30 * 60_000  # a problem takes minutes: its time counts up to half an hour


@dataclass(frozen=True)
class Filters:
    deck: str | None = None
    tag: str | None = None
    kind: str | None = None

    def match(self, card: CardRecord) -> bool:
        if self.deck is not None and not deck_matches(card.deck, self.deck):
            return False
        if self.kind is not None and card.kind != self.kind:
            return False
        return self.tag is None or self.tag in card.tags


def fuzz_seed(card_id: str, reps: int) -> int:
    """Anki seeds fuzz with card id + reps: stable for one card at one review count."""
    return zlib.crc32(card_id.encode("utf-8")) + reps


@dataclass(frozen=True)
class Prompt:
    """A card to show: the card, and the state each of the four answers would lead to."""

    card: CardRecord
    outcomes: dict[Rating, CardState]
    shown_at: datetime

    @property
    def state(self) -> CardState:
        return self.card.state


@dataclass(frozen=True)
class Answered:
    card_id: str
    rating: Rating
    after: CardState
    review_id: int
    leech: bool  # the answer made it a leech (tagged, or suspended by leech_action)
    buried: tuple[str, ...] = ()  # siblings buried until tomorrow


@dataclass(frozen=True)
class _UndoAnswer:
    review_id: int
    card_id: str
    rating: Rating
    siblings: tuple[tuple[str, Flags], ...]  # buried by the answer, with their flags before


@dataclass(frozen=True)
class _UndoFlags:
    action: str  # "suspend" | "bury"
    card_id: str
    before: Flags


@dataclass(frozen=True)
class Undone:
    what: str  # "answer" | "suspend" | "bury"
    card_id: str


@dataclass
class Summary:
    answered: int = 0
    again: int = 0


@dataclass
class StudySession:
    ws: Workspace
    clock: Callable[[], datetime]
    filters: Filters = field(default_factory=Filters)
    new_limit: int | None = None  # --new: replaces the per-deck daily new limit
    review_limit: int | None = None  # --limit: replaces the per-deck daily review limit
    cram: bool = False
    assume: bool = False  # problems: the user proposes the inputs (assumption mode)
    timed: bool = False  # problems: a countdown of the template's time budget
    timer: Callable[[], float] = time.monotonic  # seconds, for the time a problem takes
    summary: Summary = field(default_factory=Summary)
    learning: list[CardRecord] = field(default_factory=list)
    reviews: list[CardRecord] = field(default_factory=list)
    new: list[CardRecord] = field(default_factory=list)
    first: CardRecord | None = None  # shown before anything else (after an undo)
    _undo: list[Any] = field(default_factory=list)
    _templates: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ws.check_deck(self.filters.deck)
        self._build(self.clock())

    # ----------------------------------------------------------------------- the queue

    def _build(self, now: datetime) -> None:
        cards = [c for c in self.ws.store.cards(now) if self.filters.match(c)]
        if self.cram:
            # Like a filtered deck without rescheduling: every selected card, in deck order.
            self.new = cards
            return
        config = self.ws.config
        daily = DailyLimits(self.ws.options_for, self.ws.store.done_today(day_start(now, config)))
        # --new / --limit replace the daily limits for this session.
        session_left = {"new": self.new_limit, "review": self.review_limit}

        def take(limit: str, card: CardRecord, queue: list[CardRecord]) -> None:
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
        for card in cards:
            phase = card.phase
            if phase == "new":
                take("new", card, self.new)
            elif phase in ("learning", "relearning") and not card.interday:
                self.learning.append(card)
            elif card.due_key < tomorrow:
                take("review", card, self.reviews)
        self.reviews.sort(key=lambda c: c.due_key)
        self.learning.sort(key=lambda c: c.due_key)

    def _learn_ahead(self) -> timedelta:
        return timedelta(minutes=self.ws.config.learn_ahead_minutes)

    def _next_card(self, now: datetime) -> CardRecord | None:
        if self.first is not None:
            return self.first
        self.learning.sort(key=lambda c: c.due_key)
        if self.learning and (self.learning[0].due or now) <= now:
            return self.learning[0]
        if self.reviews:
            return self.reviews[0]
        if self.new:
            return self.new[0]
        if self.learning and (self.learning[0].due or now) <= now + self._learn_ahead():
            return self.learning[0]
        return None

    def next(self) -> Prompt | None:
        """The card to show now, or None when the session is over."""
        now = self.clock()
        card = self._next_card(now)
        if card is None:
            return None
        return Prompt(card, self._outcomes(card, now), now)

    def _outcomes(self, card: CardRecord, now: datetime) -> dict[Rating, CardState]:
        """SM-2 or FSRS, as the card's deck preset says (drill.fsrs_scheduler)."""
        options = self.ws.options_for(card.deck)
        return next_states(card.state, now, options, seed=fuzz_seed(card.id, card.state.reps))

    def counts(self) -> tuple[int, int, int]:
        """(new, learning, review) still to come in this session, for the status line."""
        horizon = iso(self.clock() + self._learn_ahead()) or ""
        new, learning, review = (
            len(self.new),
            sum(1 for c in self.learning if c.due_key <= horizon),
            len(self.reviews),
        )
        if self.first is not None:  # the card an undo brought back counts where it belongs
            phase = self.first.phase
            if phase == "new":
                new += 1
            elif phase in ("learning", "relearning") and not self.first.interday:
                learning += 1
            else:
                review += 1
        return new, learning, review

    def _remove(self, card_id: str) -> None:
        if self.first is not None and self.first.id == card_id:
            self.first = None
        for queue in (self.learning, self.reviews, self.new):
            queue[:] = [c for c in queue if c.id != card_id]

    def skip(self, card_id: str) -> None:
        """Leave a card out of the rest of this session (nothing is written)."""
        self._remove(card_id)

    # ----------------------------------------------------------------------- answering

    def answer(
        self,
        prompt: Prompt,
        rating: Rating | int,
        *,
        answer_ms: int = 0,
        typed_answer: str | None = None,
        grade: str | None = None,
    ) -> Answered:
        """Record an answer to the card of `prompt`, now. DrillError when another drill
        process answered the card meanwhile (nothing is written; it leaves this session)."""
        rating = Rating(rating)
        card = prompt.card
        now = self.clock()
        # At the moment of the answer, as Anki does (the prompt's outcomes are for showing).
        after = (
            self._outcomes(card, now)[rating] if now != prompt.shown_at else prompt.outcomes[rating]
        )
        try:
            review_id = self.ws.store.record_answer(
                card.id,
                card.state,
                after,
                rating,
                now,
                answer_ms=min(
                    max(answer_ms, 0),
                    MAX_PROBLEM_MS if card.kind == "problem" else MAX_ANSWER_MS,
                ),
                typed_answer=typed_answer,
                grade=grade,
                cram=self.cram,
            )
        except StaleStateError:
            self._remove(card.id)
            raise DrillError(
                "this card was answered in another drill session meanwhile; skipping it"
            ) from None
        self.summary.answered += 1
        self.summary.again += rating == Rating.AGAIN
        self._remove(card.id)
        if self.cram:
            if rating == Rating.AGAIN:
                self.new.append(card)  # in cram, Again comes back at the end
            self._undo.append(_UndoAnswer(review_id, card.id, rating, ()))
            return Answered(card.id, rating, after, review_id, False)
        if (
            after.phase in ("learning", "relearning")
            and not after.interday
            and not after.suspended
            and after.due is not None
            and after.due < day_start(now, self.ws.config) + timedelta(days=1)
        ):
            self.learning.append(card.with_state(after))
        siblings = self._bury_siblings(card, now)
        self._undo.append(_UndoAnswer(review_id, card.id, rating, siblings))
        return Answered(
            card.id, rating, after, review_id, after.leech, tuple(s for s, _ in siblings)
        )

    def _bury_siblings(self, card: CardRecord, now: datetime) -> tuple[tuple[str, Flags], ...]:
        """As Anki's "bury siblings": the note's other new and review cards wait until
        tomorrow, so one note is not asked twice in a day. Learning siblings stay."""
        if not self.ws.options_for(card.deck).bury_siblings:
            return ()
        waiting = [
            c for c in (*self.new, *self.reviews) if c.note_id == card.note_id and c.id != card.id
        ]
        if not waiting:
            return ()
        tomorrow = day_start(now, self.ws.config) + timedelta(days=1)
        before = tuple((c.id, self.ws.store.flags(c.id)) for c in waiting)
        self.ws.store.set_flags([c.id for c in waiting], buried_until=tomorrow)
        for c in waiting:
            self._remove(c.id)
        return before

    def suspend(self, card: CardRecord) -> None:
        self._undo.append(_UndoFlags("suspend", card.id, self.ws.store.flags(card.id)))
        self.ws.store.set_flags([card.id], suspended=True)
        self._remove(card.id)

    def bury(self, card: CardRecord) -> datetime:
        """Bury a card until tomorrow's day start; returns when it comes back."""
        tomorrow = day_start(self.clock(), self.ws.config) + timedelta(days=1)
        self._undo.append(_UndoFlags("bury", card.id, self.ws.store.flags(card.id)))
        self.ws.store.set_flags([card.id], buried_until=tomorrow)
        self._remove(card.id)
        return tomorrow

    def undo(self, current: CardRecord | None = None) -> Undone | None:
        """Take back the last answer, suspend or bury of this session. The card comes back
        first; `current` (the card on screen) goes back to the front of its queue."""
        if not self._undo:
            return None
        entry = self._undo.pop()
        store = self.ws.store
        if isinstance(entry, _UndoAnswer):
            store.undo(entry.review_id)
            for sibling_id, flags in entry.siblings:
                store.set_flags([sibling_id], **_flag_values(flags))
                sibling = store.card(sibling_id)
                if sibling is not None:
                    self._requeue(sibling)
            self.summary.answered -= 1
            self.summary.again -= entry.rating == Rating.AGAIN
            what = "answer"
        else:
            store.set_flags([entry.card_id], **_flag_values(entry.before))
            what = entry.action
        restored = store.card(entry.card_id)
        assert restored is not None
        self._remove(restored.id)
        if current is not None and current.id != restored.id:
            self._remove(current.id)
            self._requeue(current, front=True)
        self.first = restored
        return Undone(what, entry.card_id)

    def _requeue(self, card: CardRecord, front: bool = False) -> None:
        self._remove(card.id)
        if card.phase in ("learning", "relearning") and not card.interday:
            queue = self.learning
        elif card.phase == "new":
            queue = self.new
        else:
            queue = self.reviews
        if front:
            queue.insert(0, card)
        else:
            queue.append(card)
            if queue is self.reviews:
                queue.sort(key=lambda c: c.due_key)

    # ----------------------------------------------------------------------- typed answers

    def grade(self, card: CardRecord, typed: str) -> Grade:
        """A number card's typed answer, graded against its answer within its tolerance."""
        from drill.grading import grade
        from drill.quantity import parse

        assert card.answer is not None
        return grade(typed, parse(card.answer), card.tolerance, answer_text=card.answer)

    def problem(self, card: CardRecord) -> ProblemInstance | None:
        """A problem card's instance for this review: fresh numbers each review, seeded by
        the card and its review count (so an undo shows the same ones). None when the
        template left its deck file since the store was synced."""
        from drill.problems import seed_for

        if card.path not in self._templates:
            from pathlib import Path

            from drill.content import read_deck_file

            try:
                deck_file = read_deck_file(Path(card.path))
                self._templates[card.path] = {t.id: t for t in deck_file.templates}
            except OSError:
                self._templates[card.path] = {}
        template = self._templates[card.path].get(card.id)
        if template is None:
            return None
        return template.instance(seed_for(card.id, card.state.reps))

    def attempt(self, card: CardRecord) -> Attempt | None:
        """A problem card worked through in this session's modes (assumption mode, timed):
        the instance `problem` draws, its steps graded as they are typed, the time taken
        (record it with `answer(..., answer_ms=attempt.elapsed_ms)`). None as `problem`."""
        from drill.problems.attempt import Attempt

        instance = self.problem(card)
        if instance is None:
            return None
        return Attempt(
            instance.template,
            instance.seed,
            self.timer,
            assume=self.assume,
            timed=self.timed,
            drawn=instance,
        )

    # ----------------------------------------------------------------------- endings

    def next_due(self) -> datetime | None:
        return self.ws.store.next_due(self.clock())


def _flag_values(flags: Flags) -> dict[str, Any]:
    return {"suspended": flags.suspended, "buried_until": flags.buried_until}
