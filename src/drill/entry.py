"""The `drill` executable. `drill` and `drill due` are what people put in shell prompts and
login scripts, and `drill stats` is read as often, so these are answered here without loading
the CLI framework (typer builds its commands through pydantic, which alone costs more than
the whole answer); everything else, including `--help` and any mistake, goes to the typer
app in drill.ui.cli. Both paths call the same services and renderers."""

from __future__ import annotations

import sys
from pathlib import Path


def _fast(args: list[str]) -> tuple[str, dict] | None:
    """(command, arguments) for `drill`, `drill due [--json] [--all] [--db P] [--decks D]...` and
    `drill stats [--deck NAME] [--json] [--db P] [--decks D]...`, or None for anything else."""
    if not args:
        return "due", {"as_json": False, "db": None, "decks": [], "deck": None, "hint": True}
    # (every: `drill due --all`, every deck's row, not only those with something due)
    if args[0] not in ("due", "stats"):
        return None
    command = args[0]
    options: dict = {"as_json": False, "db": None, "decks": [], "deck": None, "hint": False}
    rest = args[1:]
    while rest:
        arg = rest.pop(0)
        if arg == "--json":
            options["as_json"] = True
            continue
        if arg == "--all" and command == "due":
            options["every"] = True
            continue
        name, _, value = arg.partition("=")
        if name not in ("--db", "--decks", "--deck") or (name == "--deck" and command == "due"):
            return None
        if not value:
            if not rest:
                return None
            value = rest.pop(0)
        if name == "--db":
            options["db"] = Path(value)
        elif name == "--deck":
            options["deck"] = value
        else:
            options["decks"].append(Path(value))
    return command, options


def answer(
    command: str,
    as_json: bool,
    db: Path | None,
    decks: list[Path],
    deck: str | None,
    hint: bool,
    every: bool = False,
) -> str:
    from drill.clock import ClockError, now
    from drill.services.errors import DrillError
    from drill.services.settings import resolve
    from drill.services.workspace import open_workspace
    from drill.ui import render

    try:
        moment = now()
    except ClockError as err:
        raise DrillError(str(err)) from None
    with open_workspace(resolve(db, decks), moment) as ws:
        for problem in ws.warnings:
            sys.stderr.write(f"{problem} (file skipped; drill check lists its problems)\n")
        if command == "due":
            from drill.services.due import due

            result = due(ws)
            return render.as_json(result.to_json()) if as_json else render.due(result, hint, every)
        from drill.services.stats import stats

        report = stats(ws, deck)
        return render.as_json(report.to_json()) if as_json else render.stats(report)


def main() -> None:
    fast = _fast(sys.argv[1:])
    if fast is None:
        from drill.ui.cli import main as cli_main

        cli_main()
        return
    from drill.services.errors import DrillError

    command, options = fast
    try:
        sys.stdout.write(answer(command, **options) + "\n")
    except DrillError as err:
        for problem in err.problems:
            sys.stderr.write(f"{problem}\n")
        sys.stderr.write(f"drill: {err.message}\n")
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
