"""The user config file and what is in effect: deck folders, the database, study options.

The file is YAML, at `DRILL_CONFIG` or in the per-user config folder (on Linux
`~/.config/drill/config.yaml`):

    decks:                  # your deck folders, read beside the bundled decks
      - ~/notes/drill
    bundled: true           # false hides the bundled decks
    db: ~/drill.db          # optional: where reviews are kept
    options:                # study options for every deck (see drill.options)
      new_per_day: 10

Precedence: command-line options, then environment variables (DRILL_DECKS, DRILL_DB), then the
file, then defaults. A missing file is fine; a broken one is an error with `path:line`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drill.model import ContentError, Problem

ENV_CONFIG = "DRILL_CONFIG"
ENV_DECKS = "DRILL_DECKS"
KEYS = ("decks", "bundled", "db", "options")


def config_path() -> Path:
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path("drill", appauthor=False) / "config.yaml"


@dataclass
class Config:
    path: Path
    exists: bool = False
    decks: list[Path] = field(default_factory=list)
    bundled: bool = True
    db: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)


def load_config(path: Path | None = None) -> Config:
    """Read the config file; ContentError (with path:line) when it is broken."""
    path = path or config_path()
    config = Config(path)
    if not path.is_file():
        return config
    config.exists = True
    import yaml

    from drill import yamlnodes
    from drill.content import _plain
    from drill.options import OptionError, parse_value
    from drill.paths import display_path

    shown = display_path(path)
    problems: list[Problem] = []
    try:
        root = yamlnodes.compose(path.read_text(encoding="utf-8-sig"))
    except yamlnodes.YamlError as err:
        raise ContentError([Problem(shown, err.line, err.message)]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ContentError([Problem(shown, 0, f"cannot read the config file: {err}")]) from None
    if root is None:
        return config
    if not isinstance(root, yaml.MappingNode):
        raise ContentError([Problem(shown, 1, "the config file must be a mapping")])
    entries, errors = yamlnodes.mapping_entries(root)
    problems.extend(Problem(shown, e.line, e.message) for e in errors)
    base = path.parent
    for e in entries:
        value = _plain(e.node)
        if e.key == "decks":
            items = value if isinstance(value, list) else [value]
            config.decks = [_resolve(base, str(item)) for item in items if str(item).strip()]
        elif e.key == "bundled":
            if str(value).lower() not in ("true", "false", "yes", "no"):
                problems.append(Problem(shown, e.line, "`bundled` must be true or false"))
            config.bundled = str(value).lower() in ("true", "yes")
        elif e.key == "db":
            config.db = _resolve(base, str(value))
        elif e.key == "options":
            if not isinstance(e.node, yaml.MappingNode):
                problems.append(Problem(shown, e.line, "`options` must be a mapping"))
                continue
            sub, sub_errors = yamlnodes.mapping_entries(e.node)
            problems.extend(Problem(shown, x.line, x.message) for x in sub_errors)
            for option in sub:
                try:
                    config.options[option.key] = parse_value(
                        option.key, _plain(option.node), in_deck=False
                    )
                except OptionError as err:
                    problems.append(Problem(shown, option.line, str(err)))
        else:
            from drill.content import did_you_mean

            problems.append(
                Problem(
                    shown,
                    e.line,
                    f"unknown key '{e.key}'{did_you_mean(e.key, KEYS)}; keys: {', '.join(KEYS)}",
                )
            )
    if problems:
        raise ContentError(problems)
    return config


def _resolve(base: Path, text: str) -> Path:
    path = Path(os.path.expandvars(text)).expanduser()
    return path if path.is_absolute() else base / path


def deck_roots(config: Config, cli_decks: list[Path] | None = None) -> list[Path]:
    """Every deck folder in effect: the bundled decks (unless switched off), the config
    file's folders, DRILL_DECKS (a path list) and --decks, in that order, without repeats."""
    from drill.paths import bundled_decks_dir

    roots: list[Path] = [bundled_decks_dir()] if config.bundled else []
    roots += config.decks
    env = os.environ.get(ENV_DECKS, "")
    roots += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    roots += list(cli_decks or [])
    unique: dict[str, Path] = {}
    for root in roots:
        unique.setdefault(str(root.resolve()), root)
    return list(unique.values())
