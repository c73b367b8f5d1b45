"""The `drill` command line. Thin: each command parses options, calls one library function,
and turns library errors into a clean message and exit code. Heavy modules are imported
inside the commands so `drill due` and `drill --help` start fast."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from drill.model import Collection

app = typer.Typer(
    name="drill",
    help="Spaced-repetition quizzes and Anki decks from YAML cards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

PathsArg = Annotated[
    Optional[list[Path]],  # noqa: UP045 - typer needs Optional here on 3.11
    typer.Argument(
        help="Deck files or folders (searched for *.yaml). Default: the bundled decks.",
        show_default=False,
    ),
]
DeckOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--deck", help="Only this deck and its children (e.g. 'System Design')."),
]
KindOpt = Annotated[Optional[str], typer.Option("--kind", help="Only cards of this kind.")]  # noqa: UP045
TagOpt = Annotated[Optional[str], typer.Option("--tag", help="Only cards with this tag.")]  # noqa: UP045
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error the way every command does (`drill: ...` on stderr) and exit."""
    typer.echo(f"drill: {message}", err=True)
    return typer.Exit(code)


def _deck_paths(paths: list[Path] | None) -> list[Path]:
    from drill.paths import bundled_decks_dir

    return list(paths) if paths else [bundled_decks_dir()]


def _load_or_exit(paths: list[Path] | None) -> Collection:
    """Load decks; on any problem, print them all and exit 1 (nothing half-loaded is used)."""
    from drill.content import load

    collection = load(_deck_paths(paths))
    if collection.problems:
        for problem in sorted(collection.problems):
            typer.echo(str(problem), err=True)
        n = len(collection.problems)
        raise fail(
            f"{n} problem{'s' if n != 1 else ''} in the decks; fix them and run again "
            "(`drill check` lists them)"
        )
    return collection


@app.command()
def check(paths: PathsArg = None) -> None:
    """Validate deck files: every problem as path:line: message, exit 1 if any."""
    from drill.content import load

    collection = load(_deck_paths(paths))
    if collection.problems:
        for problem in sorted(collection.problems):
            typer.echo(str(problem))
        n, files = len(collection.problems), len({p.path for p in collection.problems})
        typer.echo(
            f"{n} problem{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}",
            err=True,
        )
        raise typer.Exit(1)
    if not collection.files:
        raise fail("no deck files found (looked for *.yaml and *.yml)")
    decks, notes, cards = len(collection.decks), len(collection.notes), len(collection.cards)
    typer.echo(f"{decks} deck{'s' if decks != 1 else ''}, {notes} notes, {cards} cards: ok")


@app.command("list")
def list_cards(
    paths: PathsArg = None,
    deck: DeckOpt = None,
    kind: KindOpt = None,
    tag: TagOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List cards: one line each (id, deck, kind, question), or every field with --json."""
    from drill.kinds import KINDS
    from drill.model import deck_matches

    if kind is not None and kind not in KINDS:
        raise fail(f"unknown kind '{kind}'; kinds: {', '.join(KINDS)}", code=2)
    collection = _load_or_exit(paths)
    cards = [
        c
        for c in collection.cards
        if (deck is None or deck_matches(c.deck, deck))
        and (kind is None or c.kind == kind)
        and (tag is None or tag in c.tags)
    ]
    if as_json:
        import json

        notes = {n.id: n for n in collection.notes}
        rows = [_card_json(c, notes[c.note_id].fields) for c in cards]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    if not cards:
        typer.echo("no cards match", err=True)
        return
    width = max(len(c.id) for c in cards)
    deck_width = max(len(c.deck) for c in cards)
    for c in cards:
        question = " ".join(c.front.split())
        if len(question) > 80:
            question = question[:79] + "…"
        typer.echo(f"{c.id:<{width}}  {c.deck:<{deck_width}}  {c.kind:<11}  {question}")


def _card_json(card, fields: dict) -> dict:
    answer = None
    if card.answer is not None:
        answer = {"value": card.answer.value, "unit": card.answer.unit, "text": card.answer_text}
    return {
        "id": card.id,
        "note_id": card.note_id,
        "deck": card.deck,
        "kind": card.kind,
        "front": card.front,
        "back": card.back,
        "answer": answer,
        "tolerance": card.tolerance,
        "note": card.extra,
        "tags": list(card.tags),
        "source": card.source,
        "suspended": card.suspended,
        "path": card.location.path,
        "line": card.location.line,
        "fields": {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()},
    }


@app.command()
def schema() -> None:
    """Print the JSON Schema of deck files (for editors with yaml-language-server)."""
    from drill.paths import schema_path

    sys.stdout.write(schema_path().read_text(encoding="utf-8"))


@app.command()
def build(
    paths: PathsArg = None,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the .apkg files (created if missing).")
    ] = Path("build"),
    deck: DeckOpt = None,
    tag: TagOpt = None,
    kind: KindOpt = None,
    db: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--db",
            help="drill's database, which knows when each card's text last changed "
            "(default: $DRILL_DB, else the per-user data folder).",
        ),
    ] = None,
    single: Annotated[
        bool, typer.Option("--single", help="Write one drill.apkg instead of one per deck.")
    ] = False,
) -> None:
    """Write Anki packages (.apkg), one per top-level deck; re-importing updates notes."""
    from drill import clock, export
    from drill.content import find_deck_files
    from drill.kinds import KINDS
    from drill.model import ContentError, deck_matches
    from drill.store import StoreError, default_db_path

    if kind is not None and kind not in KINDS:
        raise fail(f"unknown kind '{kind}'; kinds: {', '.join(KINDS)}", code=2)
    collection = _load_or_exit(paths)
    notes = [
        n
        for n in collection.notes
        if (deck is None or deck_matches(n.deck, deck))
        and (kind is None or n.kind == kind)
        and (tag is None or tag in n.tags)
    ]
    # Estimation problems (--problems N --seed N) will pass their generated notes as
    # `extra=` to export.build (a list of export.ExportNote).
    if not any(not n.suspended for n in notes):
        raise fail("no cards match" if not notes else "every matching card is suspended")
    try:
        now = clock.now()
        files, _ = find_deck_files(_deck_paths(paths))
        report = export.build(notes, files, db or default_db_path(), now, out, single=single)
    except (clock.ClockError, StoreError, ContentError) as err:
        raise fail(str(err)) from None
    except OSError as err:
        raise fail(f"cannot write {err.filename or out}: {err.strerror or err}") from None
    for w in report.written:
        decks = len(w.decks)
        typer.echo(
            f"wrote {w.path}: {decks} deck{'s' if decks != 1 else ''}, "
            f"{w.notes} notes, {w.cards} cards"
        )
    if report.left_out_notes:
        typer.echo(
            f"left out {report.left_out_notes} suspended note"
            f"{'s' if report.left_out_notes != 1 else ''} ({report.left_out_cards} cards)"
        )
    typer.echo(export.IMPORT_HINT)


def _version(value: bool) -> None:
    if value:
        from drill import __version__

        typer.echo(f"drill {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Spaced-repetition quizzes and Anki decks from YAML cards."""


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        sys.exit(130)
