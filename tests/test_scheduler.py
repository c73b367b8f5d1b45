"""drill.scheduler as a spec: Anki's SM-2 rules (see anki-sm2.md), one rule per test.

Expected numbers come from Anki's documented rules and its own test cases
(rslib/src/scheduler/states/*.rs); test_scheduler_vs_anki.py checks the same against the real
Anki backend.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest

from drill.scheduler import (
    CardState,
    Rating,
    SchedulerConfig,
    answer,
    day_start,
    days_between,
    format_interval,
    from_dict,
    fuzz_range,
    is_due,
    preview,
    to_dict,
)

TZ = timezone(timedelta(hours=2), "UTC+2")  # not UTC, so local time matters
NOFUZZ = SchedulerConfig(fuzz=False, tz=TZ)
FUZZ = SchedulerConfig(tz=TZ)
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=TZ)  # well away from the 04:00 cutoff
MINUTE = timedelta(minutes=1)


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment `day` days after NOON's day, at hour:minute local time."""
    return NOON.replace(hour=hour, minute=minute) + timedelta(days=day)


def review(
    interval: int,
    *,
    ease: float = 2.5,
    late: int = 0,
    lapses: int = 0,
    now: datetime = NOON,
    config: SchedulerConfig = NOFUZZ,
) -> CardState:
    """A review card due `late` days before `now` (negative: due in the future)."""
    due = day_start(now, config) - timedelta(days=late)
    return CardState(
        phase="review", interval_days=interval, ease=ease, reps=5, lapses=lapses, due=due
    )


def intervals(state: CardState, now: datetime = NOON, config=NOFUZZ, seed=0) -> list[int]:
    out = preview(state, now, config, seed)
    return [out[r].interval_days for r in (Rating.HARD, Rating.GOOD, Rating.EASY)]


def delay(state: CardState, now: datetime = NOON) -> timedelta:
    assert state.due is not None
    return state.due - now


# ----------------------------------------------------------------------------- learning


def test_worked_example_good_every_time_on_the_due_day():
    # new -> 10m -> 1d -> 3d -> 8d -> 20d, ease stays 2.50
    state, now = CardState(), NOON
    seen = []
    for _ in range(6):
        state = answer(state, Rating.GOOD, now, NOFUZZ)
        if state.phase == "learning":
            seen.append(f"{delay(state, now) // MINUTE}m")
            now = state.due
        else:
            seen.append(f"{state.interval_days}d")
            assert state.ease == 2.5
            now = state.due + timedelta(hours=9)  # on the due day
    assert seen == ["10m", "1d", "3d", "8d", "20d", "50d"]
    assert state.reps == 6 and state.lapses == 0


def test_new_card_buttons():
    out = preview(CardState(), NOON, NOFUZZ)
    assert delay(out[Rating.AGAIN]) == 1 * MINUTE
    assert delay(out[Rating.HARD]) == timedelta(minutes=5, seconds=30)  # mean of 1m and 10m
    assert delay(out[Rating.GOOD]) == 10 * MINUTE
    assert out[Rating.EASY].phase == "review" and out[Rating.EASY].interval_days == 4
    assert [out[r].step for r in (Rating.AGAIN, Rating.HARD, Rating.GOOD)] == [0, 0, 1]


def test_again_on_any_step_resets_to_first_step():
    config = SchedulerConfig(learning_steps=(1, 10, 60), fuzz=False, tz=TZ)
    for step in range(3):
        state = CardState(phase="learning", step=step, reps=step + 1, due=NOON)
        again = answer(state, Rating.AGAIN, NOON, config)
        assert (again.phase, again.step, delay(again)) == ("learning", 0, MINUTE)


def test_hard_on_first_step_is_the_mean_of_the_first_two_later_steps_repeat():
    first = CardState(phase="learning", step=0, due=NOON)
    last = CardState(phase="learning", step=1, due=NOON)
    assert delay(answer(first, Rating.HARD, NOON, NOFUZZ)) == timedelta(seconds=330)
    hard_last = answer(last, Rating.HARD, NOON, NOFUZZ)
    assert (hard_last.step, delay(hard_last)) == (1, 10 * MINUTE)


def test_hard_with_a_single_step_is_half_as_long_again_but_at_most_a_day_more():
    ten = SchedulerConfig(learning_steps=(10,), fuzz=False, tz=TZ)
    assert delay(answer(CardState(), Rating.HARD, NOON, ten)) == 15 * MINUTE
    three_days = SchedulerConfig(learning_steps=(3 * 1440,), fuzz=False, tz=TZ)
    hard = answer(CardState(), Rating.HARD, NOON, three_days)
    assert hard.interday and days_between(NOON, hard.due, three_days) == 4


