"""Estimation problems (drill.problems): templates in deck files, instances from a seed,
answers graded by ratio, `drill check` errors as path:line, and the `drill problem` commands."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from drill import grading
from drill.content import load, load_problems
from drill.paths import bundled_decks_dir
from drill.problems import (
    ProblemError,
    ProblemTemplate,
    find_template,
    seed_for,
    suggested_rating,
)
from drill.problems.model import MAX_CORNERS, friendly_values
from drill.quantity import parse

ESTIMATION = bundled_decks_dir() / "estimation"


@pytest.fixture(scope="module")
def templates() -> dict[str, ProblemTemplate]:
    return {t.id: t for t in load_problems([ESTIMATION])}


def answers_at_defaults(template: ProblemTemplate) -> dict[str, float]:
    return {name: a.value.value for name, a in template.instance().answers.items()}


# --------------------------------------------------------------------------- the bundled templates

DAY, MONTH, YEAR = 86400, 30 * 86400, 365 * 86400

# Every template's answers at its defaults, worked out by hand (values in base units).
BY_HAND = {
    "problem-url-shortener": {
        "writes": 100e6 / (30 * 86400),
        "reads": 100e6 / (30 * 86400) * 10,
        "peak_reads": 100e6 / (30 * 86400) * 10 * 3,
        "records": 100e6 * 12 * 5,
        "storage": 100e6 * 12 * 5 * 500,
        "read_bandwidth": 100e6 / (30 * 86400) * 10 * 500,
        "database_reads": 100e6 / (30 * 86400) * 10 * (1 - 0.99),
    },
    "problem-daily-requests-qps": {"average_qps": 1e9 / DAY, "peak_qps": 1e9 / DAY * 3},
    "problem-servers-needed": {
        "peak": 2e9 / DAY * 3,  # 69,444 /s
        "servers": math.ceil(2e9 / DAY * 3 / (2000 * 0.6)),  # 57.9 -> 58
    },
    "problem-cache-hit-rate": {
        "database_reads": 400 * 0.01,
        "reduction": 1 / 0.01,
        "database_nodes": 1,  # 4 QPS on a 5,000 QPS node
    },
    "problem-notification-fanout": {
        "messages": 10e6 * 1.5,
        "rate": 10e6 * 1.5 / 600,
        "workers": math.ceil(10e6 * 1.5 / 600 / 500),
    },
    "problem-storage-growth": {
        "daily_growth": 10e6 * 1000,
        "total": 10e6 * 1000 * 365 * 3,
        "replicated": 10e6 * 1000 * 365 * 3 * 3,
    },
    "problem-chat-storage": {
        "write_rate": 50e6 * 40 / DAY,
        "daily_storage": 50e6 * 40 * 100,
        "total_storage": 50e6 * 40 * 100 * 365 * 5 * 3,
    },
    "problem-video-storage-egress": {
        "storage_per_day": 500e3 * 300e6,
        "storage_per_year": 500e3 * 300e6 * 365,
        "egress": 1e9 * 50e6 / DAY,
        "egress_gbps": 1e9 * 50e6 / DAY,  # the same bandwidth, shown in Gbps
    },
    "problem-hot-set-memory": {
        "daily_read_volume": 1e9 * 500,
        "cache_memory": 100e6 * 0.2 * 500,  # 20% of the distinct objects, not of the reads
        "cache_nodes": math.ceil(100e6 * 0.2 * 500 / 64e9),
    },
    "problem-shard-count": {
        "data_size": 10e9 * 1000,
        "shards": math.ceil(10e9 * 1000 / (1e12 * 0.7)),  # 14.3 -> 15
        "nodes": math.ceil(10e9 * 1000 / (1e12 * 0.7)) * 3,
    },
    "problem-bandwidth-units": {
        "link_bytes": 10e9 / 8,
        "copy_time": 1e12 / (10e9 / 8),  # 800 s
        "egress_bits": 400e6,
    },
    "problem-cdn-needed": {
        "bandwidth": 100e6 * 1000,
        "bandwidth_bits": 100e6 * 1000,
        "links": math.ceil(100e6 * 1000 / (10e9 / 8)),  # 80
    },
    "problem-short-code-space": {
        "code_space": 62**7,
        "headroom": 62**7 / 6e9,  # a new code collides 1 time in 587
        "spare_characters": 1,  # 62^5 = 916M < 6 billion <= 62^6 = 56.8 billion: 6 would do
    },
    "problem-availability-downtime": {
        "per_year": (1 - 0.999) * YEAR,  # 8.76 h
        "per_month": (1 - 0.999) * MONTH,  # 43.2 min
    },
    "problem-cost-compute-commit": {
        "hours": 40 * 8 * 730,
        "on_demand_cost": 40 * 8 * 730 * 0.05,  # $11,680
        "committed_cost": 40 * 8 * 730 * 0.05 * (1 - 0.33),
    },
    "problem-cost-storage-tiers": {
        "standard_cost": 500_000 * 0.023,
        "ia_cost": 500_000 * 0.0125 + 500_000 * 0.10 * 0.01,
    },
    "problem-cost-egress-vs-servers": {
        "egress_volume": 10e6 * 200e6,
        "egress_cost": 10e6 * 200e6 / 1e9 * 0.09,
        "server_cost": 50 * 74,
    },
    "problem-cost-logging": {
        "volume": 10_000 * 3 * 200 * MONTH,
        "ingest_cost": 10_000 * 3 * 200 * MONTH / 1e9 * 0.50,
        "storage_cost": 10_000 * 3 * 200 * 30 * DAY / 1e9 * 0.03,
    },
    "problem-latency-cross-region": {
        "network_time": 0.080 * 3,
        "backend_time": 4 * 0.002,
        "total": 0.080 * 3 + 4 * 0.002,
    },
    "problem-tail-fanout": {
        "slow_fraction": 1 - 0.99**100,  # The Tail at Scale's 63%
        "slow_rate": (1 - 0.99**100) * 1000,
    },
    "problem-cache-latency": {
        "average": 0.0005 + 0.05 * 0.010,
        "speedup": (0.0005 + 0.010) / (0.0005 + 0.05 * 0.010),
    },
    "problem-littles-law-threads": {
        "in_flight": 5000 * 0.2,
        "servers": math.ceil(5000 * 0.2 / (200 * 0.7)),
    },
    "problem-db-connections": {"busy": 20_000 * 0.005, "opened": 50 * 20},
    "problem-websocket-gateways": {
        "concurrent": 100e6 * 10 / DAY * 180,
        "gateways": math.ceil(100e6 * 10 / DAY * 180 / 100e3),
    },
    "problem-iops-database": {
        "read_iops": 2000 * 4 * 0.1,
        "write_iops": 2000 * 2,
        "iops": 2000 * 4 * 0.1 + 2000 * 2,
    },
    "problem-disks-capacity-vs-iops": {
        "disks_for_capacity": math.ceil(50e12 * 3 / 16e12),
        "disks_for_iops": math.ceil(20_000 / 100),
        "disks": 200,
    },
    "problem-memory-key-value": {
        "per_entry": 20 + 200 + 64,
        "total": 100e6 * (20 + 200 + 64),
        "nodes": math.ceil(100e6 * 284 / 64e9),
    },
    "problem-memory-btree-index": {"entry_size": 8 + 16, "index_size": 1e9 * 24 / 0.9},
    "problem-memory-bloom-filter": {
        "bits_per_item": -math.log(0.01) / math.log(2) ** 2,
        "size": 1e9 * -math.log(0.01) / math.log(2) ** 2 / 8,
        "hash_functions": round(-math.log(0.01) / math.log(2)),
    },
    "problem-kafka-partitions": {
        "throughput": 100e3 * 1000,
        "partitions": max(math.ceil(100e6 / 10e6), math.ceil(100e6 / 5e6)),
    },
    "problem-kafka-retention": {
        "per_day": 100e3 * 1000 * DAY,
        "stored": 100e3 * 1000 * 7 * DAY * 3,
        "brokers": math.ceil(100e3 * 1000 * 7 * DAY * 3 / (10e12 * 0.7)),
    },
    "problem-read-replicas": {"replicas": math.ceil(100e3 / (50e3 * 0.7))},
    "problem-replication-bandwidth": {
        "wal_rate": 5000 * 1000,
        "replication_egress": 5000 * 1000 * 5,
    },
    "problem-rebuild-dead-node": {"rebuild_rate": 20 * 50e6, "rebuild_time": 8e12 / (20 * 50e6)},
    "problem-backfill-time": {
        "spare": (10_000 - 3000) * 0.5,
        "backfill_time": 2e9 / ((10_000 - 3000) * 0.5),
    },
    "problem-restore-from-backup": {
        "download_rate": 8 * 100 * 2**20,  # under the 10 Gbps link (1.25 GB/s)
        "restore_time": 5e12 / (8 * 100 * 2**20),
    },
    "problem-availability-series": {
        "total": 0.999**5,
        "downtime": (1 - 0.999**5) * MONTH,
    },
    "problem-availability-parallel": {
        "app": 1 - 0.01**3,
        "total": 0.9999 * (1 - 0.01**3),
    },
    "problem-news-feed": {
        "posts": 200e6 * 2 / DAY,  # 4.6K /s, Twitter's 2012 rate
        "timeline_writes": 200e6 * 2 / DAY * 75,
        "timeline_reads": 200e6 * 100 / DAY,
        "top_fanout_time": 30e6 / 1e6,
    },
    "problem-chat-system": {
        "messages": 2e9 * 50 / DAY,  # 100 billion a day
        "peak_messages": 2e9 * 50 / DAY * 2,
        "storage_per_day": 2e9 * 50 * 100,
        "gateways": math.ceil(2e9 * 0.2 / 100e3),
    },
    "problem-video-platform": {
        "storage_per_day": 500 * 3600 * 24 * 60 * 15e6 / 8,
        "transcoding_cores": 500 * 60 * 10,
        "egress": 1e9 * 3600 * 2.5e6 / 8 / DAY,
    },
    "problem-ride-hailing": {
        "updates": 1e6 / 4,
        "ingest": 1e6 / 4 * 100,
        "history_per_day": 1e6 / 4 * 100 * DAY,
    },
    "problem-photo-storage": {
        "uploads": 100e6 / DAY,
        "storage_per_day": 100e6 * 2e6 * (1 + 4 * 0.1),
        "storage_total": 100e6 * 2e6 * 1.4 * 365 * 5,
        "monthly_bill": 100e6 * 2e6 * 1.4 * 365 * 5 / 1e9 * 0.023,
    },
    "problem-search-index": {
        "postings": 5e9 * 500,
        "index_size": 5e9 * 500 * 2,
        "raw_corpus": 5e9 * 100e3,
        "index_servers": math.ceil(5e12 / 4e12),
    },
    "problem-metrics-ingestion": {
        "series": 10e3 * 1000,
        "samples": 10e3 * 1000 / 15,
        "storage": 10e3 * 1000 / 15 * 15 * DAY * 1.5,
    },
    "problem-snowflake-ids": {
        "per_worker_per_ms": 100e3 / 32 / 1000,
        "capacity": 2**12,
        "lifetime": 2**41 / 1000,  # about 69.7 years
    },
}


def test_every_template_at_its_defaults_matches_the_hand_computation(templates):
    assert set(templates) == set(BY_HAND)
    assert len(templates) >= 40
    for template_id, expected in BY_HAND.items():
        got = answers_at_defaults(templates[template_id])
        assert set(got) == set(expected), template_id
        for name, value in expected.items():
            assert got[name] == pytest.approx(value, rel=1e-9), (template_id, name)


def test_url_shortener_defaults_reproduce_the_guide(templates):
    instance = templates["problem-url-shortener"].instance()
    guide = {  # the guide's own rounded figures are all graded right
        "writes": "40 /s",
        "reads": "400 QPS",
        "peak_reads": "1,200 QPS",
        "records": "6 billion",
        "storage": "3 TB",
        "read_bandwidth": "200 KB/s",
        "database_reads": "4 QPS",
    }
    grades = instance.grade(guide)
    assert {name: g.verdict for name, g in grades.items()} == dict.fromkeys(guide, "right")
    assert suggested_rating(grades) == grading.GOOD
    assert instance.answers["storage"].text == "3 TB"
    assert instance.answers["records"].text == "6 billion"
    assert instance.solution[0] == (
        "writes_per_sec = new_urls_per_month / month = 100 million / month ≈ 38.6 /s"
    )
    assert "database_reads = reads_per_sec * (1 - cache_hit_rate) = 386 /s * (1 - 99%)" in (
        "\n".join(instance.solution)
    )


def test_answers_in_their_declared_units(templates):
    bw = templates["problem-bandwidth-units"].instance()
    assert bw.answers["link_bytes"].text == "1,250 MB/s"
    assert bw.answers["egress_bits"].text == "3.2 Gbps"
    assert bw.answers["copy_time"].text == "13.3 min"
    assert "link_bytes = link = 10 Gbps ≈ 1,250 MB/s" in bw.solution
    assert "copy_seconds = dataset / link = 1 TB / 10 Gbps ≈ 13.3 min" in bw.solution
    nines = templates["problem-availability-downtime"].instance()
    assert [a.text for a in nines.answers.values()] == ["8.76 h", "43.2 min"]
    code = templates["problem-short-code-space"].instance()
    assert code.answers["headroom"].text == "587"  # 1 in 587, not 0.17%


def test_every_template_computes_for_many_seeds(templates):
    for template in templates.values():
        for seed in range(40):
            instance = template.instance(seed)
            assert instance.question and "{" not in instance.question
            for name, param in template.params.items():
                q = instance.params[name]
                if param.choices:
                    assert q in param.choices
                else:
                    assert param.low.value <= q.value <= param.high.value, (template.id, name)
            for answer in instance.answers.values():
                assert math.isfinite(answer.value.value) and answer.value.value >= 0
            assert len(instance.solution) == len(template.values) + len(template.answers)


# --------------------------------------------------------------------------- grading


@pytest.mark.parametrize(
    ("name", "typed", "verdict"),
    [
        ("writes", "40 /s", "right"),
        ("writes", "38.6", "right"),  # a bare number is in the answer's base unit
        ("writes", "139K /h", "right"),  # 38.6 /s in another unit
        ("writes", "3.3M requests/day", "right"),
        ("writes", "~40 writes/s", "right"),
        ("writes", "60 /s", "close"),  # 1.56x
        ("writes", "20 QPS", "close"),
        ("writes", "100/s", "off"),  # 2.6x
        ("writes", "4", "off"),  # 9.6x low
        ("writes", "1k QPS", "wrong"),
        ("writes", "40 MB", "dimension"),
        ("writes", "forty", "unreadable"),
        ("storage", "3 TB", "right"),
        ("storage", "3,000 GB", "right"),
        ("storage", "3e12 B", "right"),
        ("storage", "24 Tb", "right"),  # terabits
        ("storage", "2.8 TiB", "right"),
        ("storage", "5 TB", "close"),
        ("storage", "3 TB/s", "dimension"),
        ("records", "6 billion", "right"),
        ("records", "6B", "right"),  # a count is expected: B is billion here
        ("records", "6bn", "right"),
        ("records", "6,000,000,000", "right"),
        ("records", "6G", "right"),
        ("records", "600 million", "off"),
        ("read_bandwidth", "200 KB/s", "right"),
        ("read_bandwidth", "1.6 Mbps", "right"),
        ("read_bandwidth", "200 KB", "dimension"),
    ],
)
def test_grading_through_a_problem(templates, name, typed, verdict):
    instance = templates["problem-url-shortener"].instance()
    assert instance.grade({name: typed})[name].verdict == verdict


def test_bare_numbers_are_read_in_a_declared_unit(templates):
    instance = templates["problem-bandwidth-units"].instance()
    grades = instance.grade({"link_bytes": "1250", "egress_bits": "3.2", "copy_time": "800 s"})
    assert {n: g.verdict for n, g in grades.items()} == dict.fromkeys(grades, "right")
    assert "3.2 Gbps" in grades["egress_bits"].message
    assert instance.grade({"egress_bits": "400 MB/s"})["egress_bits"].verdict == "right"


def test_tolerance_and_rating(templates):
    code = templates["problem-short-code-space"].instance()
    assert code.answers["spare_characters"].tolerance == pytest.approx(0.10)
    assert code.grade({"spare_characters": "2"})["spare_characters"].verdict == "close"  # 2/1
    url = templates["problem-url-shortener"].instance()
    assert url.answers["writes"].tolerance == pytest.approx(0.25)
    assert suggested_rating(url.grade({"writes": "40/s", "reads": "400/s"})) == grading.GOOD
    assert suggested_rating(url.grade({"writes": "40/s", "reads": "700/s"})) == grading.HARD
    assert suggested_rating(url.grade({"writes": "40/s", "reads": "4/s"})) == grading.AGAIN
    assert suggested_rating(url.grade({"writes": "40 B"})) == grading.AGAIN
    with pytest.raises(ProblemError, match="has no answer 'wrte'.*did you mean 'write"):
        url.grade({"wrte": "4"})


# --------------------------------------------------------------------------- seeds and sampling


def test_same_seed_same_problem_different_seeds_differ(templates):
    template = templates["problem-url-shortener"]
    state = random.getstate()
    first = template.instance(7).to_json()
    assert random.getstate() == state  # a local Random: the global one is untouched
    assert template.instance(7).to_json() == first
    params = {json.dumps(template.instance(s).to_json()["params"]) for s in range(20)}
    assert len(params) == 20
    assert template.instance(None).params == template.defaults()
    assert template.instance().seed is None and first["seed"] == 7


def test_to_json_shape(templates):
    data = templates["problem-cdn-needed"].instance(3).to_json()
    assert list(data) == [
        *("id", "title", "seed", "params", "question", "answers", "solution"),
        *("napkin", "decision", "worked"),  # added: the old fields keep their place
    ]
    assert data["id"] == "problem-cdn-needed" and data["seed"] == 3
    for row in [*data["params"].values(), *data["answers"].values()]:
        assert list(row) == ["value", "unit", "text"]
    assert data["params"]["origin_link"]["unit"] == "B/s"  # values in SI base units
    assert data["params"]["origin_link"]["text"].endswith(" Gbps")
    assert data["answers"]["links"]["unit"] == ""
    assert all(isinstance(line, str) for line in data["solution"])
    json.dumps(data)


def test_overrides(templates):
    template = templates["problem-url-shortener"]
    instance = template.instance(overrides={"years": "10", "new_urls_per_month": "1 billion"})
    assert instance.answers["records"].value.value == pytest.approx(1e9 * 12 * 10)
    assert "1 billion short URLs" in instance.question
    links = templates["problem-cdn-needed"].instance(overrides={"origin_link": "100"})
    assert links.params["origin_link"] == parse("100 Gbps")  # bare: the param's display unit
    with pytest.raises(ProblemError, match="no param 'yeras'.*did you mean 'years'"):
        template.instance(overrides={"yeras": "3"})
    with pytest.raises(ProblemError, match="is a count, not a size"):
        template.instance(overrides={"years": "3 TB"})
    with pytest.raises(ProblemError, match="cannot read"):
        template.instance(overrides={"years": "many"})


def test_seed_for_is_crc32_plus_reps():
    import zlib

    assert seed_for("problem-x", 0) == zlib.crc32(b"problem-x")
    assert seed_for("problem-x", 5) == zlib.crc32(b"problem-x") + 5


def test_friendly_values():
    assert friendly_values(1, 10) == (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
    assert friendly_values(1, 10, integer=True) == (1, 2, 3, 4, 5, 6, 8, 10)
    assert friendly_values(10e6, 1e9)[:4] == (10e6, 15e6, 20e6, 25e6)
    assert friendly_values(0, 5) == ()


SAMPLING = """
deck: Sampling
problems:
  - id: sampling
    title: Sampling
    params:
      wide: {default: 100M, range: [1M, 10B]}
      narrow: {default: 3, range: [2, 5]}
      stepped: {default: 5, range: [1, 10], step: 1}
      whole: {default: 20, range: [1, 1000], integer: true}
      picked: {default: 99%, choices: [90%, 99%]}
      odd: {default: 1.2, range: [1.1, 1.4]}
    question: "{wide} {narrow} {stepped} {whole} {picked} {odd}"
    answers:
      a: {formula: wide * narrow * stepped * whole * picked * odd, unit: count, prompt: a}
