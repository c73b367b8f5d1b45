"""The content of the bundled System Design and Numbers decks: every part of the interview
guide is covered, the key figures are exactly right, and the cards are well formed.

The decks are loaded once per module; everything here runs in well under a second.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import pytest

from drill.content import load
from drill.paths import bundled_decks_dir
from drill.quantity import parse

SD = "System Design::"

# Deck file (relative to the decks folder) -> (deck name, id prefix of its notes).
FILES = {
    "system-design/framework.yaml": (SD + "Framework", "fw-"),
    "system-design/requirements.yaml": (SD + "Requirements", "req-"),
    "system-design/estimation.yaml": (SD + "Estimation", "est-"),
    "system-design/url-shortener.yaml": (SD + "URL Shortener", "url-"),
    "system-design/architecture.yaml": (SD + "Architecture", "arch-"),
    "system-design/deep-dive.yaml": (SD + "Deep Dive", "dd-"),
    "system-design/bottlenecks.yaml": (SD + "Bottlenecks", "bn-"),
    "system-design/tradeoffs.yaml": (SD + "Trade-offs", "to-"),
    "system-design/prompts.yaml": (SD + "Prompts", "pr-"),
    "system-design/building-blocks.yaml": (SD + "Building Blocks", "bb-"),
    "system-design/pitfalls.yaml": (SD + "Pitfalls", "pit-"),
    "system-design/scale.yaml": (SD + "Scale", "scale-"),
    "numbers/latency.yaml": ("Numbers::Latency", "num-lat-"),
    "numbers/powers-of-two.yaml": ("Numbers::Powers of Two", "num-pow-"),
    "numbers/availability.yaml": ("Numbers::Availability", "num-avail-"),
    "numbers/throughput.yaml": ("Numbers::Throughput", "num-tp-"),
}


@pytest.fixture(scope="module")
def collection():
    return load([bundled_decks_dir()])


@pytest.fixture(scope="module")
def notes(collection):
    return {n.id: n for n in collection.notes}


@pytest.fixture(scope="module")
def cards(collection):
    return {c.id: c for c in collection.cards}


def _ours(collection):
    decks = {deck for deck, _ in FILES.values()}
    return [n for n in collection.notes if n.deck in decks]


def _value(cards, card_id: str, unit: str) -> float:
    card = cards[card_id]
    assert card.kind == "number", card_id
    return card.answer.to(unit)


# --- the decks load cleanly -------------------------------------------------------------


def test_no_problems(collection):
    assert [str(p) for p in collection.problems] == []


@pytest.fixture(scope="module")
def notes_by_file(collection):
    """Notes grouped by their deck file, relative to the decks folder."""
    root = bundled_decks_dir().resolve()
    by_path: dict[str, list] = {}
    for n in collection.notes:
        by_path.setdefault(n.location.path, []).append(n)
    return {
        Path(path).resolve().relative_to(root).as_posix(): group for path, group in by_path.items()
    }


@pytest.mark.parametrize("rel", sorted(FILES))
def test_each_file_is_one_deck_with_prefixed_ids(notes_by_file, rel):
    deck, prefix = FILES[rel]
    in_file = notes_by_file.get(rel, [])
    assert in_file, f"{rel} has no notes"
    assert {n.deck for n in in_file} == {deck}
    assert [n.id for n in in_file if not n.id.startswith(prefix)] == []


# --- every part of the guide is covered -------------------------------------------------


def _kinds(collection, deck):
    return Counter(n.kind for n in collection.notes if n.deck == deck)


def test_framework_five_steps_with_their_minutes(cards, notes):
    minutes = [_value(cards, f"fw-step{i}-minutes", "min") for i in range(1, 6)]
    assert minutes == [5, 3, 10, 20, 7]
    assert _value(cards, "fw-steps-total", "min") == pytest.approx(45)
    assert _value(cards, "fw-buffer-minutes", "min") == pytest.approx(5)
    # The order, in two short chains (no card asks for five things at once).
    first, last = cards["fw-steps-first-three"].back, cards["fw-steps-last-two"].back
    assert first.index("requirements") < first.index("estimate") < first.index("architecture")
    assert last.index("deep dive") < last.index("trade-offs")
    for i in (1, 2, 4, 5):  # step 3's goal is `arch-what-to-draw`, in Architecture
        assert notes[f"fw-step{i}-goal"].kind == "basic"


def test_seven_requirement_rows(collection):
    deck = SD + "Requirements"
    reqs = [n for n in collection.notes if n.deck == deck and n.kind == "requirement"]
    dims = {n.fields["dimension"] for n in reqs}
    assert dims == {
        "Users",
        "Scale",
        "Latency",
        "Availability",
        "Consistency model",
        "Compliance",
        "Budget",
    }
    # Each yields "what do you ask" and "why": 14 cards.
    assert sum(1 for c in collection.cards if c.deck == deck and c.kind == "requirement") == 14


def test_question_phrasing_cards(notes):
    for suffix in ("vague", "user-count", "read-write", "consistency", "residency"):
        assert f"req-phrase-{suffix}" in notes


def test_estimation_parts(collection):
    kinds = _kinds(collection, SD + "Estimation")
    assert kinds["number"] >= 10
    assert kinds["cloze"] >= 1


def test_exactly_five_prompts_with_challenges_deep_dives_and_building_blocks(collection):
    prompts = [n for n in collection.notes if n.deck == SD + "Prompts" and n.kind == "prompt"]
    assert len(prompts) == 5
    for n in prompts:
        assert n.fields.get("challenges") and n.fields.get("deep_dives"), n.id
        assert n.fields.get("building_blocks"), n.id


def test_exactly_eight_pitfalls(collection):
    pitfalls = [n for n in _ours(collection) if n.kind == "pitfall" and n.deck == SD + "Pitfalls"]
    assert len(pitfalls) == 8


def test_tradeoffs(collection, notes):
    deck = SD + "Trade-offs"
    tradeoffs = [n for n in collection.notes if n.deck == deck and n.kind == "tradeoff"]
    assert len(tradeoffs) == 3
    assert all(n.fields.get("accepted_because") for n in tradeoffs)
    # The three short-code options of the deep dive are trade-offs too.
    for option in ("dd-code-counter", "dd-code-random", "dd-code-hash"):
        assert notes[option].kind == "tradeoff"


def test_scale_tiers(cards):
    tiers = [cards[f"scale-tier-{i}"] for i in range(1, 5)]
    assert all(t.front.endswith("?") for t in tiers)  # questions, not bare tier names
    assert "100 QPS" in tiers[0].front and "monolith" in tiers[0].back.lower()
    assert "microservices" in tiers[1].front and tiers[1].back.startswith("No")  # a heuristic
    assert "sharding" in tiers[2].back.lower()
    assert "multiple regions" in tiers[3].back.lower()


def test_other_parts_have_cards(collection):
    kinds = {deck: _kinds(collection, deck) for deck, _ in FILES.values()}
    assert kinds[SD + "Architecture"]["basic"] >= 10
    assert kinds[SD + "Deep Dive"]["tradeoff"] == 3
    assert kinds[SD + "Bottlenecks"]["basic"] >= 5
    assert kinds[SD + "Building Blocks"]["basic"] >= 5
    assert kinds[SD + "URL Shortener"]["number"] >= 8
    assert kinds["Numbers::Availability"]["number"] >= 15
    assert kinds["Numbers::Latency"]["number"] >= 15


# --- key figures, exactly ---------------------------------------------------------------


def test_requests_per_day_to_qps(cards):
    assert _value(cards, "est-1m-per-day-qps", "/s") == pytest.approx(1e6 / 86400, rel=0.01)
    assert _value(cards, "est-1b-per-day-qps", "/s") == pytest.approx(1e9 / 86400, rel=0.01)
    assert _value(cards, "est-day-seconds", "s") == 86400
    assert _value(cards, "est-month-seconds", "s") == 30 * 86400


def test_rounded_values_are_in_the_note(cards):
    assert "12" in cards["est-1m-per-day-qps"].extra
    assert "40" in cards["url-write-qps"].extra
    assert "400" in cards["url-read-qps"].extra
    assert "1,200" in cards["url-peak-read-qps"].extra


def test_url_shortener_figures(cards):
    month = 30 * 86400
    assert _value(cards, "url-write-qps", "/s") == pytest.approx(100e6 / month, rel=0.01)
    assert _value(cards, "url-read-qps", "/s") == pytest.approx(10 * 100e6 / month, rel=0.01)
    assert _value(cards, "url-peak-read-qps", "/s") == pytest.approx(30 * 100e6 / month, rel=0.01)
    assert _value(cards, "url-records-5y", "") == pytest.approx(6e9)
    assert _value(cards, "url-storage-5y", "TB") == pytest.approx(3.0)
    assert _value(cards, "url-read-bandwidth", "KB/s") == pytest.approx(
        10 * 100e6 / month * 500 / 1e3, rel=0.01
    )
    assert _value(cards, "url-arch-db-reads", "/s") == pytest.approx(
        0.01 * 10 * 100e6 / month, rel=0.02
    )


def test_code_space_and_bloom_filter(cards):
    assert _value(cards, "dd-code-space-7", "") == pytest.approx(62**7, rel=0.01)
    assert _value(cards, "dd-code-space-7", "") == pytest.approx(3.5e12, rel=0.01)
    assert _value(cards, "dd-code-fill", "") == pytest.approx(6e9 / 62**7, rel=0.05)
    assert _value(cards, "dd-code-min-length", "") == 6
    bits_per_key = math.log(1e4) / math.log(2) ** 2
    assert _value(cards, "dd-bloom-bits-per-code", "") == pytest.approx(bits_per_key, rel=0.01)


def test_availability_downtime(cards):
    year, month, day = 365 * 86400, 30 * 86400, 86400
    assert _value(cards, "num-avail-9999-year", "min") == pytest.approx(52.6, rel=0.01)
    assert _value(cards, "num-avail-999-year", "h") == pytest.approx(8.76, rel=0.01)
    for nines, slug in (
        (0.99, "99"),
        (0.999, "999"),
        (0.9995, "9995"),
        (0.9999, "9999"),
        (0.99999, "99999"),
    ):
        for period, seconds in (("year", year), ("month", month), ("day", day)):
            assert _value(cards, f"num-avail-{slug}-{period}", "s") == pytest.approx(
                (1 - nines) * seconds, rel=0.01
            ), (slug, period)


def test_powers_of_two(cards):
    for n in (10, 16, 20, 30):
        assert _value(cards, f"num-pow-2-{n}", "") == 2**n
    for n in (32, 40, 50):
        assert _value(cards, f"num-pow-2-{n}", "") == pytest.approx(2**n, rel=0.01)


def test_bandwidth_conversions(cards):
    assert cards["est-gbps-mbs"].answer == parse("1 Gbps")
    assert _value(cards, "num-tp-10gbps", "GB/s") == pytest.approx(1.25)
    assert _value(cards, "num-tp-100gbps", "GB/s") == pytest.approx(12.5)
    assert _value(cards, "num-tp-1tb-over-1gbps", "s") == pytest.approx(8000, rel=0.01)


def test_latency_sources_disagreeing_are_cited(cards):
    mutex = cards["num-lat-mutex"]
    assert _value(cards, "num-lat-mutex", "ns") == 25
    for figure in ("25 ns", "100 ns", "17 ns"):
        assert figure in mutex.source or figure in mutex.extra, figure
    assert "napkin-math" in cards["num-lat-ssd-random-read"].source


# --- card quality -----------------------------------------------------------------------


def test_every_card_has_a_source(collection):
    assert [n.id for n in _ours(collection) if not n.source] == []


def test_derived_numbers_have_a_formula(collection):
    derived = re.compile(r"\bderived\b", re.IGNORECASE)
    missing = [
        n.id
        for n in _ours(collection)
        if n.kind == "number"
        and (derived.search(n.fields.get("note", "")) or derived.search(n.source or ""))
        and not n.fields.get("formula")
    ]
    assert missing == []


def test_number_questions_are_not_bare(collection):
    """Every number card asks a question (and its wording says what is counted or the unit)."""
    for n in _ours(collection):
        if n.kind == "number":
            assert n.fields["front"].rstrip().endswith("?"), n.id


def test_no_two_cards_share_a_front(collection):
    fronts = Counter(c.front for c in collection.cards)
    assert [f for f, k in fronts.items() if k > 1] == []


def test_list_answers_are_short(collection):
    """Basic answers stay short; long lists belong in cloze, prompt or trade-off cards."""
    for n in _ours(collection):
        if n.kind in ("basic", "reverse"):
            back = n.fields["back"]
            assert len(back) <= 260, n.id
            assert re.sub(r"\([^)]*\)", "", back).count(",") <= 4, n.id
