"""FSRS beside SM-2: py-fsrs (the `fsrs` package) schedules the decks whose preset says so.

A preset (a deck file's `options:`, or the config file's for every deck) with
`scheduler: fsrs` has its cards scheduled by py-fsrs's ``Scheduler``, built from the preset:
`desired_retention` (default 0.9), `fsrs_parameters` (default: py-fsrs's), and the learning
steps, relearning steps, maximum interval and fuzz that SM-2 uses too. SM-2 stays the
default. This is the only module that imports `fsrs`, and only inside the functions that
need it: `drill due` and `drill --help` never load it.

States
------
A card on FSRS holds an :class:`FsrsState`: a :class:`drill.scheduler.CardState` whose
fields (phase, step, due, reps, lapses, ...) are FSRS's, so the queue, `drill due` and the
store read it like any state, plus FSRS's memory state (``stability``, ``difficulty``) and
``sm2``, the card's SM-2 state. Every FSRS answer also answers ``sm2`` (same rating, moment
and seed), so the SM-2 state stays current while FSRS schedules: switching back to SM-2
simply puts it back. A new card has no scheduler of its own: it is a plain new CardState
whatever its deck's preset, and its first answer puts it on its deck's scheduler.

py-fsrs's Learning, Review and Relearning are drill's learning, review and relearning
phases; a new card is a py-fsrs ``Card`` in Learning step 0 without a memory state. Due
dates are py-fsrs's exactly (the answer's moment plus the interval); the queue shows a
review from the start of its due day, as it does for SM-2. Leeches are counted as SM-2
counts them (lapses are Again on a review card).

Switching
---------
:func:`sync_schedulers` runs when a study session is built. A deck whose preset says
`fsrs` gets its SM-2 cards converted as Anki converts them when FSRS is turned on: each
card's review log (cram answers left out; from its last answer as a new card, so after a
`drill card reset` only what came after) is replayed through the FSRS scheduler in order,
which gives its phase, step, stability, difficulty and due date; its SM-2 state is kept in
``sm2``. A deck whose preset says `sm2` again has its FSRS cards put back on their SM-2
state. Neither direction writes to the review log.

Fuzz
----
py-fsrs draws its fuzz from the module-level ``random()``. drill hands it
``random.Random(seed).random`` for the length of one call, with the seed SM-2 uses (card id
checksum + reviews so far): previews, answers and replays are reproducible, and a replay
gives exactly the states the answers gave.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from drill.scheduler import CardState, Rating, _leech_threshold_met
from drill.scheduler import from_dict as sm2_from_dict
from drill.scheduler import preview as sm2_preview
from drill.scheduler import to_dict as sm2_to_dict

if TYPE_CHECKING:
    from drill.options import DeckOptions

# py-fsrs's Optimizer returns its default parameters below one mini-batch of reviews (512
# reviews on a later day than the card's previous one): asking it with less is pointless.
MIN_REVIEWS = 512
OPTIMIZER_INSTALL = 'pip install "fsrs[optimizer]"'

_PHASES = {1: "learning", 2: "review", 3: "relearning"}  # fsrs.State -> drill's phase


@dataclass(frozen=True)
class FsrsState(CardState):
    """A card's state while FSRS schedules it: the CardState fields (FSRS's phase, step,
    due, ...), FSRS's memory state, and the SM-2 state kept current beside it."""

    stability: float | None = None
    difficulty: float | None = None
    sm2: CardState | None = None


_CARD_FIELDS = tuple(f.name for f in fields(CardState))


def state_from_columns(
    base: CardState, stability: float | None, difficulty: float | None, sm2: CardState
) -> FsrsState:
    """An FsrsState from the shared fields, the memory state and the SM-2 state."""
    values = {name: getattr(base, name) for name in _CARD_FIELDS}
    return FsrsState(**values, stability=stability, difficulty=difficulty, sm2=sm2)


def plain(state: CardState) -> CardState:
    """Just the CardState fields of a state (for an FsrsState: FSRS's schedule)."""
    if type(state) is CardState:
        return state
    return CardState(**{name: getattr(state, name) for name in _CARD_FIELDS})


def to_dict(state: FsrsState) -> dict[str, Any]:
    """JSON-ready data (the review log's `state_before`, for undo)."""
    assert state.sm2 is not None
    return {
        **sm2_to_dict(plain(state)),
        "scheduler": "fsrs",
        "stability": state.stability,
        "difficulty": state.difficulty,
        "sm2": sm2_to_dict(state.sm2),
    }


def from_dict(data: dict[str, Any]) -> FsrsState:
    """Inverse of :func:`to_dict`."""
    values = dict(data)
    values.pop("scheduler", None)
    stability = values.pop("stability")
    difficulty = values.pop("difficulty")
    sm2 = sm2_from_dict(values.pop("sm2"))
    return state_from_columns(sm2_from_dict(values), stability, difficulty, sm2)


