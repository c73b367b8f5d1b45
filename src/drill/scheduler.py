"""Anki's v3 SM-2 scheduler, answer for answer, as a pure module.

This is a port of Anki's ``rslib/src/scheduler/states/`` (learning, review, relearning,
steps, fuzz) and of the parts of ``scheduler/answering/`` that turn a state into a due date,
including Anki's arithmetic in 32-bit floats, so that every interval, ease and step matches
what Anki itself would schedule (``tests/test_scheduler_vs_anki.py`` drives the real ``anki``
package to prove it).

The module does no I/O, reads no clock and uses no global random state: the moment of the
answer (``now``, an aware datetime), the options (:class:`SchedulerConfig`) and the source of
randomness for the fuzz (``seed``) are all arguments.

Choosing the seed
-----------------
Anki seeds its fuzz with ``card id + reps`` so that one card at one review count always lands
on the same point of its fuzz range, while cards added together drift apart. Callers should do
the same: derive a stable integer from the card's identity and add the number of reviews so
far, e.g. ``seed = zlib.crc32(card_id.encode()) + state.reps`` (do not use ``hash()`` on
strings: it changes between runs). The seed is turned into a fuzz factor in ``[0, 1)`` by a
local ``random.Random(seed)``; Anki's own factor comes from a different generator, so drill and
Anki pick different points of the same range.
"""

from __future__ import annotations

import functools
import math
import struct
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta, tzinfo
from enum import IntEnum
from typing import Any

__all__ = [
    "CardState",
    "Rating",
    "SchedulerConfig",
    "answer",
    "day_start",
    "days_between",
    "format_interval",
    "from_dict",
    "fuzz_factor_from_seed",
    "fuzz_range",
    "is_due",
    "preview",
    "scheduling_day",
    "to_dict",
]

PHASES = ("new", "learning", "review", "relearning")
LEECH_ACTIONS = ("tag", "suspend")
DAY_SECS = 86_400

# Anki's constants (review.rs); the ease floor is a config field here, defaulting to Anki's.
EASE_AGAIN_DELTA = -0.2
EASE_HARD_DELTA = -0.15
EASE_EASY_DELTA = 0.15
U32_MAX = 2**32 - 1