def test_good_on_the_last_step_graduates_with_the_graduating_interval_and_starting_ease():
    config = SchedulerConfig(graduating_interval=2, starting_ease=2.3, fuzz=False, tz=TZ)
    state = CardState(phase="learning", step=1, reps=2, due=NOON)
    good = answer(state, Rating.GOOD, NOON, config)
    assert (good.phase, good.interval_days, good.ease) == ("review", 2, 2.3)
    assert good.due == day_start(NOON, config) + timedelta(days=2)


def test_easy_on_a_new_card_is_the_easy_interval():
    easy = answer(CardState(), Rating.EASY, NOON, NOFUZZ)
    assert (easy.phase, easy.interval_days, easy.ease, easy.reps) == ("review", 4, 2.5, 1)


def test_no_learning_steps_graduates_at_once():
    config = SchedulerConfig(learning_steps=(), fuzz=False, tz=TZ)
    out = preview(CardState(), NOON, config)
    assert [out[r].interval_days for r in Rating] == [1, 1, 1, 4]
    assert all(s.phase == "review" for s in out.values())


def test_steps_of_a_day_or_more_are_counted_in_days_and_due_at_the_day_start():
    config = SchedulerConfig(learning_steps=(10, 1440, 2880), fuzz=False, tz=TZ)
    one = answer(CardState(phase="learning", step=0, due=NOON), Rating.GOOD, NOON, config)
    assert one.interday and one.due == at(1, 4)  # tomorrow 04:00, not tomorrow noon
    two = answer(one, Rating.GOOD, at(1, 5), config)
    assert two.interday and two.due == at(3, 4)
    assert not is_due(two, at(3, 3, 59), config) and is_due(two, at(3, 4), config)


def test_a_step_ending_after_the_cutoff_moves_to_the_next_day():
    late_evening = at(0, 3, 55)  # 03:55 belongs to the previous day; the day ends at 04:00
    good = answer(CardState(), Rating.GOOD, late_evening, NOFUZZ)
    assert good.interday and good.due == at(0, 4)
    assert format_interval(good, late_evening, NOFUZZ) == "1d"


# ----------------------------------------------------------------------------- reviews


def test_review_on_time_hard_good_easy():
    # Hard: 20 * 1.2; Good: 20 * 2.5; Easy: 20 * 2.5 * 1.3
    assert intervals(review(20)) == [24, 50, 65]


def test_hard_and_good_minimums_push_short_intervals_apart():
    # 1 day: Hard 1.2 -> at least 2, Good 2.5 -> at least Hard + 1 = 3, Easy 3.25 -> 4
    assert intervals(review(1)) == [2, 3, 4]


def test_ease_changes_hard_minus_15_easy_plus_15_good_unchanged():
    out = preview(review(20), NOON, NOFUZZ)
    assert [out[r].ease for r in (Rating.HARD, Rating.GOOD, Rating.EASY)] == [2.35, 2.5, 2.65]


def test_late_review_bonus():
    # 8 days late: Good (20 + 8/2) * 2.5 = 60; Easy (20 + 8) * 2.5 * 1.3 = 91; Hard no bonus
    assert intervals(review(20, late=8)) == [24, 60, 91]


def test_ease_floor_is_1_30():
    out = preview(review(20, ease=1.35), NOON, NOFUZZ)
    assert out[Rating.HARD].ease == 1.3
    assert out[Rating.AGAIN].ease == 1.3
    assert answer(review(20, ease=1.3), Rating.HARD, NOON, NOFUZZ).ease == 1.3


def test_interval_modifier_multiplies_each_passing_interval():
    config = SchedulerConfig(interval_modifier=0.8, fuzz=False, tz=TZ)
    # 20 * 1.2 * 0.8 = 19.2 -> at least 21; 20 * 2.5 * 0.8 = 40; 65 * 0.8 = 52
    assert intervals(review(20, config=config), config=config) == [21, 40, 52]


def test_maximum_interval_caps_every_answer():
    config = SchedulerConfig(maximum_interval=100, fuzz=False, tz=TZ)
    assert intervals(review(90, config=config), config=config) == [100, 100, 100]
    assert intervals(review(90, config=config), config=SchedulerConfig(tz=TZ)) != [100] * 3


def test_days_elapsed_come_from_the_due_date():
    state = review(10, late=3)
    assert days_between(state.due, NOON, NOFUZZ) == 3
    good = answer(state, Rating.GOOD, NOON, NOFUZZ)
    assert good.interval_days == round((10 + 3 / 2) * 2.5)  # 28.75 -> 29
    assert good.due == day_start(NOON, NOFUZZ) + timedelta(days=29)