def card_seed(card_id: str, reps: int) -> int:
    """The fuzz seed for a card at a number of reviews (as drill.session's StudyCard.seed)."""
    return zlib.crc32(card_id.encode("utf-8")) + reps


# --------------------------------------------------------------------------- py-fsrs


@functools.lru_cache(maxsize=32)
def _scheduler(
    parameters: tuple[float, ...] | None,
    retention: float,
    learning: tuple[float, ...],
    relearning: tuple[float, ...],
    maximum: int,
    fuzz: bool,
) -> Any:
    from fsrs import Scheduler
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return Scheduler(
        parameters=parameters or DEFAULT_PARAMETERS,
        desired_retention=retention,
        learning_steps=tuple(timedelta(minutes=m) for m in learning),
        relearning_steps=tuple(timedelta(minutes=m) for m in relearning),
        maximum_interval=maximum,
        enable_fuzzing=fuzz,
    )


def scheduler_for(options: DeckOptions) -> Any:
    """py-fsrs's Scheduler for a preset (cached: presets are few)."""
    config = options.scheduler
    return _scheduler(
        options.fsrs_parameters,
        options.desired_retention,
        config.learning_steps,
        config.relearning_steps,
        config.maximum_interval,
        config.fuzz,
    )


def to_card(state: CardState, now: datetime) -> Any:
    """The py-fsrs Card for a state (a new card: Learning step 0, no memory state)."""
    from fsrs import Card, State

    if not isinstance(state, FsrsState) or state.phase == "new":
        return Card(card_id=0, state=State.Learning, step=0, due=_utc(now))
    fsrs_state = {"learning": State.Learning, "review": State.Review}.get(
        state.phase, State.Relearning
    )
    return Card(
        card_id=0,
        state=fsrs_state,
        step=None if fsrs_state == State.Review else state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=_utc(state.due or now),
        last_review=_utc(state.last_review) if state.last_review else None,
    )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@contextmanager
def _fuzz_seed(seed: int) -> Iterator[None]:
    """py-fsrs's fuzz, drawn from `random.Random(seed)` for the length of one call."""
    import random

    import fsrs.scheduler as fsrs_module

    saved = fsrs_module.random
    fsrs_module.random = random.Random(seed).random
    try:
        yield
    finally:
        fsrs_module.random = saved


def review(scheduler: Any, card: Any, rating: int, now: datetime, seed: int) -> Any:
    """py-fsrs's `review_card`, with the fuzz drawn from the seed. Returns the new Card."""
    from fsrs import Rating as FsrsRating

    with _fuzz_seed(seed):
        return scheduler.review_card(card, FsrsRating(int(rating)), review_datetime=_utc(now))[0]


def _after(
    before: CardState,
    card: Any,
    rating: Rating,
    now: datetime,
    options: DeckOptions,
    sm2: CardState,
) -> FsrsState:
    """drill's state for py-fsrs's Card after answering `rating` at `now`."""
    config = options.scheduler
    phase = _PHASES[int(card.state)]
    lapse = rating == Rating.AGAIN and before.phase == "review"
    lapses = before.lapses + lapse
    leech = lapse and _leech_threshold_met(lapses, config.leech_threshold)
    if phase == "review":
        interval_days, scheduled_secs = (card.due - card.last_review).days, 0
    else:
        interval_days = before.interval_days if phase == "relearning" else 0
        scheduled_secs = int((card.due - card.last_review).total_seconds())
    return FsrsState(
        phase=phase,
        step=card.step or 0,
        interval_days=interval_days,
        ease=sm2.ease,
        reps=before.reps + 1,
        lapses=lapses,
        due=card.due,
        leech=leech,
        suspended=leech and config.leech_action == "suspend",
        last_review=card.last_review,
        scheduled_secs=scheduled_secs,
        interday=False,
        stability=card.stability,
        difficulty=card.difficulty,
        sm2=replace(sm2, leech=False, suspended=False),
    )


# --------------------------------------------------------------------------- public API


def next_states(
    state: CardState, now: datetime, options: DeckOptions, seed: int = 0
) -> dict[Rating, CardState]:
    """The state after each of the four answers under the deck's scheduler (SM-2's
    drill.scheduler.preview, or FSRS's): what the quiz shows and records.

    On FSRS, each outcome is an FsrsState whose ``sm2`` is SM-2's outcome for the same
    answer. A card on FSRS in a deck back on SM-2 gets SM-2's outcomes from its kept SM-2
    state; a reviewed card not converted to FSRS yet stays on SM-2 until it is."""
    kept = state.sm2 if isinstance(state, FsrsState) and state.sm2 is not None else state
    if options.algorithm != "fsrs" or (not isinstance(state, FsrsState) and state.phase != "new"):
        return sm2_preview(plain(kept), now, options.scheduler, seed)
    sm2_outcomes = sm2_preview(plain(kept), now, options.scheduler, seed)
    scheduler = scheduler_for(options)
    card = to_card(state, now)
    return {
        rating: _after(
            state,
            review(scheduler, card, rating, now, seed),
            rating,
            now,
            options,
            sm2_outcomes[rating],
        )
        for rating in Rating
    }


