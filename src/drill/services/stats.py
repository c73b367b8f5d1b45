"""`drill stats`: what the review log and the schedule say, as numbers."""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from drill.model import deck_matches
from drill.scheduler import SchedulerConfig, day_start, scheduling_day
from drill.services.workspace import Workspace
from drill.storage import Store

YOUNG_MATURE_DAYS = 21
EASE_BUCKETS = (1.3, 1.5, 1.7, 1.9, 2.1, 2.3, 2.5, 2.7, 2.9, 3.1)
PHASES = ("new", "learning", "review", "relearning", "suspended")


@dataclass(frozen=True)
class StatsReport:
    """Every figure `drill stats` shows; `to_json()` is `drill stats --json`."""

    today: dict[str, Any]  # {"date": "YYYY-MM-DD", "reviews": n}
    streak_days: int
    reviews_per_day: dict[str, int]
    retention_30d: dict[str, dict[str, Any]]  # young/mature: passed, total, rate
    forecast_30d: list[dict[str, Any]]  # {"date", "due"} for today and the next 29 days
    cards: dict[str, int]  # per phase, and suspended
    ease: dict[str, int]  # per ease bucket
    leeches: list[dict[str, Any]]
    retrievability: dict[str, Any]  # FSRS: average predicted recall now, over how many cards
    reviews_by_origin: dict[str, int]  # where the reviews were done: drill, anki
    problem_times: dict[str, dict[str, Any]]  # family: median seconds per problem, answers

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def ease_buckets() -> list[str]:
    return [
        f"{low:.1f}-{high:.1f}" for low, high in zip(EASE_BUCKETS, EASE_BUCKETS[1:], strict=False)
    ] + ["3.1+"]


def _ease_bucket(ease: float) -> str:
    index = bisect.bisect_right(EASE_BUCKETS, ease)
    if index >= len(EASE_BUCKETS):
        return "3.1+"
    low = EASE_BUCKETS[max(index - 1, 0)]
    return f"{low:.1f}-{EASE_BUCKETS[max(index, 1)]:.1f}"


def _whole_hours(config: SchedulerConfig, since: datetime) -> bool:
    """Whether the zone's offsets are whole hours (then a UTC hour never straddles a day)."""
    return not any(
        (config.tz.utcoffset(since + timedelta(days=d)) or timedelta(0)) % timedelta(hours=1)
        for d in range(0, 400, 30)
    )


def reviews_per_day(
    store: Store, since: datetime, config: SchedulerConfig, deck: str | None
) -> dict[str, int]:
    """Reviews per scheduling day ('YYYY-MM-DD'), each on the day the scheduler's day rule
    gives its own moment (its own UTC offset: a summer review stays on its day when read
    in winter). Counted per UTC hour, or per minute in a zone whose offset is not whole
    hours, since a period then never straddles a day boundary."""
    minutes = not _whole_hours(config, since)
    days: dict[str, int] = {}
    for start, n in store.reviews_per_period(since, deck, minutes=minutes):
        day = scheduling_day(start, config).isoformat()
        days[day] = days.get(day, 0) + n
    return days


def stats(ws: Workspace, deck: str | None = None) -> StatsReport:
    """The figures for every card, or for one deck and its children: counted in SQL, so
    100,000 reviews and 10,000 cards take no Python per row."""
    ws.check_deck(deck)
    config, now, store = ws.config, ws.now, ws.store
    today_start = day_start(now, config)
    today = scheduling_day(today_start, config)
    per_day = reviews_per_day(store, today_start - timedelta(days=365), config, deck)
    streak = 0
    day = today if per_day.get(today.isoformat()) else today - timedelta(days=1)
    while per_day.get(day.isoformat()):
        streak += 1
        day -= timedelta(days=1)

    retention = store.retention(now - timedelta(days=30), deck)
    phases = store.phase_counts(deck)
    eases: Counter[str] = Counter(_ease_bucket(ease) for ease in store.eases(deck))
    forecast = [0] * 30
    overdue, per_hour = store.due_per_hour(today_start, today_start + timedelta(days=31), deck)
    forecast[0] += overdue
    if not _whole_hours(config, today_start):  # a half-hour zone: hours may straddle days
        per_hour = [
            (card.due, 1)
            for card in store.cards(now, include_suspended=True)
            if card.phase != "new"
            and not card.suspended
            and card.due is not None
            and card.due >= today_start
            and (deck is None or deck_matches(card.deck, deck))
        ]
    for hour, n in per_hour:
        days_ahead = (scheduling_day(hour, config) - today).days
        if days_ahead < 30:
            forecast[max(days_ahead, 0)] += n
    leeches = [{"id": c.id, "deck": c.deck, "lapses": c.lapses} for c in store.leeches(deck)]
    times: dict[str, list[int]] = {}
    for family, ms in store.problem_times(deck):
        times.setdefault(family or "other", []).append(ms)
    recall: list[float] = []
    fsrs_cards = store.fsrs_reviewing(deck)
    if fsrs_cards:
        from drill.fsrs_scheduler import FsrsState, retrievability  # py-fsrs only when needed

        for card in fsrs_cards:
            state = card.state
            assert isinstance(state, FsrsState)
            recall.append(retrievability(state, now, ws.options_for(card.deck)))

    return StatsReport(
        today={"date": today.isoformat(), "reviews": per_day.get(today.isoformat(), 0)},
        streak_days=streak,
        reviews_per_day=dict(sorted(per_day.items())),
        retention_30d={
            name: {
                "passed": passed,
                "total": total,
                "rate": round(passed / total, 4) if total else None,
            }
            for name, (passed, total) in retention.items()
        },
        forecast_30d=[
            {"date": (today + timedelta(days=i)).isoformat(), "due": n}
            for i, n in enumerate(forecast)
        ],
        cards={p: phases.get(p, 0) for p in PHASES},
        ease={bucket: eases.get(bucket, 0) for bucket in ease_buckets()},
        leeches=leeches,
        retrievability={
            "average": round(sum(recall) / len(recall), 4) if recall else None,
            "cards": len(recall),
        },
        reviews_by_origin=store.origins(deck),
        problem_times={
            family: {"median_seconds": round(_median(ms) / 1000, 1), "answers": len(ms)}
            for family, ms in sorted(times.items())
        },
    )
