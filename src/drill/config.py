"""The user config file and what is in effect: deck folders, the database, study options.

The file is YAML, at `DRILL_CONFIG` or in the per-user config folder (on Linux
`~/.config/drill/config.yaml`):

    decks:                  # your deck folders, read beside the bundled decks
      - ~/notes/drill
    bundled: true           # false hides the bundled decks
    db: ~/drill.db          # optional: where reviews are kept
    options:                # study options for every deck (see drill.options)
      new_per_day: 10
    sync_url: https://anki.example.org/   # optional: `drill sync`'s server (default AnkiWeb)

What is in effect comes from drill.services.settings, one rule for every command: command
line, then environment (DRILL_DB, DRILL_DECKS), then this file, then defaults. A missing file
is fine; a broken one is an error with `path:line`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drill.model import ContentError, Problem

ENV_CONFIG = "DRILL_CONFIG"
KEYS = ("decks", "bundled", "db", "options", "sync_url")


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
    sync_url: str | None = None  # a self-hosted sync server (default: AnkiWeb)


def load_config(path: Path | None = None) -> Config:
    """Read the config file; ContentError (with path:line) when it is broken.

    A parsed file is cached as JSON (keyed by its size and mtime) in the user cache folder:
    `drill due` runs in shell prompts, and importing PyYAML alone would double its start-up.
    """
    path = path or config_path()
    try:
        stat = path.stat()
    except OSError:
        return Config(path)
    if not path.is_file():
        return Config(path)
    key = {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    cached = _read_cache(key)
    if cached is not None:
        return cached
    config = _parse_config(path)
    _write_cache(key, config)
    return config


def _cache_file() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("drill", appauthor=False) / "config.json"


def _read_cache(key: dict[str, Any]) -> Config | None:
    import json

    try:
        data = json.loads(_cache_file().read_text(encoding="utf-8"))
        if data.get("key") != key:
            return None
        values = data["config"]
        return Config(
            path=Path(values["path"]),
            exists=True,
            decks=[Path(p) for p in values["decks"]],
            bundled=values["bundled"],
            db=Path(values["db"]) if values["db"] else None,
            options=values["options"],
            sync_url=values.get("sync_url"),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(key: dict[str, Any], config: Config) -> None:
    """Best effort: a cache that cannot be written only costs speed."""
    import json
    import tempfile

    values = {
        "path": str(config.path),
        "decks": [str(p) for p in config.decks],
        "bundled": config.bundled,
        "db": str(config.db) if config.db else None,
        "options": config.options,
        "sync_url": config.sync_url,
    }
    try:
        target = _cache_file()
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=target.parent, delete=False, encoding="utf-8"
        ) as tmp:
            json.dump({"key": key, "config": values}, tmp)
        os.replace(tmp.name, target)
    except OSError:
        pass


def _parse_config(path: Path) -> Config:
    config = Config(path, exists=True)
    import yaml

    from drill import yamlnodes
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
        value = yamlnodes.plain(e.node)
        if e.key == "decks":
            items = value if isinstance(value, list) else [value]
            config.decks = [_resolve(base, str(item)) for item in items if str(item).strip()]
        elif e.key == "bundled":
            if str(value).lower() not in ("true", "false", "yes", "no"):
                problems.append(Problem(shown, e.line, "`bundled` must be true or false"))
            config.bundled = str(value).lower() in ("true", "yes")
        elif e.key == "db":
            config.db = _resolve(base, str(value))
        elif e.key == "sync_url":
            url = str(value or "").strip()
            if not url.startswith(("http://", "https://")):
                problems.append(
                    Problem(shown, e.line, "`sync_url` must be an http:// or https:// address")
                )
            config.sync_url = url
        elif e.key == "options":
            if not isinstance(e.node, yaml.MappingNode):
                problems.append(Problem(shown, e.line, "`options` must be a mapping"))
                continue
            sub, sub_errors = yamlnodes.mapping_entries(e.node)
            problems.extend(Problem(shown, x.line, x.message) for x in sub_errors)
            for option in sub:
                try:
                    config.options[option.key] = parse_value(
                        option.key, yamlnodes.plain(option.node), in_deck=False
                    )
                except OptionError as err:
                    problems.append(Problem(shown, option.line, str(err)))
        else:
            from drill.names import did_you_mean

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


def add_deck_folder(folder: Path, path: Path | None = None) -> bool:
    """Add `folder` to the config file's `decks:`, editing its text so the user's comments,
    order and quoting stay as they were (the file is created when missing). Returns False when
    the folder is there already. The edited text is read back before it replaces the file
    (a temporary file, then os.replace); ContentError when the file is broken or the edit
    cannot be made safely."""
    import yaml

    from drill.paths import display_path

    path = path or config_path()
    config = load_config(path)  # a broken file stops here, untouched
    folder = folder.expanduser().resolve()
    if any(p.resolve() == folder for p in config.decks):
        return False
    shown = display_path(path)
    entry = str(folder)
    if not config.exists:
        text = (
            "# drill's config file (README: Where things live). Every key is optional.\n"
            f"decks:\n  - {_yaml_scalar(entry)}\n"
        )
        _replace_config(path, b"", text.encode("utf-8"), config, folder)
        return True
    raw = path.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom) :].decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    try:  # the pure-Python loader: its marks index characters, which the edit needs
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        raise ContentError(
            [Problem(shown, 0, f"cannot add {folder} to `decks:` safely; add it by hand")]
        ) from None
    pairs = root.value if isinstance(root, yaml.MappingNode) else []
    node = next((v for k, v in pairs if getattr(k, "value", None) == "decks"), None)
    if node is None:
        sep = "" if not text or text.endswith("\n") else newline
        new = f"{text}{sep}decks:{newline}  - {_yaml_scalar(entry)}{newline}"
    elif isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        end = last.end_mark.index
        line_end = text.find("\n", end)
        at = len(text) if line_end < 0 else line_end + 1
        pad = " " * node.start_mark.column
        lead = "" if at == 0 or text[at - 1] == "\n" else newline
        new = f"{text[:at]}{lead}{pad}- {_yaml_scalar(entry)}{newline}{text[at:]}"
    elif isinstance(node, yaml.SequenceNode):  # a flow list: [a, b] or []
        close = text.rindex("]", 0, node.end_mark.index)
        sep = ", " if node.value else ""
        new = f"{text[:close]}{sep}{_flow_scalar(entry)}{text[close:]}"
    elif isinstance(node, yaml.ScalarNode):
        start, end = node.start_mark.index, node.end_mark.index
        if node.tag == "tag:yaml.org,2002:null":
            items = _flow_scalar(entry)
        else:
            items = f"{text[start:end]}, {_flow_scalar(entry)}"
        space = " " if start > 0 and text[start - 1] == ":" else ""
        new = f"{text[:start]}{space}[{items}]{text[end:]}"
    else:
        raise ContentError(
            [Problem(shown, node.start_mark.line + 1, "`decks` must be a list of folders")]
        )
    _replace_config(path, raw, bom + new.encode("utf-8"), config, folder)
    return True


def _yaml_scalar(text: str) -> str:
    from drill.authoring import scalar

    return scalar(text, 4)


def _flow_scalar(text: str) -> str:
    from drill.authoring import flow_item

    return flow_item(text)


def _replace_config(path: Path, old: bytes, new: bytes, before: Config, folder: Path) -> None:
    """Write `new` beside the config file, check it reads as before plus `folder`, then move
    it into place; anything else leaves the file as it was."""
    import tempfile

    from drill.paths import display_path

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(new)
        try:
            after = load_config(Path(tmp))
            ok = [p.resolve() for p in after.decks] == [
                *(p.resolve() for p in before.decks),
                folder,
            ] and (after.bundled, after.db, after.options) == (
                before.bundled,
                before.db,
                before.options,
            )
        except ContentError:
            ok = False
        if not ok:
            raise ContentError(
                [
                    Problem(
                        display_path(path),
                        0,
                        f"cannot add {folder} to `decks:` safely; add it by hand",
                    )
                ]
            )
        if old:
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