def answer(
    state: CardState, rating: Rating | int, now: datetime, options: DeckOptions, seed: int = 0
) -> CardState:
    """The state after answering `rating` at `now`: ``next_states(...)[rating]``."""
    return next_states(state, now, options, seed)[Rating(rating)]


def replay(
    card_id: str, reviews: Iterable[Any], options: DeckOptions, sm2: CardState
) -> FsrsState | None:
    """The FSRS state a card's review log gives (records with reviewed_at, rating, kind and
    phase_before, in answer order), keeping `sm2` as its SM-2 state. Cram answers are left
    out, and so is everything before the card's last answer as a new card (a `drill card
    reset`). None when no answer is left."""
    answers = [r for r in reviews if r.kind != "cram"]
    starts = [i for i, r in enumerate(answers) if r.phase_before == "new"]
    if starts:
        answers = answers[starts[-1] :]
    if not answers:
        return None
    scheduler = scheduler_for(options)
    state: CardState = CardState()
    for review_record in answers:
        moment = review_record.reviewed_at
        rating = Rating(review_record.rating)
        card = review(
            scheduler, to_card(state, moment), rating, moment, card_seed(card_id, state.reps)
        )
        state = _after(state, card, rating, moment, options, sm2)
    assert isinstance(state, FsrsState)
    return replace(state, leech=False, suspended=False)


def retrievability(state: FsrsState, now: datetime, options: DeckOptions) -> float:
    """FSRS's predicted chance of recalling the card at `now` (py-fsrs's own formula)."""
    return float(scheduler_for(options).get_card_retrievability(to_card(state, now), _utc(now)))


# --------------------------------------------------------------------------- optimizer


class OptimizeError(Exception):
    """`drill optimize` cannot run: too few reviews, or the optimizer is not installed."""


def countable_reviews(
    reviews: Iterable[Any],
) -> tuple[int, dict[str, list[tuple[datetime, int, int]]]]:
    """The reviews the optimizer learns from (review records): per card, (moment, rating,
    answer_ms) of its
    answers (cram left out, from its last answer as a new card), and how many of them came
    on a later day than the card's previous answer (what py-fsrs's optimizer counts)."""
    per_card: dict[str, list[Any]] = {}
    for record in reviews:
        if record.kind != "cram":
            if record.phase_before == "new":
                per_card[record.card_id] = []
            per_card.setdefault(record.card_id, []).append(record)
    histories: dict[str, list[tuple[datetime, int, int]]] = {}
    count = 0
    for card_id, records in per_card.items():
        history: list[tuple[datetime, int, int]] = []
        for record in records:
            moment = record.reviewed_at
            if history and (moment - history[-1][0]).days > 0:
                count += 1
            history.append((moment, int(record.rating), int(record.answer_ms)))
        histories[card_id] = history
    return count, histories


def optimize(reviews: Iterable[Any], minimum: int | None = None) -> tuple[list[float], int]:
    """Fit FSRS parameters to review records with py-fsrs's Optimizer. Returns (the 21
    parameters, the reviews counted). OptimizeError when there are too few reviews, or when
    the optimizer's dependencies (PyTorch) are missing."""
    minimum = MIN_REVIEWS if minimum is None else minimum
    count, histories = countable_reviews(reviews)
    if count < minimum:
        answers = sum(len(history) for history in histories.values())
        raise OptimizeError(
            f"not enough reviews to fit FSRS parameters: {count} of {answers} answers count, "
            f"at least {minimum} are needed (an answer counts when it comes on a later day "
            "than the card's previous one: same-day learning steps and cram do not). Until "
            "then FSRS uses its default parameters, which suit most people."
        )
    try:
        import pandas  # noqa: F401 - what fsrs.optimizer needs
        import torch  # noqa: F401
        import tqdm  # noqa: F401
    except ImportError:
        raise OptimizeError(
            f"fitting FSRS parameters needs py-fsrs's optimizer, which needs PyTorch: "
            f"{OPTIMIZER_INSTALL} ({count} reviews are ready for it)"
        ) from None
    from fsrs import Rating as FsrsRating
    from fsrs import ReviewLog
    from fsrs.optimizer import Optimizer

    logs = [
        ReviewLog(
            card_id=number,
            rating=FsrsRating(rating),
            review_datetime=_utc(moment),
            review_duration=answer_ms,
        )
        for number, history in enumerate(histories.values())
        for moment, rating, answer_ms in history
    ]
    parameters = Optimizer(logs).compute_optimal_parameters()
    return [round(float(p), 4) for p in parameters], count