def test_without_a_due_date_lateness_comes_from_the_last_review():
    state = CardState(phase="review", interval_days=20, ease=2.5, last_review=at(-28))
    assert intervals(state) == intervals(review(20, late=8))
    assert intervals(CardState(phase="review", interval_days=20)) == [24, 50, 65]


def test_early_review_uses_the_gentler_formula():
    # due in 5 days, so 5 of 10 days elapsed: Hard max(5 * 1.2, 10 * 1.2 / 2) = 6;
    # Good max(5 * 2.5, 10) = 12.5 -> 13; Easy 12.5 * (1.3 - 0.3 / 2) = 14.375 -> 14
    early = review(10, late=-5)
    assert intervals(early) == [6, 13, 14]
    # ... and is never fuzzed
    assert {tuple(intervals(early, config=FUZZ, seed=s)) for s in range(50)} == {(6, 13, 14)}
    assert preview(early, NOON, NOFUZZ)[Rating.EASY].ease == 2.65


def test_review_ahead_far_from_due_keeps_at_least_the_interval():
    # reviewed the day after: Good max(1 * 2.5, 30) = 30
    early = review(30, late=-29)
    assert intervals(early) == [18, 30, 35]


# ----------------------------------------------------------------------------- lapses


def test_lapse_drops_ease_counts_the_lapse_and_relearns_for_10_minutes():
    again = answer(review(20, lapses=1), Rating.AGAIN, NOON, NOFUZZ)
    assert (again.phase, again.step, again.lapses, again.ease) == ("relearning", 0, 2, 2.3)
    assert delay(again) == 10 * MINUTE
    assert again.interval_days == 1  # max(1, 20 * 0.0)


def test_relearning_graduates_to_the_post_lapse_interval():
    relearning = answer(review(20), Rating.AGAIN, NOON, NOFUZZ)
    later = relearning.due
    good = answer(relearning, Rating.GOOD, later, NOFUZZ)
    assert (good.phase, good.interval_days, good.ease, good.lapses) == ("review", 1, 2.3, 1)


def test_easy_in_relearning_is_the_post_lapse_interval_plus_a_day():
    relearning = answer(review(20), Rating.AGAIN, NOON, NOFUZZ)
    easy = answer(relearning, Rating.EASY, relearning.due, NOFUZZ)
    assert (easy.phase, easy.interval_days) == ("review", 2)


def test_again_while_relearning_restarts_the_steps_without_another_lapse():
    relearning = answer(review(20), Rating.AGAIN, NOON, NOFUZZ)
    again = answer(relearning, Rating.AGAIN, relearning.due, NOFUZZ)
    assert (again.phase, again.step, again.lapses, again.ease) == ("relearning", 0, 1, 2.3)


def test_new_interval_multiplier_and_minimum_after_a_lapse():
    config = SchedulerConfig(lapse_multiplier=0.5, minimum_lapse_interval=3, fuzz=False, tz=TZ)
    assert answer(review(40), Rating.AGAIN, NOON, config).interval_days == 20
    assert answer(review(4), Rating.AGAIN, NOON, config).interval_days == 3


def test_without_relearning_steps_a_lapse_goes_straight_back_to_review():
    config = SchedulerConfig(relearning_steps=(), lapse_multiplier=0.5, fuzz=False, tz=TZ)
    again = answer(review(40), Rating.AGAIN, NOON, config)
    assert (again.phase, again.interval_days, again.lapses) == ("review", 20, 1)


# ----------------------------------------------------------------------------- leeches


@pytest.mark.parametrize(
    ("threshold", "leech_at"),
    [(8, {8, 12, 16, 20}), (5, {5, 8, 11, 14, 17, 20}), (1, set(range(1, 21)))],
)
def test_leech_at_the_threshold_and_every_half_threshold_after(threshold, leech_at):
    config = SchedulerConfig(leech_threshold=threshold, fuzz=False, tz=TZ)
    flagged = set()
    for lapses_before in range(20):
        again = answer(review(10, lapses=lapses_before), Rating.AGAIN, NOON, config)
        if again.leech:
            flagged.add(again.lapses)
    assert flagged == leech_at


def test_only_a_lapse_makes_a_leech():
    state = review(10, lapses=7)
    out = preview(state, NOON, NOFUZZ)
    assert [out[r].leech for r in Rating] == [True, False, False, False]
    relearning = out[Rating.AGAIN]
    assert not any(s.leech for s in preview(relearning, relearning.due, NOFUZZ).values())


