"""The `drill` command line. Thin: each command parses options, calls one library function,
and turns library errors into a clean message and exit code. Heavy modules are imported
inside the commands so `drill due` and `drill --help` start fast."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="drill",
    help="Spaced-repetition quizzes and Anki decks from YAML cards.",
    no_args_is_help=True,
    add_completion=False,
)


def main() -> None:
    app()