class Rating(IntEnum):
    """The four answer buttons, numbered as Anki's revlog numbers them."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


_RANGES = (
    ("starting_ease", 1.31, 5.0),
    ("easy_bonus", 1.0, 5.0),
    ("hard_multiplier", 0.5, 1.3),
    ("lapse_multiplier", 0.0, 1.0),
    ("interval_modifier", 0.5, 2.0),
    ("maximum_interval", 1, 36_500),
    ("minimum_lapse_interval", 1, 36_500),
    ("graduating_interval", 1, 36_500),
    ("easy_interval", 1, 36_500),
    ("leech_threshold", 0, 9999),
    ("minimum_ease", 1.0, 5.0),
)


def _local_tz() -> tzinfo:
    from drill.clock import local_zone

    return local_zone()


@dataclass(frozen=True)
class SchedulerConfig:
    """One options preset. Defaults are Anki's default preset.

    Steps are in minutes, as in Anki's deck options (1440 = one day); intervals in days.
    The day starts at ``rollover_hour`` o'clock in ``tz`` (default: the system's local
    timezone, looked up when the config is created).
    """

    learning_steps: tuple[float, ...] = (1.0, 10.0)
    graduating_interval: int = 1
    easy_interval: int = 4
    relearning_steps: tuple[float, ...] = (10.0,)
    starting_ease: float = 2.5
    easy_bonus: float = 1.3
    hard_multiplier: float = 1.2
    interval_modifier: float = 1.0
    lapse_multiplier: float = 0.0  # "new interval" after a lapse, times the old interval
    minimum_lapse_interval: int = 1
    maximum_interval: int = 36_500
    minimum_ease: float = 1.3
    leech_threshold: int = 8  # 0 turns leech detection off (Anki's options screen: 1 and up)
    leech_action: str = "tag"  # "tag" | "suspend"
    rollover_hour: int = 4
    tz: tzinfo = field(default_factory=_local_tz)
    learn_ahead_minutes: float = 20.0
    fuzz: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "learning_steps", tuple(float(s) for s in self.learning_steps))
        object.__setattr__(self, "relearning_steps", tuple(float(s) for s in self.relearning_steps))
        errors = []
        # Anki's accepted ranges (deckconfig/mod.rs, ensure_deck_config_values_valid); Anki
        # silently falls back to the default outside them, drill refuses.
        for name, low, high in _RANGES:
            value = getattr(self, name)
            if not low <= value <= high:
                errors.append(f"{name}={value!r} is outside {low}..{high}")
        if any(s <= 0 for s in self.learning_steps + self.relearning_steps):
            errors.append("steps must be positive")
        if self.leech_action not in LEECH_ACTIONS:
            errors.append(f"leech_action must be one of {LEECH_ACTIONS}")
        if not 0 <= self.rollover_hour <= 23:
            errors.append("rollover_hour must be in 0..23")
        if self.tz is None:
            errors.append("tz is required")
        if errors:
            raise ValueError("invalid SchedulerConfig: " + "; ".join(errors))

    @property
    def learn_ahead_secs(self) -> int:
        return int(self.learn_ahead_minutes * 60)


@dataclass(frozen=True)
class CardState:
    """A card's scheduling state, before or after an answer.

    - ``phase``: "new" | "learning" | "review" | "relearning".
    - ``step``: index into the learning (or relearning) steps; 0 otherwise.
    - ``interval_days``: the review interval; while relearning, the interval the card will
      return with (Anki keeps the post-lapse interval there too).
    - ``ease``: ease factor (2.5 = 250 %), kept to Anki's permille precision.
    - ``due``: when the card is next due: the exact moment for a (re)learning step, the start
      of the due day (the rollover moment) for reviews and interday steps.
    - ``leech``: True when *this* answer made the card a leech; ``suspended`` when the leech
      action then suspended it.
    - ``last_review``: when it was last answered.
    - ``scheduled_secs``: the (re)learning step's delay before fuzz (for button labels).
    - ``interday``: the (re)learning step was counted in days (due at a day's start).
    """

    phase: str = "new"
    step: int = 0
    interval_days: int = 0
    ease: float = 2.5
    reps: int = 0
    lapses: int = 0
    due: datetime | None = None
    leech: bool = False
    suspended: bool = False
    last_review: datetime | None = None
    scheduled_secs: int = 0
    interday: bool = False

    def __post_init__(self) -> None:
        if self.phase not in PHASES:
            raise ValueError(f"phase must be one of {PHASES}, not {self.phase!r}")
        for name in ("due", "last_review"):
            value = getattr(self, name)
            if value is not None:
                _require_aware(value, name)
        if self.step < 0 or self.interval_days < 0 or self.reps < 0 or self.lapses < 0:
            raise ValueError("step, interval_days, reps and lapses must not be negative")


# --------------------------------------------------------------------------- f32 arithmetic
# Anki computes in f32; doing the same keeps .5 boundaries landing on the same side
# (e.g. 5 * 2.3 is 11.5 in f64 but 11.4999997 in f32, so Anki rounds it to 11).

_F32 = struct.Struct("<f")


def _f(x: float) -> float:
    """Round to the nearest f32 (exact emulation for one +, -, *, / of f32 operands)."""
    return _F32.unpack(_F32.pack(x))[0]


def _round(x: float) -> float:
    """Rust's f32::round: half away from zero."""
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def _u32(x: float) -> int:
    """Rust's saturating `as u32` cast."""
    if x != x or x <= 0:
        return 0
    return min(int(x), U32_MAX)


# --------------------------------------------------------------------------- time helpers


def _require_aware(moment: datetime, name: str = "now") -> None:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive datetime {moment})")


def scheduling_day(moment: datetime, config: SchedulerConfig) -> date:
    """The calendar date of the scheduling day that contains ``moment`` (days start at the
    rollover hour, local time, with the zone's offset at that moment)."""
    local = moment.astimezone(config.tz)
    if local.time() < time(config.rollover_hour):
        return local.date() - timedelta(days=1)
    return local.date()


