"""drill.anki.history, the pure part of bringing Anki's history in: Anki's day numbers,
its revlog rows as drill's, and the merge of one card's two histories."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from drill.anki.history import (
    AnkiClock,
    AnkiSide,
    Common,
    DayMap,
    DrillSide,
    Logged,
    anki_rows,
    merge_card,
    millis,
)
from drill.anki.reader import Revlog
from drill.fsrs_scheduler import card_seed
from drill.options import DeckOptions
from drill.scheduler import CardState, Rating, SchedulerConfig, answer, scheduling_day


def zone(minutes_west: int) -> timezone:
    return timezone(-timedelta(minutes=minutes_west))


def stamp(zone_: timezone, *args: int) -> int:
    return int(datetime(*args, tzinfo=zone_).timestamp())


# --------------------------------------------------------------------------- days


def test_today_follows_rslib_timing():
    """rslib's own cases (scheduler/timing.rs: days_elapsed, legacy_timing)."""
    mdt, mst = zone(6 * 60), zone(7 * 60)

    def today(crt: int, crt_zone: timezone, now: int, now_zone: timezone, hour: int) -> int:
        offset = int(-(crt_zone.utcoffset(None).total_seconds()) // 60)
        clock = AnkiClock(crt, hour, offset)
        return clock.today(datetime.fromtimestamp(now, UTC), now_zone)

    crt = stamp(mdt, 2019, 12, 1, 2, 0)
    assert today(crt, mdt, crt, mdt, 4) == 0
    assert today(crt, mdt, crt - 86_400, mdt, 4) == 0  # never negative
    assert today(crt, mdt, crt + 24 * 3600, mdt, 4) == 0  # 2 am next day: the same day
    assert today(crt, mdt, crt + 26 * 3600, mdt, 4) == 1  # the day rolls over at 4 am
    assert today(crt, mdt, crt + (26 + 18) * 3600, mdt, 23) == 0
    assert today(crt, mdt, crt + (26 + 19) * 3600, mdt, 23) == 1
    created = stamp(mdt, 2018, 8, 6, 0, 0)
    now = stamp(mst, 2019, 12, 26, 20, 0)
    assert today(created, mdt, now, mst, 4) == 507
    assert today(created, mdt, now, mdt, 4) == 507  # a DST change moves no day
    created = stamp(mdt, 2018, 8, 6, 3, 0)  # day 1 starts at 4 am on the 7th
    assert today(created, mdt, stamp(mst, 2018, 8, 9, 1, 59, 59), mst, 4) == 2
    assert today(created, mdt, stamp(mst, 2018, 8, 9, 3, 59, 59), mst, 4) == 2
    assert today(created, mdt, stamp(mst, 2018, 8, 9, 4, 0, 0), mst, 4) == 3
    # Without a creationOffset: v2's legacy cutoff, whole days from crt at the rollover.
    now = datetime.fromtimestamp(1584491078, UTC)
    aest = zone(-600)
    assert AnkiClock(1533564000, 0, None).today(now, aest) == 589
    assert AnkiClock(1524038400, 4, None).today(now, aest) == 700


def test_anki_days_are_drill_days():
    """Anki's day N is drill's day today + (N - Anki's today), starting at drill's hour."""
    config = SchedulerConfig(rollover_hour=5, tz=zone(-60))  # UTC+1
    clock = AnkiClock(stamp(zone(-60), 2026, 1, 10, 12, 0), 5, -60)
    now = datetime(2026, 3, 1, 8, 0, tzinfo=zone(-60))
    days = DayMap.at(clock, now, config)
    assert days.today == (datetime(2026, 3, 1) - datetime(2026, 1, 10)).days
    due = days.moment(days.today + 3)
    assert due == datetime(2026, 3, 4, 5, 0, tzinfo=config.tz)
    assert days.day(due) == days.today + 3
    early = datetime(2026, 3, 1, 4, 59, tzinfo=zone(-60))  # before the day starts
    assert DayMap.at(clock, early, config).today == days.today - 1


def test_an_anki_day_is_the_same_date_in_drill_when_the_days_start_at_other_hours():
    """Anki's days start at 5, drill's at 4. At 4:30 Anki is still in yesterday and drill is
    in today: a card Anki shows from 5:00 today must be due today in drill too (not a day
    late), and drill's due date goes back as the same Anki day."""
    tz = zone(-60)
    config = SchedulerConfig(rollover_hour=4, tz=tz)
    clock = AnkiClock(stamp(tz, 2026, 1, 10, 12, 0), 5, -60)
    between = datetime(2026, 3, 1, 4, 30, tzinfo=tz)
    days = DayMap.at(clock, between, config)
    assert days.today == (datetime(2026, 2, 28) - datetime(2026, 1, 10)).days
    tomorrow_for_anki = days.today + 1  # from 5:00 on March 1
    assert days.moment(tomorrow_for_anki) == datetime(2026, 3, 1, 4, 0, tzinfo=tz)
    assert days.day(datetime(2026, 3, 1, 4, 0, tzinfo=tz)) == tomorrow_for_anki
    later = DayMap.at(clock, datetime(2026, 3, 1, 9, 0, tzinfo=tz), config)
    assert later.moment(tomorrow_for_anki) == days.moment(tomorrow_for_anki)


# --------------------------------------------------------------------------- rows

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
CONFIG = SchedulerConfig(rollover_hour=4, tz=UTC)
OPTIONS = DeckOptions(scheduler=CONFIG)
DAYS = DayMap.at(AnkiClock(int(T0.timestamp()) - 86_400 * 10, 4, 0), T0, CONFIG)


def rev(at: datetime, ease: int, ivl: int, last: int, factor: int, kind: int) -> Revlog:
    return Revlog(millis(at), 7, ease, ivl, last, factor, 3000, kind)  # 3 s on the card


def test_revlog_rows_become_drill_rows():
    revlog = [
        rev(T0, 3, -600, -60, 0, 0),  # new: Good -> 10 min step
        rev(T0 + timedelta(minutes=10), 3, 1, -600, 2500, 0),  # graduates
        rev(T0 + timedelta(days=1), 3, 3, 1, 2500, 1),
        rev(T0 + timedelta(days=2), 0, 10, 3, 2500, 4),  # set due date: manual, left out
        rev(T0 + timedelta(days=4), 1, -600, 3, 2300, 1),  # lapse
        rev(T0 + timedelta(days=4, minutes=10), 3, 1, -600, 2300, 2),
        rev(T0 + timedelta(days=5), 3, 2, 1, 2300, 3),  # filtered deck: cram
        rev(T0 + timedelta(days=6), 0, 0, 0, 0, 4),  # forget
        rev(T0 + timedelta(days=6, hours=1), 1, -60, 0, 0, 0),  # new again
    ]
    rows = anki_rows(revlog, DAYS, "learning")
    assert [r.kind for r in rows] == [
        "learn",
        "learn",
        "review",
        "review",
        "relearn",
        "cram",
        "learn",
    ]
    assert [(r.before.phase, r.after.phase) for r in rows if r.kind != "cram"] == [
        ("new", "learning"),
        ("learning", "review"),
        ("review", "review"),
        ("review", "relearning"),
        ("relearning", "review"),
        ("new", "learning"),
    ]
    assert [r.after.reps for r in rows if r.kind != "cram"] == [1, 2, 3, 4, 5, 1]
    lapse = rows[3]
    assert lapse.after.lapses == 1 and lapse.after.ease == 2.3
    assert lapse.after.due == lapse.reviewed_at + timedelta(seconds=600)
    graduated = rows[1]
    assert graduated.after.interval_days == 1
    assert graduated.after.due == DAYS.moment(DAYS.day(graduated.reviewed_at) + 1)
    assert rows[5].before == rows[5].after  # cram leaves the state alone
    assert all(r.answer_ms == 3000 and r.anki_id == millis(r.reviewed_at) for r in rows)


# --------------------------------------------------------------------------- merging


def drill_answers(card_id: str, moments: list[tuple[datetime, int]]):
    """What drill's scheduler makes of answers to a new card, and each answer's log entry."""
    state, log = CardState(), []
    for i, (moment, rating) in enumerate(moments):
        log.append(Logged(100 + i, moment, rating, "learn", None, 3000))
        state = answer(state, rating, moment, CONFIG, card_seed(card_id, state.reps))
    return state, log


def anki_side(revlog: list[Revlog], state: CardState, phase: str = "review") -> AnkiSide:
    return AnkiSide(state, False, False, anki_rows(revlog, DAYS, phase))


def test_only_anki_answered_takes_ankis_state():
    revlog = [rev(T0, 4, 4, 0, 2500, 0)]  # Easy: 4 days
    theirs = CardState(phase="review", interval_days=4, reps=1, due=DAYS.moment(DAYS.today + 4))
    merge = merge_card(
        "c", DrillSide(CardState(), False, False, None, []), anki_side(revlog, theirs), OPTIONS
    )
    assert merge is not None and not merge.replayed
    assert merge.state == theirs and [r.anki_id for r in merge.insert] == [millis(T0)]
    assert merge.common == Common(theirs, True)
    # Once drill has the answer, there is nothing more to merge.
    known = DrillSide(theirs, False, False, merge.common, [Logged(1, T0, 4, "learn", millis(T0))])
    assert merge_card("c", known, anki_side(revlog, theirs), OPTIONS) is None


def test_drill_reviews_anki_has_keep_their_place():
    """A drill review that reached Anki (a --with-progress package, a sync cut short) under a
    millisecond of its own is the same review: it gets that id, nothing is added."""
    mine, log = drill_answers("c", [(T0, 3), (T0 + timedelta(minutes=10), 3)])
    revlog = [
        rev(T0, 3, -600, 0, 0, 0),
        rev(T0 + timedelta(minutes=10, milliseconds=1), 3, 1, -600, 2500, 0),  # moved up 1 ms
    ]
    merge = merge_card(
        "c", DrillSide(mine, False, False, None, log), anki_side(revlog, mine), OPTIONS
    )
    assert merge is not None
    assert merge.adopt == [(100, millis(T0)), (101, millis(T0) + 600_001)]
    assert not merge.insert and merge.state is None and merge.common.shared
    # Answered on the phone within the same second, in its own time: another review.
    other = [replace(rev(T0 + timedelta(milliseconds=120), 3, -600, 0, 0, 0), time=4100)]
    again = merge_card(
        "c", DrillSide(mine, False, False, None, log[:1]), anki_side(other, mine), OPTIONS
    )
    assert again is not None and not again.adopt and len(again.insert) == 1


def test_both_sides_answered_is_replayed_in_time_order():
    t1, t2, t3 = T0, T0 + timedelta(minutes=11), T0 + timedelta(days=1, hours=2)
    mine, log = drill_answers("c", [(t1, 3), (t3, 3)])  # drill: the first and the last
    revlog = [rev(t2, 4, 4, -600, 2500, 0)]  # Anki, between them: Easy
    theirs = CardState(phase="review", interval_days=4, reps=1, due=DAYS.moment(DAYS.today + 4))
    merge = merge_card(
        "c",
        DrillSide(mine, False, False, None, log),
        anki_side(revlog, theirs),
        OPTIONS,
        shared=False,
    )
    expected, _ = drill_answers("c", [(t1, 3), (t2, 4), (t3, 3)])
    assert merge is not None and merge.replayed
    assert merge.state == expected
    assert [r.reviewed_at for r in merge.insert] == [t2]
    assert [review_id for review_id, _ in merge.rewrite] == [100, 101]
    assert merge.rewrite[1][1].before.phase == "review"  # after Anki's Easy
    assert merge.common == Common(expected, False)


def test_after_a_pull_replay_anki_alone_does_not_win():
    """A pull's replayed state never reached Anki, so Anki's later answers are replayed on
    top of it rather than taking Anki's state (which lacks drill's answers)."""
    t1, t2 = T0, T0 + timedelta(days=4)
    merged, log = drill_answers("c", [(t1, 4)])
    common = Common(merged, shared=False)
    revlog = [rev(t1 - timedelta(hours=1), 1, -60, 0, 0, 0), rev(t2, 3, 9, 4, 2500, 1)]
    logged = [
        *log,
        Logged(200, t1 - timedelta(hours=1), 1, "learn", millis(t1 - timedelta(hours=1))),
    ]
    theirs = CardState(phase="review", interval_days=9, reps=2, due=DAYS.moment(DAYS.today + 13))
    merge = merge_card(
        "c", DrillSide(merged, False, False, common, logged), anki_side(revlog, theirs), OPTIONS
    )
    expected = answer(merged, 3, t2, CONFIG, card_seed("c", merged.reps))
    assert merge is not None and merge.replayed and merge.state == expected
    shared = merge_card(
        "c",
        DrillSide(merged, False, False, Common(merged, True), logged),
        anki_side(revlog, theirs),
        OPTIONS,
    )
    assert shared is not None and shared.state == theirs and not shared.replayed


def test_a_replay_keeps_the_leech_and_suspension():
    moments = [(T0 + timedelta(days=i), Rating.AGAIN) for i in range(3)]
    mine, log = drill_answers("c", moments[:2])
    revlog = [rev(moments[2][0], 1, -60, 0, 0, 0)]
    side = AnkiSide(
        CardState(phase="learning", reps=1), True, True, anki_rows(revlog, DAYS, "learning")
    )
    merge = merge_card("c", DrillSide(mine, False, False, None, log), side, OPTIONS)
    assert merge is not None and merge.replayed
    assert merge.suspended and merge.leech
    assert scheduling_day(merge.state.last_review, CONFIG) == scheduling_day(moments[2][0], CONFIG)


def test_anki_answers_not_given_on_top_of_the_common_state_are_replayed():
    """drill's answer reached the server, but the phone answered the card before it synced,
    and the sync kept the phone's card row: Anki's state lacks drill's answer (its count of
    answers says so), so the answers are replayed instead of taking Anki's state."""
    t1, t2 = T0, T0 + timedelta(seconds=40)
    mine, log = drill_answers("c", [(t1, 4)])
    sent = [log[0]._replace(anki_id=millis(t1))]
    revlog = [rev(t1, 4, 4, 0, 2500, 0), rev(t2, 3, -600, 0, 0, 0)]
    theirs = CardState(phase="learning", step=1, reps=1, due=t2 + timedelta(minutes=10))
    merge = merge_card(
        "c",
        DrillSide(mine, False, False, Common(mine, True), sent),
        anki_side(revlog, theirs, "learning"),
        OPTIONS,
    )
    expected = answer(mine, 3, t2, CONFIG, card_seed("c", mine.reps))
    assert merge is not None and merge.replayed and merge.state == expected