def test_leech_action_tag_or_suspend():
    state = review(10, lapses=7)
    tagged = answer(state, Rating.AGAIN, NOON, NOFUZZ)
    assert tagged.leech and not tagged.suspended
    suspend = SchedulerConfig(leech_action="suspend", fuzz=False, tz=TZ)
    suspended = answer(state, Rating.AGAIN, NOON, suspend)
    assert suspended.leech and suspended.suspended
    assert not answer(review(10, lapses=8), Rating.AGAIN, NOON, suspend).suspended


# ----------------------------------------------------------------------------- fuzz


@pytest.mark.parametrize(
    ("interval", "bounds"),
    [(2.5, (2, 4)), (7, (5, 9)), (17, (14, 20)), (37, (33, 41)), (2.49, (2, 2)), (1, (1, 1))],
)
def test_fuzz_ranges(interval, bounds):
    assert fuzz_range(interval) == bounds


def test_fuzz_ranges_respect_minimum_and_maximum():
    # Anki's own cases: the range is shifted inside the limits, never widened
    assert fuzz_range(100, 101, 1000) == (101, 108)
    assert fuzz_range(100, 1, 99) == (92, 99)
    assert fuzz_range(2.0, 3, 1000) == (3, 4)


def test_fuzzed_intervals_cover_the_range():
    # Good on a 20-day card at ease 2.5 is 50 days: 50 +- (1 + 0.675 + 1.3 + 1.5) -> 46..54
    goods = {answer(review(20), Rating.GOOD, NOON, FUZZ, seed).interval_days for seed in range(300)}
    assert goods == set(range(46, 55))


def test_fuzz_is_deterministic_per_seed_and_varies_between_seeds():
    state = review(30)
    first = [answer(state, Rating.GOOD, NOON, FUZZ, seed) for seed in range(40)]
    again = [answer(state, Rating.GOOD, NOON, FUZZ, seed) for seed in range(40)]
    assert first == again
    assert len({s.interval_days for s in first}) > 3


def test_no_fuzz_below_two_and_a_half_days():
    one_day = CardState(phase="learning", step=1, due=NOON)
    results = {answer(one_day, Rating.GOOD, NOON, FUZZ, seed).interval_days for seed in range(50)}
    assert results == {1}
    assert {intervals(review(1), config=FUZZ, seed=s)[0] for s in range(50)} == {2}


def test_chained_minimums_use_the_fuzzed_values():
    # at the ease floor Good's minimum (fuzzed Hard + 1) binds; Easy stays above Good
    for seed in range(200):
        hard, good, easy = intervals(review(10, ease=1.3), config=FUZZ, seed=seed)
        assert hard < good < easy


def test_learning_steps_are_fuzzed_up_to_a_quarter_at_most_five_minutes():
    delays = {delay(answer(CardState(), Rating.GOOD, NOON, FUZZ, s)) for s in range(200)}
    assert min(delays) >= 10 * MINUTE and max(delays) < 12.5 * MINUTE and len(delays) > 20
    long = SchedulerConfig(learning_steps=(1, 120), tz=TZ)
    delays = {delay(answer(CardState(), Rating.GOOD, NOON, long, s)) for s in range(200)}
    assert min(delays) >= 120 * MINUTE and max(delays) < 125 * MINUTE


# ----------------------------------------------------------------------------- API


def test_preview_equals_answer_for_each_rating():
    for state in (CardState(), review(12, late=2), answer(review(12), Rating.AGAIN, NOON)):
        out = preview(state, NOON, FUZZ, seed=7)
        assert set(out) == set(Rating)
        for rating in Rating:
            assert answer(state, rating, NOON, FUZZ, seed=7) == out[rating]
            assert answer(state, int(rating), NOON, FUZZ, seed=7) == out[rating]


def test_rating_values():
    assert [int(r) for r in (Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY)] == [1, 2, 3, 4]


def test_the_answer_records_reps_and_last_review():
    state = answer(CardState(), Rating.GOOD, NOON, NOFUZZ)
    assert (state.reps, state.last_review) == (1, NOON)


