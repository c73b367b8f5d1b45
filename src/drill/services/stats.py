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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


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


def reviews_per_day(
    store: Store, since: datetime, config: SchedulerConfig, card_ids: list[str] | None
) -> dict[str, int]:
    """Reviews per scheduling day ('YYYY-MM-DD'), each on the day the scheduler's day rule
    gives its own moment (its own UTC offset: a summer review stays on its day when read
    in winter). Counted per UTC hour, or per minute in a zone whose offset is not whole
    hours, since a period then never straddles a day boundary."""
    minutes = any(
        (config.tz.utcoffset(since + timedelta(days=d)) or timedelta(0)) % timedelta(hours=1)
        for d in range(0, 400, 30)
    )
    days: dict[str, int] = {}
    for start, n in store.reviews_per_period(since, card_ids, minutes=minutes):
        day = scheduling_day(start, config).isoformat()
        days[day] = days.get(day, 0) + n
    return days


def stats(ws: Workspace, deck: str | None = None) -> StatsReport:
    """The figures for every card, or for one deck and its children."""
    from drill.fsrs_scheduler import FsrsState, retrievability

    ws.check_deck(deck)
    config, now = ws.config, ws.now
    cards = [
        c
        for c in ws.store.cards(now, include_suspended=True)
        if deck is None or deck_matches(c.deck, deck)
    ]
    card_ids = None if deck is None else [c.id for c in cards]
    today_start = day_start(now, config)
    today = scheduling_day(today_start, config)
    per_day = reviews_per_day(ws.store, today_start - timedelta(days=365), config, card_ids)
    streak = 0
    day = today if per_day.get(today.isoformat()) else today - timedelta(days=1)
    while per_day.get(day.isoformat()):
        streak += 1
        day -= timedelta(days=1)

    retention = ws.store.retention(now - timedelta(days=30), card_ids)
    phases: Counter[str] = Counter()
    forecast = [0] * 30
    eases: Counter[str] = Counter()
    leeches = []
    recall: list[float] = []
    for card in cards:
        phase = card.phase
        if card.scheduler == "fsrs" and phase in ("review", "relearning"):
            # py-fsrs is imported only when a card is on FSRS.
            state = card.state
            assert isinstance(state, FsrsState)
            recall.append(retrievability(state, now, ws.options_for(card.deck)))
        phases["suspended" if card.suspended or card.yaml_suspended else phase] += 1
        if card.leech:
            leeches.append({"id": card.id, "deck": card.deck, "lapses": card.lapses})
        if phase == "new" or card.suspended or not card.due_key:
            continue
        if phase in ("review", "relearning"):
            eases[_ease_bucket(card.ease)] += 1
        due = card.due
        assert due is not None
        days_ahead = (scheduling_day(due, config) - today).days
        if days_ahead < 30:
            forecast[max(days_ahead, 0)] += 1

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
    )
