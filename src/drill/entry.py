"""The `drill` executable. `drill` and `drill due` are what people put in shell prompts and
login scripts, and `drill stats` is read as often, so these are answered here without loading
the CLI framework (typer builds its commands through pydantic, which alone costs more than
the whole answer); everything else, including `--help` and any mistake, goes to the typer
app in drill.cli. Both paths call the same functions in drill.app."""

from __future__ import annotations

import sys
from pathlib import Path


def _fast(args: list[str]) -> tuple[str, dict] | None:
    """(command, arguments) for `drill`, `drill due [--json] [--db P] [--decks D]...` and
    `drill stats [--deck NAME] [--json] [--db P] [--decks D]...`, or None for anything else."""
    if not args:
        return "due", {"as_json": False, "db": None, "decks": [], "hint": True}
    if args[0] not in ("due", "stats"):
        return None
    command = args[0]
    as_json, db, decks, deck = False, None, [], None
    rest = args[1:]
    while rest:
        arg = rest.pop(0)
        if arg == "--json":
            as_json = True
            continue
        name, _, value = arg.partition("=")
        if name not in ("--db", "--decks", "--deck") or (name == "--deck" and command == "due"):
            return None
        if not value:
            if not rest:
                return None
            value = rest.pop(0)
        if name == "--db":
            db = Path(value)
        elif name == "--deck":
            deck = value
        else:
            decks.append(Path(value))
    if command == "stats":
        return command, {"as_json": as_json, "deck": deck, "db": db, "decks": decks}
    return command, {"as_json": as_json, "db": db, "decks": decks, "hint": False}


def main() -> None:
    fast = _fast(sys.argv[1:])
    if fast is None:
        from drill.cli import main as cli_main

        cli_main()
        return
    from drill import app

    command, arguments = fast
    report = app.due_report if command == "due" else app.stats_report
    try:
        sys.stdout.write(report(**arguments) + "\n")
    except app.UserError as err:
        sys.exit(app.report(err))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
