"""The README stays true: every command has help text and is in the CLI reference."""

from __future__ import annotations

from pathlib import Path

import typer

from drill.ui.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def commands(group, prefix: str = "drill") -> list[tuple[str, object]]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):  # a group of subcommands
            found.extend(commands(command, path))
        else:
            found.append((path, command))
    return found


def test_every_command_is_documented_and_has_help():
    group = typer.main.get_command(app)
    listed = commands(group)
    assert {"drill card show", "drill config show", "drill quiz"} <= {p for p, _ in listed}
    for path, command in listed:
        assert command.help and command.help.strip(), f"{path} has no help text"
        assert f"`{path}" in README, f"{path} is missing from the README's CLI reference"


def test_readme_shows_the_two_commands():
    assert "make quiz" in README and "make test" in README


def test_help_shows_metavars_not_python_types(cli):
    """`--help` says what to type (`ID`, `N`, `FILE`), never typer's `<list[Path]>` or `{id}`."""
    import re

    group = typer.main.get_command(app)
    for path, _ in commands(group):
        words = path.split()[1:]
        text = cli(*words, "--help").stdout
        assert not re.search(r"<[a-z][\w\[\], ]*>|\{\w+\}", text), (path, text)
        assert (
            "--db <path>" not in text
            and "--decks" not in text
            or path
            not in (
                "drill init",
                "drill add",
            )
        ), path


def test_the_cli_reference_is_generated_from_the_commands():
    """The README's table and docs/cli.md are what `make docs` makes from the commands' help:
    change a command and forget `make docs`, and this fails."""
    from drill.ui import docs

    root = Path(__file__).resolve().parents[1]
    assert docs.readme_with_reference(README) == README, "run `make docs`"
    assert (root / "docs" / "cli.md").read_text(encoding="utf-8") == docs.full_reference(), (
        "run `make docs`"
    )