"""


def test_sampling_is_friendly_log_uniform_when_wide_and_stays_in_range(write_deck):
    (template,) = load_problems([write_deck(SAMPLING)])
    draws = [template.draw(seed) for seed in range(400)]
    wide = [d["wide"].value for d in draws]
    friendly = set(friendly_values(1e6, 1e10))
    assert set(wide) <= friendly
    # log-uniform: about as many draws below 100M (2 of 4 decades) as above
    below = sum(w < 1e8 for w in wide)
    assert 140 < below < 260
    assert {d["narrow"].value for d in draws} == {2, 2.5, 3, 4, 5}
    assert {d["stepped"].value for d in draws} == set(range(1, 11))
    assert all(d["whole"].value == int(d["whole"].value) for d in draws)
    assert {d["picked"].value for d in draws} == {0.9, 0.99}
    assert all(1.1 <= d["odd"].value <= 1.4 for d in draws)  # no friendly value: 3 digits
    instance = template.instance(overrides={"picked": "90%"})
    assert instance.question == "100 million 3 5 20 90% 1.2"


def test_corners_are_capped(write_deck):
    params = "\n".join(f"      p{i}: {{default: 2, range: [1, 4]}}" for i in range(9))
    formula = " + ".join(f"p{i}" for i in range(9))
    path = write_deck(
        f"deck: Many\nproblems:\n  - id: many\n    title: Many\n    params:\n{params}\n"
        f"    question: q\n    answers:\n      a: {{formula: {formula}, unit: count, "
        "prompt: a}\n"
    )
    (template,) = load_problems([path])
    corners = template.corner_params()
    assert len(corners) == MAX_CORNERS + 1  # the defaults, then the capped corners
    sums = {sum(q.value for q in params.values()) for params, _ in corners[1:]}
    assert {9, 36} <= sums  # all low and all high are always there


# --------------------------------------------------------------------------- drill check


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paths are reported as the user typed them
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_with(path: Path, marker: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if marker in line)


def check_output(cli, path: Path) -> list[str]:
    result = cli("check", path.name)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stdout.splitlines()


BAD = """
deck: Bad
problems:
  - id: unknown-name
    title: Unknown name
    params:
      size: {default: 500 B, range: [100 B, 1 KB]}
      n: {default: 10, range: [1, 100]}
    question: "{n} of {size}"
    values:
      total: n * siz
      early: n * later_value
      later_value: n * 2
    answers:
      a: {formula: total, unit: B, prompt: a}
  - id: syntax
    title: Syntax error
    params:
      n: {default: 10, range: [1, 100]}
    question: q
    answers:
      a: {formula: n +* 2, unit: count, prompt: a}
  - id: division
    title: Division by zero at a corner
    params:
      load: {default: 1000 QPS, range: [100 QPS, 10000 QPS]}
      servers: {default: 2, range: [0, 4]}
    question: q
    values:
      per_server: load / servers
    answers:
      a: {formula: per_server, unit: /s, prompt: a}
  - id: dimension
    title: Answer dimension
    params:
      n: {default: 10, range: [1, 100]}
      size: {default: 500 B, range: [100 B, 1 KB]}
    question: q
    answers:
      storage:
        formula: n * size / day
        unit: B
        prompt: Storage?
  - id: placeholder
    title: Placeholder
    params:
      n: {default: 10, range: [1, 100]}
    question: "{n} and {missing}"
    answers:
      a: {formula: n, unit: count, prompt: a}
  - id: placeholder-unit
    title: Placeholder in a unit of another dimension
    params:
      n: {default: 10, range: [1, 100]}
    question: "{n:TB}"
    answers:
      a: {formula: n, unit: count, prompt: a}
  - id: outside
    title: Default outside its range
    params:
      n:
        default: 1000
        range: [1, 100]
    question: q
    answers:
      a: {formula: n, unit: count, prompt: a}
