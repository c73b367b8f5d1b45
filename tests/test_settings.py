"""Where the database is: one rule for every command. The command line beats the environment,
which beats the config file, which beats the default (the user data folder)."""

from __future__ import annotations

import itertools
import json

import pytest

DECK = "deck: S\ncards:\n  - {id: a, front: Q, back: A}\n"


@pytest.fixture
def env(tmp_path, monkeypatch):
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "s.yaml").write_text(DECK, encoding="utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("DRILL_DB", raising=False)
    monkeypatch.setenv("DRILL_NOW", "2026-11-29T09:00:00+00:00")
    return tmp_path


COMBINATIONS = list(itertools.product((False, True), repeat=3))


@pytest.mark.parametrize(
    ("cli_db", "env_db", "file_db"),
    COMBINATIONS,
    ids=[
        "-".join(n for n, on in zip(("cli", "env", "file"), c, strict=True) if on) or "default"
        for c in COMBINATIONS
    ],
)
def test_database_precedence_is_one_rule(cli, env, monkeypatch, cli_db, env_db, file_db):
    paths = {
        "cli": env / "cli.db",
        "env": env / "env.db",
        "file": env / "file.db",
        "default": env / "data" / "drill" / "drill.db",
    }
    config = env / "config.yaml"
    text = f"bundled: false\ndecks: [{env / 'decks'}]\n"
    if file_db:
        text += f"db: {paths['file']}\n"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DRILL_CONFIG", str(config))
    if env_db:
        monkeypatch.setenv("DRILL_DB", str(paths["env"]))
    expected = "cli" if cli_db else "env" if env_db else "file" if file_db else "default"
    db_args = ["--db", str(paths["cli"])] if cli_db else []

    shown = json.loads(cli("config", "show", "--json", *db_args).stdout)
    assert shown["database"] == {
        "path": str(paths[expected]),
        "from": {"cli": "--db", "env": "DRILL_DB", "file": "config file", "default": "default"}[
            expected
        ],
    }
    # Every command that opens the database opens that one and no other.
    for command in (["due"], ["stats"], ["build", "--out", str(env / "build")]):
        result = cli(*command, *db_args)
        assert result.exit_code == 0, result.output
        made = {name for name, path in paths.items() if path.exists()}
        assert made == {expected}, (command, made)
