"""No review is lost or duplicated, and both sides end equal, across random interleavings of
study and sync on two devices: drill (its quiz's scheduler and store, `drill sync`) and a
phone (Anki's backend: its queue, its scheduler, its sync client), one account on Anki's
own sync server. Each interleaving is a test named by its seed (`-k 'seed=20261207'` runs
one again); 20 run by default, 200 more with --runslow."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import pytest

from anki_phone import Phone, SyncServer, answer, assert_same_as_anki, select
from drill.scheduler import is_due
from drill.storage import Store
from test_sync import Drill

SEEDS = list(range(20261201, 20261221))
MORE = list(range(20270101, 20270301))


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    wanted = len(SEEDS) + (len(MORE) if request.config.getoption("--runslow") else 0)
    server = SyncServer(tmp_path_factory.mktemp("syncserver"), users=wanted)
    yield server
    server.stop()


def apart() -> None:
    """A review's id in Anki is its millisecond, unique per collection only: two devices
    answering in the same millisecond collide in Anki too (the server keeps one). People
    are slower than that; this test is not, so its answers are kept a few ms apart."""
    time.sleep(0.003)


def run(seed: int, tmp_path, server, cli, monkeypatch) -> None:
    rng = random.Random(seed)
    drill = Drill(tmp_path / "drill", server, cli, monkeypatch, server.account())
    drill.sync(login=True)
    phone = Phone(
        tmp_path / "phone" / "c.anki2", server, drill.user, drill.password, drill.rollover
    )
    given = {"drill": 0, "phone": 0}
    steps: list[str] = []
    try:
        phone.sync()
        select(phone.col)
        for _step in range(rng.randint(6, 12)):
            action = rng.choice(("drill", "phone", "drill sync", "phone sync"))
            steps.append(action)
            if action == "drill":
                now = datetime.now(UTC)
                with Store(drill.db) as store:
                    due = [c.id for c in store.cards(now) if is_due(c.state, now, drill.config)]
                for card_id in rng.sample(due, min(len(due), rng.randint(1, 4))):
                    drill.answer(card_id, rng.choice((1, 2, 3, 3, 4)))
                    apart()
                    given["drill"] += 1
                    steps.append(f"  drill {card_id}")
            elif action == "phone":
                for _ in range(rng.randint(1, 4)):
                    card = phone.col.sched.getCard()
                    if card is None:
                        break
                    answer(phone.col, card, rng.choice((1, 2, 3, 3, 4)))
                    apart()
                    given["phone"] += 1
                    steps.append(f"  phone {card.id}")
            elif action == "drill sync":
                drill.sync()
            else:
                phone.sync()
        for _ in range(2):  # both devices sync until each has seen the other's last sync
            drill.sync()
            phone.sync()
        total = given["drill"] + given["phone"]
        reviews = drill.reviews()
        anki_ids = phone.col.db.list(
            "SELECT id FROM revlog WHERE ease BETWEEN 1 AND 4 AND type < 4 ORDER BY id"
        )
        assert len(reviews) == total, f"drill has {len(reviews)} of {total} reviews"
        assert len(anki_ids) == total, f"Anki has {len(anki_ids)} of {total} reviews"
        assert sorted(r.anki_id for r in reviews) == anki_ids, "the two logs differ"
        assert sum(r.origin == "drill" for r in reviews) == given["drill"]
        assert_same_as_anki(phone.col, drill.db, drill.config, datetime.now(UTC))
    except AssertionError as err:
        logs = [
            (r.card_id, r.reviewed_at.isoformat(), r.rating, r.origin, r.anki_id, r.answer_ms)
            for r in drill.reviews()
        ]
        anki = phone.col.db.all("SELECT id, cid, ease, time, type FROM revlog ORDER BY id")
        raise AssertionError(
            f"interleaving seed {seed} ({given}): {err}\n"
            f"steps: {steps}\ndrill: {logs}\nanki: {anki}"
        ) from None
    finally:
        phone.close()


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: f"seed={s}")
def test_random_interleavings(seed, tmp_path, server, cli, monkeypatch):
    run(seed, tmp_path, server, cli, monkeypatch)


@pytest.mark.slow
@pytest.mark.parametrize("seed", MORE, ids=lambda s: f"seed={s}")
def test_more_random_interleavings(seed, tmp_path, server, cli, monkeypatch):
    run(seed, tmp_path, server, cli, monkeypatch)
