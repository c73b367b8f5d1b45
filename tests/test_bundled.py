"""The bundled decks: valid, every kind represented, shipped inside the installed package,
and described by the JSON Schema that ships with them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drill.content import load
from drill.kinds import KINDS
from drill.paths import bundled_decks_dir, schema_path

REPO = Path(__file__).resolve().parents[1]


def test_bundled_decks_pass_check(cli):
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith(": ok")


def test_bundled_decks_have_no_lint_warnings(cli):
    result = cli("check", "--lint")
    assert result.exit_code == 0, result.output
    assert ": warning: " not in result.stdout, result.stdout
    assert result.stdout.rstrip().endswith(": ok")


def test_every_kind_is_represented():
    collection = load([bundled_decks_dir()])
    assert {n.kind for n in collection.notes} == set(KINDS)


def test_shipped_schema_matches_the_kind_definitions():
    from drill.jsonschema import render

    assert schema_path().read_text(encoding="utf-8") == render(), (
        "regenerate: python -m drill.jsonschema > src/drill/schema/deck.schema.json"
    )


def test_bundled_decks_validate_against_the_schema():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    files = sorted(bundled_decks_dir().rglob("*.yaml"))
    assert files
    for path in files:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_schema_rejects_what_check_rejects():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    bad = {"deck": "T", "cards": [{"id": "a", "kind": "number", "front": "Q"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    typo = {"deck": "T", "cards": [{"id": "a", "front": "Q", "bakc": "A"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(typo, schema)


def test_schema_command_prints_the_schema(cli):
    result = cli("schema")
    assert json.loads(result.stdout)["title"] == "drill deck"


def test_installed_wheel_finds_its_decks_outside_the_repo(tmp_path):
    """A wheel (not an editable install) carries the decks and the schema."""
    wheel_dir, target, source = tmp_path / "wheel", tmp_path / "site", tmp_path / "source"
    # Build from a copy: setuptools leaves build/lib behind, and stale files there would
    # end up in the wheel.
    for name in ("src", "decks"):
        shutil.copytree(
            REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
        )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-v",
            "--no-deps",
            "-w",
            str(wheel_dir),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    # A quiet install: no "Package 'drill.x' is absent from the packages configuration".
    assert "absent from" not in built.stdout + built.stderr
    wheel = next(wheel_dir.glob("drill_cards-*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    assert (target / "drill" / "schema" / "deck.schema.json").is_file()
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run(
        [sys.executable, "-m", "drill", "check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.rstrip().endswith(": ok")
    where = subprocess.run(
        [sys.executable, "-c", "from drill.paths import bundled_decks_dir as b; print(b())"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(target)


def test_every_package_is_named_in_pyproject():
    """setuptools warns about (and may leave out) a package folder it is not told about."""
    import tomllib

    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.relative_to(REPO / "src").parent.parts)
        for p in (REPO / "src" / "drill").rglob("*.py")
        if "__pycache__" not in p.parts
    } | {"drill.schema"}
    found |= {
        "drill.decks." + ".".join(d.relative_to(REPO / "decks").parts)
        for d in (REPO / "decks").rglob("*")
        if d.is_dir() and all(part.isidentifier() for part in d.relative_to(REPO / "decks").parts)
    } | {"drill.decks"}
    assert listed == found


def test_a_first_day_starts_with_the_tour_and_is_short(tmp_path):
    """The bundled decks' study order: the tour first, then the framework and the
    fundamentals; estimation problems last; and a first day of about thirty new cards."""
    from datetime import UTC, datetime

    from drill.services.settings import Settings, Sourced
    from drill.services.study import StudySession
    from drill.services.workspace import open_workspace

    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    settings = Settings(
        tmp_path / "config.yaml", False, Sourced(tmp_path / "d.db", "--db"),
        (Sourced(bundled_decks_dir(), "bundled"),), True, {},
    )  # fmt: skip
    with open_workspace(settings, now) as ws:
        queue = StudySession(ws, lambda: now).new
    assert 20 <= len(queue) <= 35
    assert queue[0].deck == "Drill Tour"
    decks = [c.deck for c in queue]
    assert decks.index("System Design::Framework") < decks.index("Numbers::Latency")
    assert all(d.startswith("Estimation") for d in decks[decks.index("Estimation::Problems") :])