"""


def test_check_reports_each_problem_error_at_its_line(cli, in_tmp):
    path = write(in_tmp / "bad.yaml", BAD)
    out = check_output(cli, path)
    expected = [
        (
            "total: n * siz",
            "value `total`: unknown name 'siz' (did you mean 'size'?)",
        ),
        (
            "early: n * later_value",
            "value `early`: unknown name 'later_value' (defined later, at line "
            f"{line_with(path, 'later_value: n * 2')}: values are computed in order)",
        ),
        ("a: {formula: n +* 2", "answer `a`: syntax error at column 4"),
        ("per_server: load / servers", "value `per_server`: division by zero"),
        (
            "        unit: B",
            "answer `storage`: declared unit 'B' is a size (B), but the formula computes a "
            "bandwidth (B/s)",
        ),
        ('question: "{n} and {missing}', "question: {missing} is not a param or value"),
        ("        default: 1000", "param 'n' default 1000 is outside its range [1, 100]"),
    ]
    for marker, message in expected:
        prefix = f"bad.yaml:{line_with(path, marker)}: {message}"
        assert any(line.startswith(prefix) for line in out), (prefix, out)
    division = next(line for line in out if "division by zero" in line)
    assert division.endswith("(at load = 100 /s, servers = 0)")  # the corner where it breaks
    line = line_with(path, "{n:TB}")
    assert f"bad.yaml:{line}: question: {{n:TB}}: n is a count, not a size (B)" in out


SAFETY = """
deck: Safety
problems:
  - id: refused
    title: Refused formulas
    params:
      n: {default: 10, range: [1, 100]}
    question: q
    values:
      attribute: n.__class__
      call: open(n)
      dunder: __builtins__
      dunder_call: __import__(n)
      lambda_value: "(lambda: 1)"
      text: n * 'x'
    answers:
      a: {formula: n, unit: count, prompt: a}
  - id: huge
    title: Huge exponents
    params:
      n: {default: 10, range: [1, 200]}
    question: q
    values:
      literal: 2 ** 1000
    answers:
      a: {formula: n, unit: count, prompt: a}
  - id: huge-at-a-corner
    title: Huge exponent at a corner
    params:
      n: {default: 10, range: [1, 200]}
    question: q
    answers:
      a: {formula: 10 ** n, unit: count, prompt: a}
