"""Shared fixtures. Long runs (e.g. 20,000 scheduler sequences) are marked `slow` and run
only with `pytest --runslow` (or `make test PYTEST_ARGS=--runslow`)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False, help="run slow tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip_slow = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


@pytest.fixture(autouse=True)
def _private_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
):
    """The suite never reads or writes the user's own config, database, decks or cache:
    every XDG folder points into the test's temporary folder and every DRILL_* variable is
    cleared (a test sets the ones it needs). Subprocesses inherit this environment."""
    import os

    base = tmp_path_factory.getbasetemp() / "user"
    for name in ("CONFIG", "DATA", "CACHE", "STATE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(base / name.lower()))
    for name in list(os.environ):
        if name.startswith("DRILL_"):
            monkeypatch.delenv(name)


@pytest.fixture
def write_deck(tmp_path: Path):
    """Write a deck file from an indented YAML snippet; returns its path."""

    def write(text: str, name: str = "deck.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def anki(tmp_path: Path):
    """A fresh collection of Anki's own backend (the `anki` package), closed afterwards."""
    collection = pytest.importorskip("anki.collection")
    (tmp_path / "anki").mkdir()
    col = collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


@pytest.fixture
def cli():
    """Run the real `drill` CLI in-process; returns click's Result."""
    from typer.testing import CliRunner

    from drill.ui.cli import app

    runner = CliRunner()

    def run(*args: str, **kwargs):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False, **kwargs)

    return run


@pytest.fixture
def no_bundled_decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private config (bundled decks off, for speed) and database, and tmp_path as the
    working folder, so an import's default --out lands there."""
    monkeypatch.delenv("DRILL_DECKS", raising=False)
    config = tmp_path / "config.yaml"
    config.write_text("bundled: false\n")
    monkeypatch.setenv("DRILL_CONFIG", str(config))
    monkeypatch.setenv("DRILL_DB", str(tmp_path / "drill.db"))
    monkeypatch.chdir(tmp_path)
    return tmp_path
