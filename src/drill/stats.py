"""`drill stats`: what the review log and the schedule say, as numbers and a terminal heatmap."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from drill.scheduler import SchedulerConfig, day_start, scheduling_day
from drill.session import Filters
from drill.store import Store, state_from_row

if TYPE_CHECKING:
    from drill.options import DeckOptions

YOUNG_MATURE_DAYS = 21
EASE_BUCKETS = (1.3, 1.5, 1.7, 1.9, 2.1, 2.3, 2.5, 2.7, 2.9, 3.1)
HEAT = " ░▒▓█"


def compute(
    store: Store,
    now: datetime,
    config: SchedulerConfig,
    filters: Filters | None = None,
    options_for: Callable[[str], DeckOptions] | None = None,
) -> dict[str, Any]:
    """Every figure `drill stats` shows, JSON-ready. `options_for` gives each deck's FSRS
    parameters, for the predicted retrievability of cards on FSRS (default: py-fsrs's)."""
    filters = filters or Filters()
    rows = [r for r in store.study_rows(now, include_suspended=True) if filters.match(r)]
    card_ids = None if filters == Filters() else [r["id"] for r in rows]
    today_start = day_start(now, config)
    today = scheduling_day(today_start, config)
    per_day = reviews_per_day(store, today_start - timedelta(days=365), config, card_ids)
    streak = 0
    day = today if per_day.get(today.isoformat()) else today - timedelta(days=1)
    while per_day.get(day.isoformat()):
        streak += 1
        day -= timedelta(days=1)

    retention = store.retention(now - timedelta(days=30), card_ids)
    phases: Counter[str] = Counter()
    forecast = [0] * 30
    eases: Counter[str] = Counter()
    leeches = []
    recall: list[float] = []
    for row in rows:
        # Read the columns directly: building 10,000 scheduler states was most of the time.
        phase = row["phase"]
        if row["scheduler"] == "fsrs" and phase in ("review", "relearning"):
            recall.append(_retrievability(state_from_row(row), now, row["deck"], options_for))
        if row["suspended"] or row["yaml_suspended"]:
            phases["suspended"] += 1
        else:
            phases[phase] += 1
        if row["leech"]:
            leeches.append({"id": row["id"], "deck": row["deck"], "lapses": row["lapses"]})
        if phase == "new" or not row["due"] or row["suspended"]:
            continue
        if phase in ("review", "relearning"):
            eases[_ease_bucket(row["ease"])] += 1
        due_day = scheduling_day(datetime.fromisoformat(row["due"]), config)
        days_ahead = (due_day - today).days
        if days_ahead < 30:
            forecast[max(days_ahead, 0)] += 1

    return {
        "today": {"date": today.isoformat(), "reviews": per_day.get(today.isoformat(), 0)},
        "streak_days": streak,
        "reviews_per_day": dict(sorted(per_day.items())),
        "retention_30d": {
            name: {
                "passed": passed,
                "total": total,
                "rate": round(passed / total, 4) if total else None,
            }
            for name, (passed, total) in retention.items()
        },
        "forecast_30d": [
            {"date": (today + timedelta(days=i)).isoformat(), "due": n}
            for i, n in enumerate(forecast)
        ],
        "cards": {
            p: phases.get(p, 0) for p in ("new", "learning", "review", "relearning", "suspended")
        },
        "ease": {bucket: eases.get(bucket, 0) for bucket in _bucket_names()},
        "leeches": leeches,
        "retrievability": {
            "average": round(sum(recall) / len(recall), 4) if recall else None,
            "cards": len(recall),
        },
    }


def _retrievability(
    state: Any, now: datetime, deck: str, options_for: Callable[[str], DeckOptions] | None
) -> float:
    """FSRS's predicted chance of recall now, for a card on FSRS (py-fsrs is imported only
    when there is one)."""
    from drill.fsrs_scheduler import retrievability

    if options_for is None:
        from drill.options import DeckOptions

        return retrievability(state, now, DeckOptions())
    return retrievability(state, now, options_for(deck))


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


def _bucket_names() -> list[str]:
    return [
        f"{low:.1f}-{high:.1f}" for low, high in zip(EASE_BUCKETS, EASE_BUCKETS[1:], strict=False)
    ] + ["3.1+"]


def _ease_bucket(ease: float) -> str:
    index = bisect.bisect_right(EASE_BUCKETS, ease)
    if index >= len(EASE_BUCKETS):
        return "3.1+"
    low = EASE_BUCKETS[max(index - 1, 0)]
    return f"{low:.1f}-{EASE_BUCKETS[max(index, 1)]:.1f}"


def heatmap(per_day: dict[str, int], today: date) -> list[str]:
    """A year of reviews as GitHub draws it: a column per week, a row per weekday."""
    start = today - timedelta(days=364)
    start -= timedelta(days=start.weekday())  # columns start on Monday
    weeks = (today - start).days // 7 + 1
    peak = max(per_day.values(), default=0)
    grid = [[" "] * weeks for _ in range(7)]
    day = start
    while day <= today:
        n = per_day.get(day.isoformat(), 0)
        level = 1 + 3 * (n - 1) // max(peak - 1, 1) if n else 0
        grid[day.weekday()][(day - start).days // 7] = HEAT[level] if n else "·"
        day += timedelta(days=1)
    # Month names above the week in which each month starts, where there is room.
    months = [" "] * (weeks + 3)
    for week in range(weeks):
        first = start + timedelta(days=7 * week)
        if (week == 0 or first.month != (first - timedelta(days=7)).month) and all(
            c == " " for c in months[max(0, week - 1) : week + 3]
        ):
            months[week : week + 3] = first.strftime("%b")
    names = ("Mon", "", "Wed", "", "Fri", "", "Sun")
    header = "    " + "".join(months).rstrip()
    return [header] + [f"{names[i]:>3} {''.join(row)}" for i, row in enumerate(grid)]


def render(data: dict[str, Any]) -> str:
    """The text report."""
    lines = []
    today = date.fromisoformat(data["today"]["date"])
    lines.append(
        f"Today: {data['today']['reviews']} reviews · streak {data['streak_days']} "
        f"day{'s' if data['streak_days'] != 1 else ''}"
    )
    lines.append("")
    lines.append("Reviews over the last year (· none, ░▒▓█ more):")
    lines.extend(heatmap(data["reviews_per_day"], today))
    lines.append("")
    lines.append("True retention, last 30 days:")
    for name in ("young", "mature"):
        r = data["retention_30d"][name]
        rate = f"{r['rate']:.1%}" if r["rate"] is not None else "—"
        label = "young (<21d)" if name == "young" else "mature (21d+)"
        lines.append(f"  {label:<14} {rate:>6}  ({r['passed']}/{r['total']})")
    recall = data.get("retrievability") or {}
    if recall.get("cards"):
        cards = recall["cards"]
        lines.append(
            f"Predicted retrievability (FSRS): {recall['average']:.1%} on average now, over "
            f"{cards} review card{'s' if cards != 1 else ''}"
        )
    lines.append("")
    lines.append("Due in the next 30 days:")
    forecast = data["forecast_30d"]
    peak = max((f["due"] for f in forecast), default=0) or 1
    for f in forecast[:14]:
        bar = "█" * round(20 * f["due"] / peak)
        lines.append(f"  {f['date']}  {f['due']:>5}  {bar}")
    rest = sum(f["due"] for f in forecast[14:])
    lines.append(f"  ... and {rest} more in days 15-30")
    lines.append("")
    cards = data["cards"]
    lines.append("Cards: " + " · ".join(f"{k} {v}" for k, v in cards.items()))
    ease = {k: v for k, v in data["ease"].items() if v}
    if ease:
        lines.append("Ease: " + " · ".join(f"{k}: {v}" for k, v in ease.items()))
    if data["leeches"]:
        lines.append(
            "Leeches: " + ", ".join(f"{x['id']} ({x['lapses']} lapses)" for x in data["leeches"])
        )
    return "\n".join(lines)
