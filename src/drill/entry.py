"""The `drill` executable. `drill` and `drill due` are what people put in shell prompts and
login scripts, so they are answered here without loading the CLI framework (typer builds its
commands through pydantic, which alone costs more than the whole answer); everything else,
including `--help` and any mistake, goes to the typer app in drill.cli."""

from __future__ import annotations

import sys
from pathlib import Path


def _fast_due(args: list[str]) -> tuple[bool, Path | None, list[Path], bool] | None:
    """(as_json, db, decks, hint) for `drill` or `drill due [--json] [--db P] [--decks D]...`,
    or None when the arguments are anything else."""
    if not args:
        return False, None, [], True
    if args[0] != "due":
        return None
    as_json, db, decks = False, None, []
    rest = args[1:]
    while rest:
        arg = rest.pop(0)
        if arg == "--json":
            as_json = True
            continue
        name, _, value = arg.partition("=")
        if name not in ("--db", "--decks"):
            return None
        if not value:
            if not rest:
                return None
            value = rest.pop(0)
        if name == "--db":
            db = Path(value)
        else:
            decks.append(Path(value))
    return as_json, db, decks, False


def main() -> None:
    fast = _fast_due(sys.argv[1:])
    if fast is None:
        from drill.cli import main as cli_main

        cli_main()
        return
    from drill import app

    try:
        sys.stdout.write(app.due_report(*fast) + "\n")
    except app.UserError as err:
        sys.exit(app.report(err))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
