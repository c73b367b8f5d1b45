"""What is in effect, resolved once per command from the command line, the environment and
the config file, each value with where it came from.

Precedence, for every setting and every command: command line > environment > config file >
default. `drill config show` prints exactly this object, and every command that opens the
database or reads the decks takes its paths from it, so what is shown is what is used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from drill.config import Config, config_path, load_config
from drill.model import ContentError
from drill.services.errors import DrillError

ENV_DB = "DRILL_DB"
ENV_DECKS = "DRILL_DECKS"
FROM_CLI_DB = "--db"
FROM_CLI_DECKS = "--decks"
FROM_FILE = "config file"
FROM_DEFAULT = "default"
FROM_BUNDLED = "bundled"


class Sourced(NamedTuple):
    """A path setting and where it came from (`--db`, `DRILL_DB`, `config file`, ...)."""

    value: Path
    source: str


class Settings(NamedTuple):
    """(A NamedTuple: every command starts by making one, and `drill due` runs in prompts.)"""

    config_file: Path
    config_exists: bool
    database: Sourced
    deck_folders: tuple[Sourced, ...]
    bundled: bool
    options: dict[str, Any]  # the config file's study options
    sync_url: str | None = None  # `sync_url:` in the config file: drill sync's server

    @property
    def db(self) -> Path:
        return self.database.value

    @property
    def deck_roots(self) -> list[Path]:
        """Every deck folder in effect, in order, without repeats."""
        return [folder.value for folder in self.deck_folders]


def default_db_path() -> Path:
    """The per-user data folder's database (e.g. ~/.local/share/drill/drill.db)."""
    from platformdirs import user_data_path

    return user_data_path("drill", appauthor=False) / "drill.db"


def database(cli: Path | None, environ: Mapping[str, str], config: Config) -> Sourced:
    """The one rule for which database a command opens."""
    if cli is not None:
        return Sourced(cli.expanduser(), FROM_CLI_DB)
    if environ.get(ENV_DB):
        return Sourced(Path(environ[ENV_DB]).expanduser(), ENV_DB)
    if config.db is not None:
        return Sourced(config.db, FROM_FILE)
    return Sourced(default_db_path(), FROM_DEFAULT)


def deck_folders(
    cli: Sequence[Path], environ: Mapping[str, str], config: Config
) -> tuple[Sourced, ...]:
    """The bundled decks (unless switched off), the config file's folders, DRILL_DECKS (a
    path list) and --decks: every folder is read, in that order, the first of repeats kept."""
    from drill.paths import bundled_decks_dir

    found: list[Sourced] = []
    if config.bundled:
        found.append(Sourced(bundled_decks_dir(), FROM_BUNDLED))
    found += [Sourced(p, FROM_FILE) for p in config.decks]
    env = environ.get(ENV_DECKS, "")
    found += [Sourced(Path(p).expanduser(), ENV_DECKS) for p in env.split(os.pathsep) if p.strip()]
    found += [Sourced(p.expanduser(), FROM_CLI_DECKS) for p in cli]
    unique: dict[str, Sourced] = {}
    for folder in found:
        unique.setdefault(str(folder.value.resolve()), folder)
    return tuple(unique.values())


def resolve(
    db: Path | None = None,
    decks: Sequence[Path] = (),
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The settings in effect; DrillError (with `path:line`) when the config file is broken."""
    environ = os.environ if environ is None else environ
    try:
        config = load_config()
    except ContentError as err:
        raise DrillError("the config file has problems", err.problems) from None
    return Settings(
        config_file=config_path(),
        config_exists=config.exists,
        database=database(db, environ, config),
        deck_folders=deck_folders(list(decks), environ, config),
        bundled=config.bundled,
        options=dict(config.options),
        sync_url=config.sync_url,
    )
