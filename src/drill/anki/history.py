"""Anki's review history as drill's: a collection's cards and review log turned into drill
states and review-log rows, and the merge of the two histories of one card.

Pure: no I/O, no clock. The service (drill.services.history) reads the Anki file and the
store, and the store writes what `merge_card` decides, in one transaction.

Anki's day numbers
------------------
A review card's `due` (and an interday learning card's) is a day number counted from the
collection's creation (`col.crt`). Which day "today" is follows rslib's
`sched_timing_today` (scheduler/timing.rs): with a `creationOffset` (every collection
made by a current Anki) the days are calendar dates, the creation date in the creation
offset against today's date in the current offset, less one before the rollover hour;
without one (older v2 collections), whole 86,400-second days from `crt` moved to the
rollover hour in the current offset. A day number N is then the date `the date Anki's
current day started on + (N - today)`, due at drill's own day start on that date. Intraday learning
cards (queue 1) are due at a moment, in epoch seconds.

Which reviews count
-------------------
Answers only: revlog types 0 learn, 1 review, 2 relearn and 3 filtered (drill's cram, which
leaves the schedule alone). Manual rows (type 4 "set due date" or "forget", type 5
rescheduled, ease 0) are not answers: they are left out of drill's log, and a card whose
only change in Anki was one of them keeps drill's state.

Merging one card
----------------
Reviews are matched by their Anki id (the revlog id, epoch milliseconds), so none is ever
brought in twice. A drill review that reached Anki under another id (a `--with-progress`
package, or a sync killed before drill wrote the ids down) is recognised by its card, its
rating, its answer time to the millisecond, and its moment (Anki's id is its millisecond,
moved up by at most a second to stay unique), and gets that id instead of coming back as a
copy.

Then the card's state follows the newer side: Anki's, when only Anki answered it since the
last common state, on top of that state (its count of answers says so: a device that
answered before it had the common state, and whose card row a sync then kept, did not);
drill's, when only drill did. Otherwise the merged log (every answer since the last common
state, in time order) is replayed through the card's scheduler from that state (SM-2 exactly
as Anki computes it, fuzz seeded as drill's quiz seeds it; FSRS for an FSRS deck).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, NamedTuple

from drill.fsrs_scheduler import card_seed, next_states
from drill.options import DeckOptions
from drill.scheduler import CardState, Rating, SchedulerConfig, scheduling_day

DAY_SECS = 86_400
# A revlog id is the answer's epoch millisecond, moved up while it is taken: a drill review
# sent to Anki keeps its moment within this much.
SAME_REVIEW_MS = 1_000
ANSWER_TYPES = {0: "learn", 1: "review", 2: "relearn", 3: "cram"}
MANUAL_TYPES = (4, 5)
LEECH_TAG = "leech"
_CARD_PHASES = {0: "new", 1: "learning", 2: "review", 3: "relearning"}
QUEUE_SUSPENDED = -1
# Anki's own test for a learning card's due: a moment (epoch seconds) rather than a day.
_STAMP = 1_000_000_000


# --------------------------------------------------------------------------- Anki's days


class AnkiClock(NamedTuple):
    """A collection's clock: `col.crt`, the rollover hour, `creationOffset` (minutes west
    of UTC; None in collections older than the v2 scheduler's new cutoff handling)."""

    created: int
    rollover: int = 4
    creation_offset: int | None = None

    def today(self, now: datetime, zone: tzinfo) -> int:
        """Anki's day number at `now`, read in `zone` (rslib's sched_timing_today)."""
        stamp = int(now.timestamp())
        current = now.astimezone(zone).utcoffset() or timedelta(0)
        local = datetime.fromtimestamp(stamp, timezone(current))
        if self.creation_offset is not None:
            offset = timezone(-timedelta(minutes=_bounded(self.creation_offset)))
            created = datetime.fromtimestamp(self.created, offset).date()
            days = (local.date() - created).days
            if local.time() < time(self.rollover % 24):
                days -= 1
            return max(days, 0)
        start = datetime.fromtimestamp(self.created, timezone(current))
        start = start.replace(hour=self.rollover % 24, minute=0, second=0, microsecond=0)
        return max((stamp - int(start.timestamp())) // DAY_SECS, 0)


def _bounded(minutes_west: int) -> int:
    return max(min(minutes_west, 23 * 60), -23 * 60)


class DayMap(NamedTuple):
    """Anki day numbers as drill moments, for one `now`: Anki's day N is a date, and drill's
    card is due at drill's day start on that date. Both sides count dates, so the map is the
    same whenever it is made, even in the hours between Anki's rollover and drill's."""

    today: int  # Anki's day number now
    today_date: date  # the date Anki's current day started on
    config: SchedulerConfig  # drill's day boundary

    @classmethod
    def at(cls, clock: AnkiClock, now: datetime, config: SchedulerConfig) -> DayMap:
        anki_days = replace(config, rollover_hour=clock.rollover % 24)
        return cls(clock.today(now, config.tz), scheduling_day(now, anki_days), config)

    def moment(self, day: int) -> datetime:
        """The start (drill's rollover) of the drill day that is Anki's day `day`."""
        when = self.today_date + timedelta(days=day - self.today)
        return datetime.combine(when, time(self.config.rollover_hour), tzinfo=self.config.tz)

    def day(self, moment: datetime) -> int:
        """Anki's day number of the drill day holding `moment`."""
        return self.today + (scheduling_day(moment, self.config) - self.today_date).days


# --------------------------------------------------------------------------- Anki's rows


class Answer(NamedTuple):
    """One review-log row from Anki that is an answer."""

    anki_id: int  # the revlog id: epoch milliseconds
    reviewed_at: datetime
    rating: int  # 1-4
    kind: str  # learn | review | relearn | cram
    ivl: int  # after: days, or negative seconds for a step
    last_ivl: int
    factor: int  # permille, 0 while learning
    answer_ms: int


class Row(NamedTuple):
    """A review-log row to write: one answer, the states before and after it."""

    reviewed_at: datetime
    rating: int
    kind: str
    before: CardState
    after: CardState
    answer_ms: int
    anki_id: int | None = None


def moment_of(anki_id: int) -> datetime:
    return datetime.fromtimestamp(anki_id / 1000, UTC)


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def answers(revlog: Iterable[Any]) -> list[Answer]:
    """The answers among one card's revlog rows (drill.anki.reader.Revlog), in time order."""
    found = []
    for row in sorted(revlog, key=lambda r: r.id):
        if row.type in ANSWER_TYPES and 1 <= row.ease <= 4:
            found.append(
                Answer(
                    row.id,
                    moment_of(row.id),
                    row.ease,
                    ANSWER_TYPES[row.type],
                    row.ivl,
                    row.last_ivl,
                    row.factor,
                    max(int(row.time), 0),
                )
            )
    return found


def _resets(revlog: Iterable[Any]) -> list[int]:
    """Ids of manual rows that made the card new again ("forget": interval 0)."""
    return sorted(r.id for r in revlog if r.type in MANUAL_TYPES and r.ivl == 0 and r.ease == 0)


def _phase_after(kind: str, rating: int, ivl: int) -> str:
    """A row's outcome, read from the row alone (when nothing follows it)."""
    if kind == "learn":
        return "review" if ivl > 0 else "learning"
    if kind == "relearn":
        return "review" if ivl > 0 else "relearning"
    if rating == 1:
        return "relearning" if ivl < 0 else "review"
    return "review"


def anki_rows(revlog: Sequence[Any], days: DayMap, current_phase: str | None = None) -> list[Row]:
    """One card's Anki answers as drill rows, each with the states before and after it as
    far as the revlog tells them (phase, interval, ease, step length, due, counts).
    `current_phase` is the card's phase now, the outcome of its last answer."""
    rows = answers(revlog)
    resets = _resets(revlog)
    phases_before: list[str] = []
    previous: Answer | None = None
    for row in rows:
        if row.kind == "cram":
            phases_before.append("")
            continue
        if row.kind == "learn":
            reset = previous is not None and any(previous.anki_id < r < row.anki_id for r in resets)
            phases_before.append("new" if previous is None or reset else "learning")
        else:
            phases_before.append("review" if row.kind == "review" else "relearning")
        previous = row
    out: list[Row] = []
    reps = lapses = 0
    interval, ease, last = 0, 2.5, None
    before_state = CardState()
    for i, row in enumerate(rows):
        following = next((p for p in phases_before[i + 1 :] if p), None)
        if row.kind == "cram":
            out.append(
                Row(
                    row.reviewed_at,
                    row.rating,
                    "cram",
                    before_state,
                    before_state,
                    row.answer_ms,
                    row.anki_id,
                )
            )
            continue
        phase = phases_before[i]
        if phase == "new":
            reps = lapses = interval = 0
            ease, last = 2.5, None
        before = CardState(
            phase=phase,
            interval_days=interval,
            ease=ease,
            reps=reps,
            lapses=lapses,
            last_review=last,
            scheduled_secs=-row.last_ivl if row.last_ivl < 0 else 0,
        )
        if following is None or following == "new":
            after_phase = current_phase if following is None and current_phase else None
            after_phase = after_phase or _phase_after(row.kind, row.rating, row.ivl)
        else:
            after_phase = following
        if after_phase == "new":  # forgotten after its last answer: read the row itself
            after_phase = _phase_after(row.kind, row.rating, row.ivl)
        reps += 1
        if row.kind == "review" and row.rating == 1:
            lapses += 1
        if row.factor:
            ease = row.factor / 1000
        if after_phase == "review" and row.ivl > 0:
            interval = row.ivl
        steps = after_phase in ("learning", "relearning")
        if row.ivl > 0:
            due = days.moment(days.day(row.reviewed_at) + row.ivl)
        else:
            due = row.reviewed_at + timedelta(seconds=-row.ivl)
        after = CardState(
            phase=after_phase,
            interval_days=interval if after_phase != "learning" else 0,
            ease=ease,
            reps=reps,
            lapses=lapses,
            due=due,
            last_review=row.reviewed_at,
            scheduled_secs=-row.ivl if row.ivl < 0 else 0,
            interday=steps and row.ivl > 0,
        )
        out.append(
            Row(row.reviewed_at, row.rating, row.kind, before, after, row.answer_ms, row.anki_id)
        )
        before_state, last = after, row.reviewed_at
    return out


# --------------------------------------------------------------------------- Anki's cards


class AnkiSide(NamedTuple):
    """Where one card is in Anki: its state, its flags and its answers."""

    state: CardState
    suspended: bool
    leech: bool
    rows: list[Row]


def _step_secs(steps: Sequence[float], step: int) -> int:
    if not steps:
        return 0
    return int(round(steps[max(min(step, len(steps) - 1), 0)] * 60))


def card_state(
    card: Any, revlog: Sequence[Any], days: DayMap, config: SchedulerConfig, leech: bool = False
) -> AnkiSide:
    """A card of Anki's (drill.anki.reader.AnkiCard) and its revlog rows, as drill has cards:
    phase from `type`, suspended from queue -1, the step from `left` (steps still to go),
    due dates from day numbers (or epoch seconds for intraday steps). `config` gives the
    steps of the card's deck in drill and its day boundary."""
    phase = _CARD_PHASES.get(card.type, "new")
    rows = anki_rows(revlog, days, phase)
    suspended = card.queue == QUEUE_SUSPENDED
    if phase == "new":
        return AnkiSide(CardState(), suspended, leech, rows)
    due_value = card.original_due if card.original_deck_id and card.original_due else card.due
    last_review = _last_review(card, rows)
    ease = card.factor / 1000 if card.factor else 2.5
    if phase == "review":
        state = CardState(
            phase="review",
            interval_days=max(card.ivl, 1),
            ease=ease,
            reps=card.reps,
            lapses=card.lapses,
            due=days.moment(due_value),
            last_review=last_review,
        )
        return AnkiSide(state, suspended, leech, rows)
    steps = config.learning_steps if phase == "learning" else config.relearning_steps
    remaining = card.left % 1000
    step = max(min(len(steps) - remaining, len(steps) - 1), 0) if steps else 0
    interday = due_value < _STAMP
    due = days.moment(due_value) if interday else datetime.fromtimestamp(due_value, UTC)
    answered = [r for r in rows if r.kind != "cram"]
    secs = answered[-1].after.scheduled_secs if answered else 0
    state = CardState(
        phase=phase,
        step=step,
        interval_days=card.ivl if phase == "relearning" else 0,
        ease=ease,
        reps=card.reps,
        lapses=card.lapses,
        due=due,
        last_review=last_review,
        scheduled_secs=secs or _step_secs(steps, step),
        interday=interday,
    )
    return AnkiSide(state, suspended, leech, rows)


def _last_review(card: Any, rows: Sequence[Row]) -> datetime | None:
    try:
        lrt = json.loads(card.data or "{}").get("lrt")
    except (ValueError, AttributeError):
        lrt = None
    if isinstance(lrt, int) and lrt > 0:
        return datetime.fromtimestamp(lrt, UTC)
    answered = [r for r in rows if r.kind != "cram"]
    return answered[-1].reviewed_at if answered else None


# --------------------------------------------------------------------------- drill's side


class Logged(NamedTuple):
    """One row of drill's review log for a card, as the merge needs it."""

    id: int
    reviewed_at: datetime
    rating: int
    kind: str
    anki_id: int | None
    answer_ms: int = 0


class Common(NamedTuple):
    """A card's last common state with Anki: the state, and whether Anki had it too
    (False after a `drill pull` that replayed drill's answers, which Anki never got)."""

    state: CardState
    shared: bool = True


class DrillSide(NamedTuple):
    """Where one card is in drill: its state, flags, last common state and review log."""

    state: CardState
    suspended: bool
    leech: bool
    common: Common | None
    log: list[Logged]


# --------------------------------------------------------------------------- the merge


@dataclass
class CardMerge:
    """What a merge does to one card (None from `merge_card`: nothing)."""

    card_id: str
    expected: CardState  # drill's state the merge was computed from
    state: CardState | None = None  # the new state (None: drill's stays)
    suspended: bool | None = None
    leech: bool | None = None
    insert: list[Row] = field(default_factory=list)  # Anki's answers drill did not have
    adopt: list[tuple[int, int]] = field(default_factory=list)  # (drill review id, anki id)
    rewrite: list[tuple[int, Row]] = field(default_factory=list)  # replayed drill rows
    common: Common | None = None
    replayed: bool = False

    @property
    def final(self) -> CardState:
        return self.state if self.state is not None else self.expected


def adopt_pairs(log: Sequence[Logged], unknown: Sequence[Row]) -> list[tuple[int, int]]:
    """Drill reviews that Anki has under an id drill never saw: the same rating and answer
    time (to the millisecond, as drill wrote it), and Anki's id within a second at or after
    the review's millisecond. (drill review id, anki id)."""
    free = [r for r in log if r.anki_id is None]
    pairs = []
    taken: set[int] = set()
    for row in unknown:
        assert row.anki_id is not None
        best = None
        for review in free:
            if (
                review.id in taken
                or review.rating != row.rating
                or review.answer_ms != row.answer_ms
            ):
                continue
            gap = row.anki_id - millis(review.reviewed_at)
            if 0 <= gap < SAME_REVIEW_MS and (best is None or gap < best[0]):
                best = (gap, review.id)
        if best is not None:
            taken.add(best[1])
            pairs.append((best[1], row.anki_id))
    return pairs


class Pending(NamedTuple):
    """An answer to replay: drill's (its review id) or Anki's."""

    reviewed_at: datetime
    from_anki: bool
    review_id: int  # drill's review-log id; 0 for an answer from Anki
    rating: int
    kind: str
    answer_ms: int
    anki_id: int | None


def replay(
    card_id: str, start: CardState, pending: Sequence[Pending], options: DeckOptions
) -> list[Row]:
    """Answers replayed in order from `start` through the deck's scheduler (with the quiz's
    fuzz seed), each as a Row with the states before and after it. Cram answers leave the
    state as it is."""
    state = start
    out = []
    for item in pending:
        if item.kind == "cram":
            out.append(
                Row(
                    item.reviewed_at,
                    item.rating,
                    "cram",
                    state,
                    state,
                    item.answer_ms,
                    item.anki_id,
                )
            )
            continue
        outcomes = next_states(
            state, item.reviewed_at, options, seed=card_seed(card_id, state.reps)
        )
        after = outcomes[Rating(item.rating)]
        out.append(
            Row(
                item.reviewed_at,
                item.rating,
                _kind(state),
                state,
                after,
                item.answer_ms,
                item.anki_id,
            )
        )
        state = after
    return out


def _kind(before: CardState) -> str:
    return {"new": "learn", "learning": "learn", "review": "review", "relearning": "relearn"}[
        before.phase
    ]


def merge_card(
    card_id: str,
    drill: DrillSide,
    anki: AnkiSide,
    options: DeckOptions,
    *,
    shared: bool = True,
) -> CardMerge | None:
    """The merge of one card's two histories (see the module docstring); None when Anki has
    nothing drill lacks. `shared`: whether Anki will hold the result too (a sync pushes
    it; a pull does not)."""
    known = {r.anki_id for r in drill.log if r.anki_id is not None}
    unknown = [r for r in anki.rows if r.anki_id not in known]
    if not unknown:
        return None
    merge = CardMerge(card_id, drill.state)
    merge.adopt = adopt_pairs(drill.log, unknown)
    adopted_ids = {anki_id for _, anki_id in merge.adopt}
    adopted_reviews = {review_id for review_id, _ in merge.adopt}
    unknown = [r for r in unknown if r.anki_id not in adopted_ids]
    if not unknown:
        # Anki has exactly drill's answers: the two agree from here on.
        merge.common = Common(drill.state, shared=_same_schedule(drill.state, anki.state))
        return merge
    common = drill.common
    since = common.state.last_review if common is not None else None
    fresh = [
        r
        for r in drill.log
        if r.anki_id is None
        and r.id not in adopted_reviews
        and (since is None or r.reviewed_at > since)
    ]
    merge.insert = list(unknown)
    if not fresh and (common is None or (common.shared and _on_top(anki, common, unknown))):
        # Only Anki answered since the two last agreed: Anki's state, exactly.
        merge.state = anki.state
        merge.suspended = anki.suspended
        merge.leech = anki.leech or drill.leech
        merge.common = Common(anki.state, shared=True)
        return merge
    # Both answered (or drill's last merged state never reached Anki): replay.
    start = common.state if common is not None else CardState()
    pending = [
        Pending(r.reviewed_at, False, r.id, r.rating, r.kind, r.answer_ms, r.anki_id)
        for r in drill.log
        if since is None or r.reviewed_at > since
    ]
    pending += [
        Pending(r.reviewed_at, True, 0, r.rating, r.kind, r.answer_ms, r.anki_id) for r in unknown
    ]
    pending.sort(key=lambda p: (p.reviewed_at, not p.from_anki))  # a tie: Anki's first
    replayed = replay(card_id, start, pending, options)
    merge.insert, merge.rewrite = [], []
    for item, row in zip(pending, replayed, strict=True):
        if item.from_anki:
            merge.insert.append(row)
        else:
            merge.rewrite.append((item.review_id, row))
    final = replayed[-1].after if replayed else start
    merge.state = replace(final, leech=False, suspended=False)
    merge.suspended = drill.suspended or anki.suspended or final.suspended
    merge.leech = drill.leech or anki.leech or final.leech
    merge.common = Common(merge.state, shared=shared)
    merge.replayed = True
    return merge


def _on_top(anki: AnkiSide, common: Common, unknown: Sequence[Row]) -> bool:
    """Whether Anki's state comes from its new answers given on top of the common state.
    Not when Anki answered a card before it had the common state (two devices answered
    between syncs, and the sync kept the other card row): its count of answers tells."""
    answered = sum(1 for r in unknown if r.kind != "cram")
    return anki.state.reps == common.state.reps + answered


def _same_schedule(a: CardState, b: CardState) -> bool:
    """Whether two states schedule alike (what the two sides can both hold)."""
    return (
        a.phase == b.phase
        and a.interval_days == b.interval_days
        and a.reps == b.reps
        and a.lapses == b.lapses
        and round(a.ease, 3) == round(b.ease, 3)
        and (a.due is None) == (b.due is None)
        and (a.due is None or b.due is None or abs((a.due - b.due).total_seconds()) < 60)
    )