def test_naive_datetimes_are_refused():
    naive = datetime(2026, 3, 10, 12, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        answer(CardState(), Rating.GOOD, naive, NOFUZZ)
    with pytest.raises(ValueError, match="timezone-aware"):
        preview(CardState(), naive, NOFUZZ)
    with pytest.raises(ValueError, match="timezone-aware"):
        CardState(phase="review", interval_days=3, due=naive)
    with pytest.raises(ValueError):
        is_due(CardState(), naive, NOFUZZ)


def test_invalid_states_and_options_are_refused():
    with pytest.raises(ValueError):
        CardState(phase="graduated")
    with pytest.raises(ValueError):
        SchedulerConfig(hard_multiplier=1.5)
    with pytest.raises(ValueError):
        SchedulerConfig(leech_action="delete")


def test_the_timezone_of_now_does_not_matter_only_the_instant():
    state = review(20, late=3)
    in_utc = answer(state, Rating.GOOD, NOON.astimezone(UTC), NOFUZZ)
    assert in_utc == answer(state, Rating.GOOD, NOON, NOFUZZ)  # aware datetimes: same instant


# ----------------------------------------------------------------------------- days


def test_the_day_starts_at_4am_local():
    assert day_start(at(0, 12), NOFUZZ) == at(0, 4)
    assert day_start(at(0, 3, 59), NOFUZZ) == at(-1, 4)  # 03:59 is still yesterday
    assert days_between(at(0, 3, 59), at(0, 4), NOFUZZ) == 1
    assert days_between(at(0, 4), at(0, 23, 59), NOFUZZ) == 0
    assert days_between(at(3, 12), at(0, 12), NOFUZZ) == -3


def test_a_review_at_0359_counts_for_the_previous_day():
    # due today (day 1); at 03:59 on day 2 it is still day 1, so it is on time, not late
    state = review(10, now=at(1))
    on_time = answer(state, Rating.GOOD, at(2, 3, 59), NOFUZZ)
    assert on_time.interval_days == 25
    assert answer(state, Rating.GOOD, at(2, 4), NOFUZZ).interval_days == 26  # 1 day late


def test_rollover_hour_and_timezone_are_options():
    config = SchedulerConfig(rollover_hour=0, tz=UTC, fuzz=False)
    moment = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert day_start(moment, config) == datetime(2026, 3, 10, tzinfo=UTC)
    assert day_start(moment.astimezone(TZ), config) == datetime(2026, 3, 10, tzinfo=UTC)


def test_is_due():
    state = review(10, late=-2)
    assert not is_due(state, NOON, NOFUZZ)
    assert not is_due(state, at(2, 3, 59), NOFUZZ)
    assert is_due(state, at(2, 4), NOFUZZ)
    learning = answer(CardState(), Rating.GOOD, NOON, NOFUZZ)  # due in 10 minutes
    assert is_due(learning, NOON, NOFUZZ)  # within the 20 minutes learn-ahead
    assert not is_due(learning, NOON, SchedulerConfig(learn_ahead_minutes=5, tz=TZ))
    assert is_due(CardState(), NOON, NOFUZZ)


def test_default_timezone_is_the_local_one():
    assert SchedulerConfig().tz.utcoffset(None) == datetime.now().astimezone().utcoffset()


# ----------------------------------------------------------------------------- labels


def test_button_labels_like_anki():
    out = preview(CardState(), NOON, NOFUZZ)
    assert [format_interval(out[r], NOON, NOFUZZ) for r in Rating] == ["<1m", "<6m", "<10m", "4d"]
    out = preview(review(20), NOON, NOFUZZ)
    assert [format_interval(out[r], NOON, NOFUZZ) for r in Rating] == ["<10m", "24d", "1.6mo",
                                                                        "2.1mo"]  # fmt: skip


@pytest.mark.parametrize(
    ("seconds", "label"),
    [
        (0, "End"),
        (30, "<30s"),
        (70, "<1m"),
        (1200, "20m"),
        (3600, "1h"),
        (5400, "1.5h"),
        (86_400, "1d"),
        (4 * 86_400, "4d"),
        (45 * 86_400, "1.5mo"),
        (365 * 86_400, "1y"),
        (int(2.5 * 365 * 86_400), "2.5y"),
    ],
)
def test_format_seconds(seconds, label):
    assert format_interval(seconds, config=NOFUZZ) == label


# ----------------------------------------------------------------------------- storage


def test_to_dict_from_dict_round_trip():
    states = [CardState(), answer(CardState(), Rating.GOOD, NOON, FUZZ, 3)]
    states.append(answer(review(30, lapses=7), Rating.AGAIN, NOON, FUZZ, 3))
    for state in states:
        stored = json.loads(json.dumps(to_dict(state)))
        assert from_dict(stored) == state
    assert to_dict(states[1])["due"].endswith("+02:00")
    with pytest.raises(ValueError):
        from_dict({"phase": "new", "colour": "red"})


def test_import_is_light_and_pure():
    code = (
        "import sys; import drill.scheduler as s; "
        "heavy = {'anki', 'yaml', 'sqlite_utils', 'typer', 'genanki'} & set(sys.modules);"
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