"""


def test_check_refuses_unsafe_formulas_with_a_clear_error(cli, in_tmp):
    path = write(in_tmp / "safety.yaml", SAFETY)
    out = check_output(cli, path)
    expected = [
        ("attribute: n.__class__", "value `attribute`: attribute access is not allowed"),
        ("call: open(n)", "value `call`: function 'open' is not allowed"),
        ("dunder: __builtins__", "value `dunder`: names starting with '__' are not allowed"),
        ("dunder_call: __import__(n)", "value `dunder_call`: function '__import__' is not"),
        ('lambda_value: "(lambda: 1)"', "value `lambda_value`: lambda is not allowed"),
        ("text: n * 'x'", "value `text`: strings are not allowed"),
        ("literal: 2 ** 1000", "value `literal`: exponent too large"),
        ("a: {formula: 10 ** n", "answer `a`: exponent too large"),
    ]
    for marker, message in expected:
        prefix = f"safety.yaml:{line_with(path, marker)}: {message}"
        assert any(line.startswith(prefix) for line in out), (prefix, out)
    assert next(line for line in out if "10 ** n" in line or "answer `a`: exp" in line).endswith(
        "(at n = 200)"
    )


def test_problems_share_the_id_space_with_cards_and_need_no_cards(cli, in_tmp):
    write(
        in_tmp / "mixed.yaml",
        """
        deck: Mixed
        cards:
          - {id: shared, front: Q, back: A}
        problems:
          - id: shared
            title: Same id as a card
            params:
              n: {default: 10, range: [1, 100]}
            question: "{n}?"
            answers:
              a: {formula: n, unit: count, prompt: a}
        """,
    )
    out = check_output(cli, in_tmp / "mixed.yaml")
    assert out == ["mixed.yaml:5: duplicate id 'shared' (also at mixed.yaml:3)"]

    path = write(
        in_tmp / "only.yaml",
        """
        deck: Only problems
        problems:
          - id: only
            title: Only problems here
            params:
              n: {default: 10, choices: [10, 20]}
            question: "{n}?"
            answers:
              a: {formula: n, unit: count, prompt: a}
        """,
    )
    result = cli("check", path.name)
    assert result.exit_code == 0, result.output
    write(in_tmp / "neither.yaml", "deck: Neither\ndescription: nothing here\n")
    out = check_output(cli, in_tmp / "neither.yaml")
    assert out == [
        "neither.yaml:1: missing `cards:` (the list of cards) or `problems:` (problem templates)"
    ]


def test_check_reports_malformed_templates(cli, in_tmp):
    path = write(
        in_tmp / "shape.yaml",
        """
        deck: Shape
        problems:
          - id: Not A Slug
            title: Shape
            params:
              n: {default: 1B, range: [1M, 10 billion]}
              m: {default: 3}
              k: {default: 3, range: [5, 1]}
              log: {default: 3, choices: [3]}
            question: q
            answers:
              a: {formula: n, unit: bogus, prompt: a}
              b: {formula: n, prompt: b}
            extra: 1
          - title: no id
        """,
    )
    out = "\n".join(check_output(cli, path))
    assert "shape.yaml:3: id 'Not A Slug' is not slug-like" in out
    assert (
        "shape.yaml:6: param 'n' low is a count, but its default 1 B is a size (B) (for a "
        "count, write 1 billion or 1G: 1B is one byte)" in out
    )
    assert "shape.yaml:7: param 'm' needs either `range: [low, high]` or `choices: [...]`" in out
    assert "shape.yaml:8: param 'k' `range`: low must be below high" in out
    assert "shape.yaml:9: param name 'log' is the name of a function" in out
    assert "shape.yaml:12: answer 'a' `unit`: cannot read 'bogus' as a unit" in out
    assert "shape.yaml:13: answer 'b' is missing `unit:`" in out
    assert "shape.yaml:14: unknown key 'extra' for a problem" in out
    assert "shape.yaml:15: problem is missing `id:`" in out


def test_bundled_templates_validate_against_the_schema(write_deck):
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    from drill.paths import schema_path

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    for path in ESTIMATION.rglob("*.yaml"):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    jsonschema.validate(yaml.safe_load(SAMPLING), schema)
    bad = yaml.safe_load(SAMPLING)
    bad["problems"][0]["params"]["wide"]["rnage"] = [1, 2]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"deck": "Empty"}, schema)


# --------------------------------------------------------------------------- the CLI

FIXED = """
deck: Fixture
problems:
  - id: fixed-qps
    title: Fixed QPS
    params:
      per_day: {default: 1 billion, choices: [1 billion]}
      size: {default: 1 KB, choices: [1 KB]}
    question: "{per_day} requests a day, {size} each."
    answers:
      qps: {formula: per_day / day, unit: /s, prompt: "Average QPS?"}
      bandwidth: {formula: per_day / day * size, unit: B/s, prompt: "Bandwidth?"}
    hints: [A day is about 100K seconds.]