def _date_start(day: date, config: SchedulerConfig) -> datetime:
    return datetime.combine(day, time(config.rollover_hour), tzinfo=config.tz)


def day_start(now: datetime, config: SchedulerConfig | None = None) -> datetime:
    """Start of the scheduling day containing ``now`` (e.g. 04:00 local; 03:59 belongs to
    the previous day)."""
    _require_aware(now)
    config = config or SchedulerConfig()
    return _date_start(scheduling_day(now, config), config)


def days_between(a: datetime, b: datetime, config: SchedulerConfig | None = None) -> int:
    """Number of day rollovers from ``a`` to ``b`` (negative when ``b`` is earlier)."""
    _require_aware(a, "a")
    _require_aware(b, "b")
    config = config or SchedulerConfig()
    return (scheduling_day(b, config) - scheduling_day(a, config)).days


def _secs_until_rollover(now: datetime, config: SchedulerConfig) -> int:
    nxt = _date_start(scheduling_day(now, config) + timedelta(days=1), config)
    return int(nxt.timestamp()) - math.floor(now.timestamp())


def is_due(state: CardState, now: datetime, config: SchedulerConfig | None = None) -> bool:
    """Whether the card should be shown at ``now``.

    New cards are always due. (Re)learning steps are due up to the learn-ahead limit early;
    reviews and interday steps are due from the start of their day. A state without ``due``
    is due.
    """
    _require_aware(now)
    config = config or SchedulerConfig()
    if state.phase == "new" or state.due is None:
        return True
    if state.phase == "review" or state.interday:
        return scheduling_day(state.due, config) <= scheduling_day(now, config)
    return state.due <= now + timedelta(seconds=config.learn_ahead_secs)


# --------------------------------------------------------------------------- fuzz (fuzz.rs)

_FUZZ_RANGES = ((2.5, 7.0, _f(0.15)), (7.0, 20.0, _f(0.1)), (20.0, float("inf"), _f(0.05)))


def _fuzz_delta(interval: float) -> float:
    if interval < 2.5:
        return 0.0
    delta = 1.0
    for start, end, factor in _FUZZ_RANGES:
        if interval <= start:
            break
        delta = _f(delta + _f(factor * max(_f(min(interval, end) - start), 0.0)))
    return delta


