"""A private drill for a test: its own config file, database, clock and deck folder, so
nothing of the user's is read or written. `settings` is for in-process services,
`terminal_env` for the real `drill` in a subprocess or a pseudo-terminal."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from drill.services.settings import Settings, Sourced


def settings(tmp_path: Path, decks: Path, options: dict[str, Any] | None = None) -> Settings:
    """Settings as the command line would give them: `--db` in tmp_path, `--decks decks`,
    no bundled decks and no config file."""
    return Settings(
        config_file=tmp_path / "config.yaml",
        config_exists=False,
        database=Sourced(tmp_path / "drill.db", "--db"),
        deck_folders=(Sourced(decks, "--decks"),),
        bundled=False,
        options=options or {},
    )


def terminal_env(
    tmp_path: Path, decks: Path, now: datetime, columns: int = 100, **changes: str | None
) -> dict[str, str]:
    """The environment of a `drill` process: a config file naming `decks` (no bundled decks,
    no fuzz), a database in tmp_path, the clock at `now`, UTC, no colour, a dumb terminal
    `columns` wide, unbuffered output. `changes` add variables, or drop them with None."""
    config = tmp_path / "config.yaml"
    config.write_text(f"bundled: false\ndecks: [{decks}]\noptions:\n  fuzz: false\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRILL_")}
    env.update(
        DRILL_CONFIG=str(config),
        DRILL_DB=str(tmp_path / "drill.db"),
        DRILL_NOW=now.isoformat(),
        TZ="UTC",
        NO_COLOR="1",
        TERM="dumb",
        COLUMNS=str(columns),
        PYTHONUNBUFFERED="1",
    )
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env