"""


@pytest.fixture
def fixture_dir(tmp_path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    write(folder / "fixed.yaml", FIXED)
    return folder


def test_problem_list(cli, fixture_dir):
    result = cli("problem", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(BY_HAND)
    assert lines[0].startswith("problem-url-shortener")
    assert "Estimation::Problems" in lines[0] and "[writes, reads," in lines[0]
    result = cli("problem", "list", fixture_dir, "--json")
    (row,) = json.loads(result.stdout)
    assert row["id"] == "fixed-qps" and row["deck"] == "Fixture"
    assert row["params"]["size"] == {"default": "1 KB", "choices": ["1 KB"]}
    assert list(row["answers"]) == ["qps", "bandwidth"]
    assert cli("problem", "list", "--deck", "nothing").stderr.strip() == "no problems match"


def test_problem_show(cli, templates):
    result = cli("problem", "show", "problem-url-shortener")
    assert result.exit_code == 0, result.output
    assert "100 million short URLs a month" in result.stdout
    assert "Average writes per second?" in result.stdout
    assert "38.6" not in result.stdout  # no answers unless asked
    result = cli("problem", "show", "problem-url-shortener", "--answers")
    assert "writes          Average writes per second?  = 38.6 /s" in result.stdout
    assert "Worked solution (each step: the napkin path, then the exact value):" in result.stdout
    assert "    exact   6 billion * 500 B ≈ 3 TB" in result.stdout
    assert "    napkin  6×10^9 * 500 B ≈ 3×10^12 B (3 TB)" in result.stdout
    result = cli("problem", "show", "problem-url-shortener", "--seed", "3", "--json")
    assert json.loads(result.stdout) == templates["problem-url-shortener"].instance(3).to_json()
    result = cli("problem", "show", "problem-url-shortener", "--param", "years=10", "--json")
    assert json.loads(result.stdout)["answers"]["records"]["value"] == pytest.approx(12e9)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["problem", "show", "problem-url-shortner"], "no problem with id"),
        (["problem", "show", "problem-url-shortener", "--param", "yeras=2"], "no param 'yeras'"),
        (["problem", "show", "problem-url-shortener", "--param", "years"], "takes name=value"),
        (["problem", "check", "problem-url-shortener", "--answer", "wrtes=4"], "no answer"),
        (["problem", "check", "problem-url-shortener"], "give answers as --answer"),
        (["problem", "check", "nope", "--answer", "a=1"], "no problem with id 'nope'"),
    ],
)
def test_problem_errors_exit_2(cli, args, message):
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_problem_check(cli):
    args = ["problem", "check", "problem-url-shortener"]
    result = cli(*args, "--answer", "writes=40", "--answer", "storage=3 TB")
    assert result.exit_code == 0, result.output
    assert "writes   right: you said 40 /s, 4% high  (answer: 38.6 /s)" in result.stdout
    assert result.stdout.splitlines()[-1] == "overall: right (suggested rating: Good)"
    result = cli(*args, "--answer", "writes=60", "--answer", "storage=3 TB")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "overall: close (suggested rating: Hard)"
    result = cli(*args, "--answer", "writes=40 GB", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["verdict"] == "dimension" and data["rating"] == "Again"
    assert data["answers"]["writes"]["given"] == {"value": 40e9, "unit": "B", "text": "40 GB"}
    assert data["answers"]["writes"]["expected"]["unit"] == "/s"
    result = cli(*args, "--seed", "3", "--param", "years=2", "--answer", "records=100", "--json")
    assert json.loads(result.stdout)["answers"]["records"]["verdict"] == "wrong"


def test_problem_practice_in_process(cli, fixture_dir):
    typed = "?\n10K\n\n"  # a hint, 11.6K /s answered as 10K, the bandwidth skipped
    result = cli(
        "problem",
        "practice",
        "--decks",
        fixture_dir,
        "--deck",
        "Fixture",
        "--count",
        "1",
        "--seed",
        "1",
        input=typed,
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Problem 1 of 1: Fixed QPS  [fixed-qps --seed " in out
    assert "1 billion requests a day, 1 KB each." in out
    assert "hint: A day is about 100K seconds." in out
    assert "right: you said 10K /s, 14% low. Answer: 11.6K /s" in out
    assert "skipped: the answer is 11.6 MB/s" in out
    assert "    qps = per_day / day\n      napkin  10^9 / 10^5 s ≈ 10^4 /s (10K /s)\n" in out
    assert "      exact   1 billion / day ≈ 11.6K /s\n" in out
    assert "Result: skipped some (suggested rating: Again)" in out
    assert out.rstrip().endswith("Done: 1 problem, 0 all right.")


def test_problem_practice_through_a_pipe(fixture_dir, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRILL_")}
    env["DRILL_CONFIG"] = str(tmp_path / "no-config.toml")
    command = [
        sys.executable,
        "-m",
        "drill",
        "problem",
        "practice",
        "--decks",
        str(fixture_dir),
        "--deck",
        "Fixture",
        "--count",
        "2",
        "--seed",
        "4",
    ]
    # Two problems: all right, then end of input in the middle of the second.
    run = subprocess.run(
        command,
        input="12k QPS\n12 MB/s\nbogus\n11.6K\n",
        text=True,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "Result: right (suggested rating: Good)" in run.stdout
    assert "could not read that" in run.stdout  # asked again, not graded
    assert run.stdout.rstrip().endswith("Stopped. 1 problem done, 1 all right.")
    assert run.stderr == ""


def test_problem_practice_with_nothing_to_practise(cli):
    result = cli("problem", "practice", "--deck", "No such deck")
    assert result.exit_code == 1
    assert "no problems match" in result.stderr


def test_problem_practice_of_named_problems(cli):
    """`drill problem list` shows ids; practising one of them is `practice ID`."""
    result = cli("problem", "practice", "problem-read-replicas", "--count", "2", input="\n" * 8)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Problem 1 of 2: Read replicas for a read load  [problem-read-replicas --seed " in out
    assert "Problem 2 of 2: Read replicas for a read load  [problem-read-replicas --seed " in out
    unknown = cli("problem", "practice", "problem-read-replica")
    assert unknown.exit_code == 2
    assert "no problem with id 'problem-read-replica' (did you mean 'problem-read-replicas'?)" in (
        unknown.stderr
    )


# --------------------------------------------------------------------------- the API


def test_collection_templates_and_find_template():
    collection = load([ESTIMATION])
    assert not collection.problems
    assert sorted(t.id for t in collection.templates) == sorted(BY_HAND)
    assert collection.templates[0].id == "problem-url-shortener"
    template = find_template(collection.templates, "problem-cdn-needed")
    assert template.deck == "Estimation::Problems"
    assert template.location.path.endswith("problems.yaml") and template.location.line > 0
    assert "problem" in template.tags and "estimation" in template.tags
    assert template.source == "System Design Interview Framework guide: Step 2, Bandwidth"
    with pytest.raises(ProblemError, match="did you mean 'problem-cdn-needed'"):
        find_template(collection.templates, "problem-cdn-neded")


def test_problem_practice_stops_on_q(cli, fixture_dir):
    result = cli(
        "problem",
        "practice",
        "--decks",
        fixture_dir,
        "--deck",
        "Fixture",
        "--count",
        "3",
        "--seed",
        "1",
        input="q\n",
    )
    assert result.exit_code == 0, result.output
    assert "Stopped. 0 problems done, 0 all right." in result.stdout