def _constrained_fuzz_bounds(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    minimum = min(minimum, maximum)
    interval = min(max(_f(interval), float(minimum)), float(maximum))
    delta = _fuzz_delta(interval)
    lower = _u32(_round(_f(interval - delta)))
    upper = _u32(_round(_f(interval + delta)))
    lower = min(max(lower, minimum), maximum)
    upper = min(max(upper, minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


def fuzz_range(interval: float, minimum: int = 1, maximum: int = 36_500) -> tuple[int, int]:
    """The days an interval may be fuzzed to (Anki's ``constrained_fuzz_bounds``):
    7 -> (5, 9), 17 -> (14, 20), 37 -> (33, 41); no fuzz below 2.5 days."""
    return _constrained_fuzz_bounds(interval, minimum, maximum)


def _with_review_fuzz(ff: float | None, interval: float, minimum: int, maximum: int) -> int:
    if ff is None:
        return min(max(_u32(_round(_f(interval))), minimum), maximum)
    lower, upper = _constrained_fuzz_bounds(interval, minimum, maximum)
    return _u32(math.floor(_f(float(lower) + _f(ff * float(1 + upper - lower)))))


def fuzz_factor_from_seed(seed: int) -> float:
    """The fuzz factor in [0, 1) for a seed: a local ``random.Random(seed)``, reduced to the
    24-bit precision of Anki's f32 factor (so it can never round up to 1.0)."""
    import random  # here, not at module level: `drill due` never draws fuzz

    return math.floor(random.Random(seed).random() * 2**24) / 2**24


# --------------------------------------------------------------------------- steps (steps.rs)


def _to_secs(minutes: float) -> int:
    return _u32(_f(_f(minutes) * 60.0))


def _maybe_round_in_days(secs: int) -> int:
    if secs > DAY_SECS:
        return min(_u32(_round(_f(secs / DAY_SECS))) * DAY_SECS, U32_MAX)
    return secs


class _Steps:
    def __init__(self, minutes: tuple[float, ...]) -> None:
        self.secs = [_to_secs(m) for m in minutes]

    def index(self, step: int) -> int:
        return max(0, min(step, len(self.secs) - 1))

    def again_delay(self) -> int | None:
        return self.secs[0] if self.secs else None

    def hard_delay(self, step: int) -> int | None:
        if not self.secs:
            return None
        idx = self.index(step)
        current = self.secs[idx]
        if idx != 0:
            return current
        if len(self.secs) > 1:
            # the mean of the first two steps, to differ from both Again and Good
            return _maybe_round_in_days(min(current + self.secs[1], U32_MAX) // 2)
        # 50 % more than the step, but at most a day more
        return _maybe_round_in_days(min(current * 3 // 2, current + DAY_SECS))

    def good_delay(self, step: int) -> int | None:
        idx = self.index(step)
        return self.secs[idx + 1] if idx + 1 < len(self.secs) else None

    def current_delay(self, step: int) -> int:
        return self.secs[self.index(step)] if self.secs else 0


@functools.lru_cache(maxsize=64)
def _steps(minutes: tuple[float, ...]) -> _Steps:
    return _Steps(minutes)


# --------------------------------------------------------------------------- state machine


@dataclass(frozen=True)
class _Ctx:
    config: SchedulerConfig
    now: datetime
    ff: float | None  # fuzz factor, None when fuzz is off
    learn: _Steps
    relearn: _Steps
    today: date  # the scheduling day of `now`
    until_rollover: int  # whole seconds from `now` to the next day's start

    def bounds(self, minimum: int) -> tuple[int, int]:
        maximum = max(self.config.maximum_interval, 1)
        return min(max(minimum, 1), maximum), maximum

    def fuzz(self, interval: float, minimum: int, maximum: int) -> int:
        return _with_review_fuzz(self.ff, interval, minimum, maximum)


def _ease32(ease: float) -> float:
    """Ease as Anki holds it: an integer permille divided by 1000 in f32."""
    return _f(_round(ease * 1000) / 1000)


def _store_ease(ease32: float) -> float:
    """Ease as Anki stores it after an answer: rounded to permille."""
    return _round(_f(ease32 * 1000.0)) / 1000


def _leech_threshold_met(lapses: int, threshold: int) -> bool:
    if threshold <= 0:
        return False
    half = max(math.ceil(threshold / 2), 1)
    return lapses >= threshold and (lapses - threshold) % half == 0


def _elapsed_days(state: CardState, ctx: _Ctx) -> int:
    """Days since the last review, as Anki derives it: interval minus days still to go.
    Without a due date, the days since ``last_review``; without either, on time."""
    if state.due is None:
        if state.last_review is not None:
            return max(days_between(state.last_review, ctx.now, ctx.config), 0)
        return state.interval_days
    until_due = days_between(ctx.now, state.due, ctx.config)
    return max(state.interval_days - until_due, 0)


def _review_intervals(state: CardState, ctx: _Ctx) -> tuple[int, int, int]:
    cfg = ctx.config
    ease = _ease32(state.ease)
    scheduled_days = state.interval_days
    current = float(max(scheduled_days, 1))
    elapsed = _elapsed_days(state, ctx)
    hard_mult = _f(cfg.hard_multiplier)
    easy_mult = _f(cfg.easy_bonus)
    ivl_mod = _f(cfg.interval_modifier)

    def constrain(interval: float, minimum: int, fuzz: bool) -> int:
        interval = _f(interval * ivl_mod)
        lo, hi = ctx.bounds(minimum)
        if fuzz:
            return ctx.fuzz(interval, lo, hi)
        return min(max(_u32(_round(interval)), lo), hi)

    if elapsed < scheduled_days:
        # answered before its due day: Anki's passing_early_review_intervals
        elapsed_f = float(elapsed)
        hard = constrain(max(_f(elapsed_f * hard_mult), _f(current * _f(hard_mult / 2))), 0, False)
        good_base = max(_f(elapsed_f * ease), current)
        good = constrain(good_base, 0, False)
        reduced_bonus = _f(easy_mult - _f(_f(easy_mult - 1.0) / 2))
        easy = constrain(_f(good_base * reduced_bonus), 0, False)
        return hard, good, easy

    days_late = float(max(elapsed - scheduled_days, 0))
    hard_minimum = 0 if hard_mult <= 1.0 else scheduled_days + 1
    hard = constrain(_f(current * hard_mult), hard_minimum, True)
    good_minimum = scheduled_days + 1 if hard_mult <= 1.0 else hard + 1
    good = constrain(_f(_f(current + _f(days_late / 2)) * ease), good_minimum, True)
    easy = constrain(_f(_f(_f(current + days_late) * ease) * easy_mult), good + 1, True)
    return hard, good, easy


def _failing_interval(interval_days: int, ctx: _Ctx) -> int:
    lo, hi = ctx.bounds(ctx.config.minimum_lapse_interval)
    days = ctx.fuzz(_f(float(max(interval_days, 1)) * _f(ctx.config.lapse_multiplier)), lo, hi)
    return max(days, 1)


def _next(state: CardState, ctx: _Ctx, **values: Any) -> CardState:
    """The state after an answer: ``values`` must give every field the answer sets."""
    return CardState(reps=state.reps + 1, last_review=ctx.now, **values)


def _to_review(
    state: CardState,
    ctx: _Ctx,
    days: int,
    ease: float,
    lapses: int | None = None,
    leech: bool = False,
) -> CardState:
    return _next(
        state,
        ctx,
        phase="review",
        step=0,
        interval_days=days,
        ease=_store_ease(ease),
        lapses=state.lapses if lapses is None else lapses,
        due=_date_start(ctx.today + timedelta(days=days), ctx.config),
        leech=leech,
        suspended=leech and ctx.config.leech_action == "suspend",
        scheduled_secs=0,
        interday=False,
    )


def _to_steps(
    state: CardState,
    ctx: _Ctx,
    phase: str,
    step: int,
    secs: int,
    interval_days: int | None = None,
    ease: float | None = None,
    lapses: int | None = None,
    leech: bool = False,
) -> CardState:
    if secs >= ctx.until_rollover:
        # the step ends after today's cutoff: count it in days (Anki's maybe_as_days)
        days = (secs - ctx.until_rollover) // DAY_SECS + 1
        due = _date_start(ctx.today + timedelta(days=days), ctx.config)
        interday = True
    else:
        due = ctx.now + timedelta(seconds=_learning_fuzz(secs, ctx.ff))
        interday = False
    return _next(
        state,
        ctx,
        phase=phase,
        step=step,
        interval_days=state.interval_days if interval_days is None else interval_days,
        ease=state.ease if ease is None else ease,
        lapses=state.lapses if lapses is None else lapses,
        due=due,
        leech=leech,
        suspended=leech and ctx.config.leech_action == "suspend",
        scheduled_secs=secs,
        interday=interday,
    )


def _learning_fuzz(secs: int, ff: float | None) -> int:
    """Anki adds up to 25 % (at most 5 minutes) to an intraday step."""
    if ff is None:
        return secs
    upper_exclusive = secs + math.floor(min(_f(float(secs) * 0.25), 300.0))
    if secs >= upper_exclusive:
        return secs
    return secs + math.floor(ff * (upper_exclusive - secs))


def _learning_outcomes(state: CardState, ctx: _Ctx) -> dict[Rating, CardState]:
    cfg = ctx.config
    steps = ctx.learn
    step = 0 if state.phase == "new" else steps.index(state.step)
    ease = _f(cfg.starting_ease)
    lo, hi = ctx.bounds(1)

    def graduate(days: float) -> CardState:
        return _to_review(state, ctx, ctx.fuzz(days, lo, hi), ease, lapses=0)

    good_grad = float(max(_round(_f(float(cfg.graduating_interval))), 1))
    out: dict[Rating, CardState] = {}

    delay = steps.again_delay()
    if delay is not None:
        out[Rating.AGAIN] = _to_steps(state, ctx, "learning", 0, delay)
    else:
        out[Rating.AGAIN] = graduate(good_grad)

    delay = steps.hard_delay(step)
    if delay is not None:
        out[Rating.HARD] = _to_steps(state, ctx, "learning", step, delay)
    else:
        out[Rating.HARD] = graduate(good_grad)

    delay = steps.good_delay(step)
    if delay is not None:
        out[Rating.GOOD] = _to_steps(state, ctx, "learning", step + 1, delay)
    else:
        out[Rating.GOOD] = graduate(good_grad)

    out[Rating.EASY] = graduate(float(cfg.easy_interval))
    return out


def _review_outcomes(state: CardState, ctx: _Ctx) -> dict[Rating, CardState]:
    cfg = ctx.config
    ease = _ease32(state.ease)
    floor = _f(cfg.minimum_ease)
    hard, good, easy = _review_intervals(state, ctx)

    lapses = state.lapses + 1
    leech = _leech_threshold_met(lapses, cfg.leech_threshold)
    again_days = _failing_interval(state.interval_days, ctx)
    again_ease = max(_f(ease + _f(EASE_AGAIN_DELTA)), floor)
    delay = ctx.relearn.again_delay()
    if delay is not None:
        again = _to_steps(
            state,
            ctx,
            "relearning",
            0,
            delay,
            interval_days=again_days,
            ease=_store_ease(again_ease),
            lapses=lapses,
            leech=leech,
        )
    else:
        again = _to_review(state, ctx, again_days, again_ease, lapses=lapses, leech=leech)

    return {
        Rating.AGAIN: again,
        Rating.HARD: _to_review(state, ctx, hard, max(_f(ease + _f(EASE_HARD_DELTA)), floor)),
        Rating.GOOD: _to_review(state, ctx, good, ease),
        Rating.EASY: _to_review(state, ctx, easy, _f(ease + _f(EASE_EASY_DELTA))),
    }


def _relearning_outcomes(state: CardState, ctx: _Ctx) -> dict[Rating, CardState]:
    steps = ctx.relearn
    step = steps.index(state.step)
    ease = _ease32(state.ease)
    back = _to_review(state, ctx, state.interval_days, ease)  # graduates with its interval
    out: dict[Rating, CardState] = {}

    delay = steps.again_delay()
    if delay is not None:
        days = _failing_interval(state.interval_days, ctx)
        out[Rating.AGAIN] = _to_steps(state, ctx, "relearning", 0, delay, interval_days=days)
    else:
        out[Rating.AGAIN] = back

    delay = steps.hard_delay(step)
    out[Rating.HARD] = back if delay is None else _to_steps(state, ctx, "relearning", step, delay)
    delay = steps.good_delay(step)
    out[Rating.GOOD] = (
        back if delay is None else _to_steps(state, ctx, "relearning", step + 1, delay)
    )
    # Easy: the post-lapse interval plus a day, neither fuzzed nor capped (as in Anki)
    out[Rating.EASY] = _to_review(state, ctx, state.interval_days + 1, ease)
    return out


# --------------------------------------------------------------------------- public API


def preview(
    state: CardState,
    now: datetime,
    config: SchedulerConfig | None = None,
    seed: int = 0,
    *,
    fuzz_factor: float | None = None,
) -> dict[Rating, CardState]:
    """The state after each of the four answers (Anki's ``next_states``).

    ``seed`` picks the point inside each fuzz range (see the module docstring for how to
    choose it); ``fuzz_factor`` in [0, 1) overrides it directly. Both are ignored when
    ``config.fuzz`` is False.
    """
    _require_aware(now)
    if not isinstance(state, CardState):
        raise TypeError(f"state must be a CardState, not {type(state).__name__}")
    config = config or SchedulerConfig()
    if not config.fuzz:
        ff = None
    elif fuzz_factor is not None:
        if not 0.0 <= fuzz_factor < 1.0:
            raise ValueError("fuzz_factor must be in [0, 1)")
        ff = float(fuzz_factor)
    else:
        ff = fuzz_factor_from_seed(seed)
    ctx = _Ctx(
        config,
        now,
        ff,
        _steps(config.learning_steps),
        _steps(config.relearning_steps),
        scheduling_day(now, config),
        _secs_until_rollover(now, config),
    )
    if state.phase in ("new", "learning"):
        return _learning_outcomes(state, ctx)
    if state.phase == "review":
        return _review_outcomes(state, ctx)
    return _relearning_outcomes(state, ctx)


def answer(
    state: CardState,
    rating: Rating | int,
    now: datetime,
    config: SchedulerConfig | None = None,
    seed: int = 0,
    *,
    fuzz_factor: float | None = None,
) -> CardState:
    """The state after answering ``rating`` at ``now``: ``preview(...)[rating]``."""
    rating = Rating(rating)
    return preview(state, now, config, seed, fuzz_factor=fuzz_factor)[rating]


# --------------------------------------------------------------------------- labels

_MINUTE = 60.0
_HOUR = 3600.0
_DAY = 86_400.0
_YEAR = _f(365.0 * _DAY)
_MONTH = _f(_YEAR / 12.0)


def _answer_button_time(secs: float) -> str:
    s = _f(abs(secs))
    for limit, divisor, suffix, decimals in (
        (_MINUTE, 1.0, "s", False),
        (_HOUR, _MINUTE, "m", False),
        (_DAY, _HOUR, "h", True),
        (_MONTH, _DAY, "d", False),
        (_YEAR, _MONTH, "mo", True),
        (float("inf"), _YEAR, "y", True),
    ):
        if s < limit:
            amount = _f(_f(secs) / divisor)
            amount = _f(_round(_f(amount * 10.0)) / 10.0) if decimals else _round(amount)
            text = f"{amount:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    raise AssertionError("unreachable")


def _interval_secs(state: CardState, now: datetime | None, config: SchedulerConfig) -> int:
    if state.phase == "review":
        return state.interval_days * DAY_SECS
    if state.phase == "new":
        return 0
    secs = state.scheduled_secs
    if now is not None:
        until_rollover = max(_secs_until_rollover(now, config), 0)
        if secs >= until_rollover:
            secs = ((secs - until_rollover) // DAY_SECS + 1) * DAY_SECS
    return secs


def format_interval(
    value: CardState | float,
    now: datetime | None = None,
    config: SchedulerConfig | None = None,
) -> str:
    """Anki's answer-button label for an outcome state (from :func:`preview`, answered at
    ``now``) or for a number of seconds: ``<1m``, ``<10m``, ``1d``, ``4d``, ``1.2mo``,
    ``2.5y``. Delays under the learn-ahead limit get a ``<``; zero is ``End``."""
    if now is not None:
        _require_aware(now)
    config = config or SchedulerConfig()
    secs = _interval_secs(value, now, config) if isinstance(value, CardState) else int(value)
    if secs == 0:
        return "End"
    label = _answer_button_time(secs)
    return f"<{label}" if secs < config.learn_ahead_secs else label


# --------------------------------------------------------------------------- storage

_DATETIME_FIELDS = ("due", "last_review")


def to_dict(state: CardState) -> dict[str, Any]:
    """A JSON-friendly dict (datetimes as ISO 8601 strings with their offset)."""
    out: dict[str, Any] = {}
    for f in fields(state):
        value = getattr(state, f.name)
        if f.name in _DATETIME_FIELDS and value is not None:
            value = value.isoformat()
        out[f.name] = value
    return out


def from_dict(data: dict[str, Any]) -> CardState:
    """Inverse of :func:`to_dict`; unknown keys are an error, missing keys take defaults."""
    known = {f.name for f in fields(CardState)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown CardState keys: {sorted(unknown)}")
    values = dict(data)
    for name in _DATETIME_FIELDS:
        if isinstance(values.get(name), str):
            values[name] = datetime.fromisoformat(values[name])
    return CardState(**values)
