"""The `drill` command line. Thin: each command parses options, calls one library function,
and turns library errors into a clean message and exit code. Heavy modules are imported
inside the commands so `drill due` and `drill --help` start fast."""

# No `from __future__ import annotations` here: typer reads every parameter's annotation, and
# string annotations cost ~25 ms of eval() at every start (`drill --help` included).
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from drill.model import Collection

app = typer.Typer(
    name="drill",
    help="Spaced-repetition quizzes and Anki decks from YAML cards.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

PathsArg = Annotated[
    Optional[list[Path]],  # noqa: UP045 - typer needs Optional here on 3.11
    typer.Argument(
        help="Deck files or folders (searched for *.yaml). Default: every deck folder in "
        "effect (the bundled decks and yours; see drill config show).",
        show_default=False,
        metavar="PATHS",
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


DbOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--db",
        help="The database file (default: $DRILL_DB, else the user data folder).",
        show_default=False,
        metavar="FILE",
    ),
]
DecksOpt = Annotated[
    Optional[list[Path]],  # noqa: UP045
    typer.Option(
        "--decks",
        help="Also read decks from this folder (repeatable).",
        show_default=False,
        metavar="DIR",
    ),
]


def _config(db: Path | None = None, decks: list[Path] | None = None):
    """The settings in effect (drill.services.settings): paths and options, with sources."""
    from drill import app as services

    return _run(services.config, db, decks)


def _run(function, *args, **kwargs):
    """Call a service; a UserError becomes the usual `drill: ...` message and exit code."""
    from drill.app import UserError

    try:
        return function(*args, **kwargs)
    except UserError as err:
        for problem in err.problems:
            typer.echo(str(problem), err=True)
        raise fail(err.message, err.code) from None


def _print_problems(problems) -> None:
    for problem in sorted(problems):
        typer.echo(str(problem), err=True)


def _deck_paths(paths: list[Path] | None, decks: list[Path] | None = None) -> list[Path]:
    """Deck files/folders named on the command line, else every deck folder in effect."""
    if paths:
        return list(paths)
    return _config(None, decks).deck_roots


def _open_store(db: Path | None, decks: list[Path] | None = None, *, sync: bool = True):
    """Open the database and bring it in line with the decks. Returns (store, options_for)."""
    from drill import app as services

    return _run(services.open_store, db, decks, sync=sync)


def _check_kind(kind: str | None, *extra: str) -> None:
    from drill.kinds import KINDS

    kinds = [*KINDS, *extra]
    if kind is not None and kind not in kinds:
        raise fail(f"unknown kind '{kind}'; kinds: {', '.join(kinds)}", code=2)


def _check_deck(store, deck: str | None) -> None:
    from drill import app as services

    _run(services.check_deck, store, deck)


def _load_or_exit(paths: list[Path] | None, decks: list[Path] | None = None) -> "Collection":
    """Load decks; on any problem, print them all and exit 1 (nothing half-loaded is used)."""
    from drill.content import load

    collection = load(_deck_paths(paths, decks))
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
def check(paths: PathsArg = None, decks: DecksOpt = None) -> None:
    """Validate deck files: every problem as path:line: message, exit 1 if any."""
    from drill.content import load

    collection = load(_deck_paths(paths, decks))
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
    decks: DecksOpt = None,
) -> None:
    """List cards: one line each (id, deck, kind, question), or every field with --json.
    Estimation problems are listed as the cards they are studied as (kind problem)."""
    from drill.content import template_card
    from drill.model import select

    _check_kind(kind, "problem")
    collection = _load_or_exit(paths, decks)
    problems = [template_card(t) for t in collection.templates]
    cards = select(collection.cards + problems, deck, kind, tag)
    if as_json:
        import json

        fields = {n.id: n.fields for n in collection.notes}
        fields.update(
            {t.id: {"title": t.title, "question": t.question} for t in collection.templates}
        )
        rows = [_card_json(c, fields[c.note_id]) for c in cards]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    if not cards:
        typer.echo("no cards match", err=True)
        return
    import shutil

    width = max(len(c.id) for c in cards)
    deck_width = max(len(c.deck) for c in cards)
    # The question gets what the terminal has left (at least 30 characters; 80 in a pipe).
    columns = shutil.get_terminal_size((width + deck_width + 17 + 80, 24)).columns
    room = max(30, columns - width - deck_width - 17)
    for c in cards:
        question = " ".join(c.front.split())
        if len(question) > room:
            question = question[: room - 1] + "…"
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
    decks: DecksOpt = None,
    problems: Annotated[
        int,
        typer.Option(
            "--problems",
            min=0,
            help="Also write N generated instances of each estimation problem, as type-in notes.",
        ),
    ] = 0,
    seed: Annotated[
        int,
        typer.Option("--seed", help="Seed of the first problem instance: seeds S..S+N-1."),
    ] = 0,
    with_progress: Annotated[
        bool,
        typer.Option(
            "--with-progress",
            help="Also write each card's schedule and review "
            'history, for Anki\'s "Import any learning progress".',
        ),
    ] = False,
) -> None:
    """Write Anki packages (.apkg), one per top-level deck; re-importing updates notes."""
    from drill import clock, export
    from drill.content import find_deck_files
    from drill.model import ContentError, deck_matches, select
    from drill.store import StoreError

    _check_kind(kind, "problem")
    if kind == "problem" and not problems:
        raise fail("--kind problem builds generated problems: add --problems N", code=2)
    collection = _load_or_exit(paths, decks)
    notes = select(collection.notes, deck, kind, tag)
    # Estimation problems: `--problems N` instances of each matching template, as extra notes.
    templates = [
        t
        for t in collection.templates
        if problems
        and not t.suspended
        and kind in (None, "problem")
        and (deck is None or deck_matches(t.deck, deck))
        and (tag is None or tag in t.tags)
    ]
    if not templates and not any(not n.suspended for n in notes):
        raise fail("no cards match" if not notes else "every matching card is suspended")
    from drill.problems import ProblemError

    try:
        now = clock.now()
        extra = export.problem_notes(templates, problems, seed, now)
        files, _ = find_deck_files(_deck_paths(paths, decks))
        # The database and study options every other command uses (config file included).
        settings = _config(db, decks)
        report = export.build(
            notes,
            files,
            settings.db,
            now,
            out,
            single=single,
            extra=extra,
            with_progress=with_progress,
            options=settings.options,
        )
    except (clock.ClockError, StoreError, ContentError, ProblemError) as err:
        raise fail(str(err)) from None
    except OSError as err:
        raise fail(f"cannot write {err.filename or out}: {err.strerror or err}") from None
    for w in report.written:
        decks = len(w.decks)
        typer.echo(
            f"wrote {w.path}: {decks} deck{'s' if decks != 1 else ''}, "
            f"{w.notes} notes, {w.cards} cards"
            + (
                f"; progress: {w.scheduled} cards scheduled, {w.reviews} reviews"
                if with_progress
                else ""
            )
        )
    if report.left_out_notes:
        typer.echo(
            f"left out {report.left_out_notes} suspended note"
            f"{'s' if report.left_out_notes != 1 else ''} ({report.left_out_cards} cards)"
        )
    typer.echo(export.IMPORT_HINT)
    if with_progress:
        typer.echo(export.PROGRESS_HINT)


@app.command()
def quiz(
    deck: DeckOpt = None,
    tag: TagOpt = None,
    kind: KindOpt = None,
    new: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--new",
            min=0,
            help="At most N new cards this session (overrides the daily limit).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--limit",
            min=0,
            help="At most N reviews this session (overrides the daily limit).",
            show_default=False,
        ),
    ] = None,
    cram: Annotated[
        bool,
        typer.Option(
            "--cram",
            help="Go through the selected cards whether due or not, "
            "without changing their schedule.",
        ),
    ] = False,
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """Study the cards that are due: learning, then reviews, then new cards."""
    from drill.clock import now
    from drill.quiz import Input, Quiz
    from drill.session import Filters, Session

    _check_kind(kind, "problem")  # estimation problems are studied as cards too
    store, options_for = _open_store(db, decks)
    with store:
        _check_deck(store, deck)
        session = Session(
            store,
            options_for,
            Filters(deck, tag, kind),
            new_limit=new,
            review_limit=limit,
            cram=cram,
        )
        with Input() as keys:
            Quiz(store, session, options_for, now, keys, _console(), cram=cram).run()


def _console():
    from rich.console import Console

    # rich honours NO_COLOR and writes no colour codes when stdout is not a terminal.
    return Console(highlight=False, soft_wrap=False, emoji=False)


@app.command()
def due(as_json: JsonOpt = False, db: DbOpt = None, decks: DecksOpt = None) -> None:
    """What is due now, per deck: new, learning and review counts."""
    _print_due(as_json, db, decks, hint=False)


def _print_due(as_json: bool, db: Path | None, decks: list[Path] | None, hint: bool) -> None:
    from drill import app as services

    typer.echo(_run(services.due_report, as_json, db, decks, hint))


@app.command()
def stats(
    deck: DeckOpt = None, as_json: JsonOpt = False, db: DbOpt = None, decks: DecksOpt = None
) -> None:
    """Reviews per day (a year's heatmap), streak, retention, forecast, cards, ease, leeches."""
    from drill import app as services

    typer.echo(_run(services.stats_report, as_json, deck, db, decks))


card_app = typer.Typer(help="Look at and manage single cards or selections.", no_args_is_help=True)
app.add_typer(card_app, name="card")

IdsArg = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Argument(help="Card or note ids (a note id means all its cards).", show_default=False),
]


def _select(store, ids: list[str] | None, deck: str | None, tag: str | None) -> list[str]:
    """Card ids named (note ids expand to their cards) or selected by --deck/--tag."""
    from drill.clock import now
    from drill.session import Filters

    if not ids and deck is None and tag is None:
        raise fail("name card ids, or select with --deck or --tag", code=2)
    rows = store.study_rows(now(), include_suspended=True)
    chosen: list[str] = []
    if ids:
        by_note: dict[str, list[str]] = {}
        known = set()
        for row in rows:
            by_note.setdefault(row["note_id"], []).append(row["id"])
            known.add(row["id"])
        for wanted in ids:
            # The YAML id (a note id) means all of the note's cards; `id/suffix` just one.
            if wanted in by_note:
                chosen.extend(c for c in by_note[wanted] if c not in chosen)
            elif wanted in known:
                chosen.append(wanted)
            else:
                raise fail(f"no card or note with id '{wanted}' (drill list shows the ids)", code=2)
    if deck is not None or tag is not None:
        filters = Filters(deck, tag)
        chosen.extend(r["id"] for r in rows if filters.match(r) and r["id"] not in chosen)
    if not chosen:
        raise fail("no cards match", code=1)
    return chosen


@card_app.command("show")
def card_show(
    card_id: Annotated[str, typer.Argument(help="A card id.")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """A card's content, scheduling state and full review history."""
    from drill.paths import display_path
    from drill.store import state_from_row

    store, _ = _open_store(db, decks)
    with store:
        row = store.card_row(card_id)
        if row is None:
            raise fail(f"no card with id '{card_id}' (drill list shows the ids)", code=2)
        history = [dict(r) for r in store.history(card_id)]
    state = state_from_row(row)
    info = {
        k: row[k] for k in ("id", "note_id", "deck", "kind", "front", "back", "answer", "source")
    }
    info["where"] = f"{display_path(Path(row['path']))}:{row['line']}"
    info["state"] = {
        "phase": state.phase,
        "step": state.step,
        "due": state.due.isoformat() if state.due else None,
        "interval_days": state.interval_days,
        "ease": state.ease,
        "reps": state.reps,
        "lapses": state.lapses,
        "suspended": bool(row["suspended"] or row["yaml_suspended"]),
        "buried_until": row["buried_until"],
        "leech": bool(row["leech"]),
        "orphaned": bool(row["orphaned"]),
        "scheduler": row["scheduler"] or "sm2",
        "stability": row["stability"],
        "difficulty": row["difficulty"],
    }
    for entry in history:
        entry.pop("state_before", None)
    info["history"] = history
    if as_json:
        import json

        typer.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{info['id']}  ({info['kind']}, {info['deck']})  {info['where']}")
    typer.echo(f"Q: {info['front']}")
    typer.echo(f"A: {info['back']}")
    st = info["state"]
    flags = [name for name in ("suspended", "leech", "orphaned") if st[name]]
    from drill.clock import now

    if st["buried_until"] and datetime_of(st["buried_until"]) > now():
        flags.append(f"buried until {_when(st['buried_until'])}")
    memory = (
        f", stability {st['stability']:.1f}d, difficulty {st['difficulty']:.1f}"
        if st["scheduler"] == "fsrs" and st["stability"] is not None
        else ""
    )
    due = _when(st["due"]) if st["due"] else "now"
    typer.echo(
        f"State: {st['phase']} ({st['scheduler']}), due {due}, "
        f"interval {st['interval_days']}d, ease {st['ease']:.2f}{memory}, "
        f"{_plural(st['reps'], 'review')}, {_plural(st['lapses'], 'lapse')}"
        + (f" [{', '.join(flags)}]" if flags else "")
    )
    if not history:
        typer.echo("No reviews yet.")
    for h in history:
        typed = f"  typed {h['typed_answer']!r} ({h['grade']})" if h["typed_answer"] else ""
        typer.echo(
            f"  {_when(h['reviewed_at'])}  {h['review_kind']:<7} rating {h['rating']}  "
            f"{h['interval_before']}d -> {h['interval_after']}d  "
            f"ease {h['ease_after']:.2f}  {h['answer_ms'] / 1000:.1f}s{typed}"
        )


def datetime_of(stored: str):
    from datetime import datetime

    return datetime.fromisoformat(stored)


def _when(stored: str) -> str:
    """A stored UTC time as local time, to the minute."""
    return f"{datetime_of(stored).astimezone():%Y-%m-%d %H:%M}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _flag_command(flag: str, value: int, verb: str):
    def command(
        ids: IdsArg = None,
        deck: DeckOpt = None,
        tag: TagOpt = None,
        db: DbOpt = None,
        decks: DecksOpt = None,
    ) -> None:
        store, _ = _open_store(db, decks)
        with store:
            chosen = _select(store, ids, deck, tag)
            store.set_flags(chosen, **{flag: value})
        typer.echo(f"{verb} {len(chosen)} card{'s' if len(chosen) != 1 else ''}.")

    command.__doc__ = f"{verb} cards: by id, or every card of --deck / --tag."
    return command


card_app.command("suspend")(_flag_command("suspended", 1, "Suspended"))
card_app.command("unsuspend")(_flag_command("suspended", 0, "Unsuspended"))


@card_app.command("reset")
def card_reset(
    ids: IdsArg = None,
    deck: DeckOpt = None,
    tag: TagOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """Forget cards' scheduling: they become new again. Their review history is kept."""
    store, _ = _open_store(db, decks)
    with store:
        chosen = _select(store, ids, deck, tag)
        if not yes:
            sys.stderr.write(
                f"Reset {len(chosen)} card{'s' if len(chosen) != 1 else ''} "
                "to new (history is kept)? [y/N] "
            )
            sys.stderr.flush()
            reply = sys.stdin.readline().strip().lower()
            if reply not in ("y", "yes"):
                raise fail("nothing reset")
        store.reset(chosen)
    typer.echo(f"Reset {len(chosen)} card{'s' if len(chosen) != 1 else ''}.")


@app.command()
def rename(
    old: Annotated[str, typer.Argument(help="The id the card or note had.")],
    new: Annotated[str, typer.Argument(help="Its new id (already in the YAML).")],
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """Move review history to a renamed id: change the id in the YAML, then run this."""
    from drill.store import StoreError

    store, _ = _open_store(db, decks)
    with store:
        try:
            pairs = store.rename(old, new)
        except KeyError:
            raise fail(f"no card or note with id '{old}' in the database", code=2) from None
        except StoreError as err:
            raise fail(str(err)) from None
    for a, b in pairs:
        typer.echo(f"{a} -> {b}")


config_app = typer.Typer(
    help="The settings in effect and where each comes from.", no_args_is_help=True
)
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show(
    deck: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--deck", help="Show the study options of this deck."),
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """Print the config file, database, deck folders and study options in effect, and where
    each value came from."""
    from drill.options import DeckOptions

    config = _config(db, decks)
    db_path, db_from = config.database.value, config.database.source
    folders = [{"path": str(f.value), "from": f.source} for f in config.deck_folders]
    deck_values: dict = {}
    if deck is not None:
        store, _ = _open_store(db, decks)
        with store:
            _check_deck(store, deck)
            deck_values = store.deck_options().get(deck, {})
    effective = DeckOptions().with_values(config.options).with_values(deck_values).describe()
    options = {
        name: {
            "value": value,
            "from": "deck file"
            if name in deck_values
            else "config file"
            if name in config.options
            else "default",
        }
        for name, value in effective.items()
    }
    payload = {
        "config_file": {"path": str(config.config_file), "exists": config.config_exists},
        "database": {"path": str(db_path), "from": db_from},
        "bundled_decks": config.bundled,
        "deck_folders": folders,
        "deck": deck,
        "options": options,
    }
    if as_json:
        import json

        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    state = "" if config.config_exists else " (not created yet)"
    typer.echo(f"config file   {config.config_file}{state}")
    typer.echo(f"database      {db_path}  ({db_from})")
    for folder in folders:
        typer.echo(f"deck folder   {folder['path']}  ({folder['from']})")
    if not folders:
        typer.echo("deck folder   none (bundled decks are switched off)")
    typer.echo("")
    typer.echo(f"Study options{' for ' + deck if deck else ' (every deck; --deck NAME for one)'}:")
    for name, option in options.items():
        typer.echo(f"  {name:<20} {option['value']!s:<10} ({option['from']})")


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="The folder for your decks (made if missing).")],
    deck: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--deck", help="The starter deck's name (default: the folder's name)."),
    ] = None,
    decks: DecksOpt = None,
) -> None:
    """Start your own decks: a folder with a starter deck of every kind, added to the config."""
    import shlex

    from drill import authoring
    from drill.config import add_deck_folder, config_path
    from drill.model import ContentError

    name = deck or authoring.default_deck_name(folder)
    roots = _config(None, decks).deck_roots + ([folder] if folder.is_dir() else [])
    try:
        made = authoring.init_deck(folder, name, authoring.loaded_ids(roots))
    except authoring.AuthoringError as err:
        _print_problems(err.problems)
        raise fail(err.message) from None
    except OSError as err:
        raise fail(f"cannot write {err.filename or folder}: {err.strerror or err}") from None
    typer.echo(f"Wrote {made.deck_file}: deck '{made.deck}', {made.cards} cards, one per kind.")
    try:
        added = add_deck_folder(folder)
    except (ContentError, OSError) as err:
        _print_problems(getattr(err, "problems", []))
        raise fail(
            f"could not add {folder} to {config_path()}: add it to `decks:` by hand, "
            "or pass --decks"
        ) from None
    where = config_path()
    typer.echo(
        f"Added {folder.resolve()} to `decks:` in {where}."
        if added
        else f"{folder.resolve()} is already in `decks:` in {where}."
    )
    typer.echo("Next:")
    typer.echo(f"  drill check {shlex.quote(str(folder))}")
    typer.echo(f"  drill quiz --deck {shlex.quote(made.deck)}")
    typer.echo(f"  drill build {shlex.quote(str(folder))}")


def _text_opt(option: str, help: str):
    return Annotated[Optional[str], typer.Option(option, help=help, show_default=False)]  # noqa: UP045


def _list_opt(option: str, help: str):
    return Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(option, help=help + " (repeatable)", show_default=False),
    ]


@app.command()
def add(
    file: Annotated[Path, typer.Argument(help="The deck file to append the card to.")],
    kind: _text_opt("--kind", "The card kind (default: basic).") = None,
    front: _text_opt("--front", "basic, reverse, number: the question.") = None,
    back: _text_opt("--back", "basic, reverse: the answer.") = None,
    text: _text_opt("--text", "cloze: text with {{c1::...}} deletions.") = None,
    answer: _text_opt("--answer", "number: the answer, a quantity (86,400 s).") = None,
    tolerance: _text_opt("--tolerance", "number: how far off is still right (25%).") = None,
    formula: _text_opt("--formula", "number: how the answer is computed.") = None,
    dimension: _text_opt("--dimension", "requirement: what it is about.") = None,
    question: _text_opt("--question", "requirement: the question to ask.") = None,
    why: _text_opt("--why", "requirement, pitfall: why it matters.") = None,
    decision: _text_opt("--decision", "tradeoff: the decision.") = None,
    pro: _list_opt("--pro", "tradeoff: what it gains") = None,
    con: _list_opt("--con", "tradeoff: what it costs") = None,
    accepted_because: _text_opt("--accepted-because", "tradeoff: why the cost is fine.") = None,
    pitfall: _text_opt("--pitfall", "pitfall: the mistake.") = None,
    fix: _text_opt("--fix", "pitfall: how to avoid it.") = None,
    prompt: _text_opt("--prompt", "prompt: the design prompt.") = None,
    challenge: _list_opt("--challenge", "prompt: a key challenge") = None,
    deep_dive: _list_opt("--deep-dive", "prompt: a deep-dive topic") = None,
    building_block: _list_opt("--building-block", "prompt: a building block") = None,
    note: _text_opt("--note", "Extra text shown under the answer.") = None,
    tag: _list_opt("--tag", "A tag for the card") = None,
    source: _text_opt("--source", "Where the fact comes from.") = None,
    card_id: _text_opt("--id", "The card's id (default: made from its text).") = None,
    decks: DecksOpt = None,
) -> None:
    """Append a card to a deck file, keeping its comments and formatting; asks on stdin for
    required fields that are missing."""
    from drill import authoring
    from drill.names import id_problem

    given = {
        k: v
        for k, v in {
            "front": front,
            "back": back,
            "text": text,
            "answer": answer,
            "tolerance": tolerance,
            "formula": formula,
            "dimension": dimension,
            "question": question,
            "why": why,
            "decision": decision,
            "pros": pro,
            "cons": con,
            "accepted_because": accepted_because,
            "pitfall": pitfall,
            "fix": fix,
            "prompt": prompt,
            "challenges": challenge,
            "deep_dives": deep_dive,
            "building_blocks": building_block,
        }.items()
        if v
    }

    def write(message: str) -> None:
        sys.stderr.write(message)
        sys.stderr.flush()

    try:
        if kind is None and not given:
            kind = authoring.ask_kind(sys.stdin.readline, write)
        kind = authoring.check_options(kind, given)
        if card_id is not None and (message := id_problem(card_id)) is not None:
            raise authoring.AuthoringError(f"--id: {message}")
        fields = authoring.ask_missing(kind, given, sys.stdin.readline, write)
        roots = _config(None, decks).deck_roots
        taken = authoring.loaded_ids([*roots, file])
        if card_id is not None and card_id in taken:
            raise authoring.AuthoringError(f"id '{card_id}' is already used at {taken[card_id]}")
        card = authoring.build_card(
            kind, fields, card_id=card_id, taken=taken, tags=tag or (), source=source, note=note
        )
        twin = authoring.duplicate_of([*roots, file], kind, fields)
        added = authoring.add_card(file, card, taken)
    except authoring.AuthoringError as err:
        _print_problems(err.problems)
        raise fail(err.message, 1 if err.problems else 2) from None
    except OSError as err:
        raise fail(f"cannot write {err.filename or file}: {err.strerror or err}") from None
    typer.echo(f"Added {kind} card '{added.id}' at {added.path}:{added.line}.")
    if twin is not None:
        typer.echo(
            f"note: '{twin.id}' at {twin.location} has the same text; both are kept "
            f"(remove one if that was a mistake)",
            err=True,
        )


problem_app = typer.Typer(
    help="Estimation problems: fresh numbers every time, answers graded by ratio.",
    no_args_is_help=True,
)
app.add_typer(problem_app, name="problem")

ProblemIdArg = Annotated[str, typer.Argument(help="A problem id (drill problem list shows them).")]
SeedOpt = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--seed",
        help="Draw the numbers with this seed (default: the problem's default numbers).",
        show_default=False,
    ),
]
ParamOpt = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--param",
        help="Set a number: name=value, e.g. --param years=3 (repeatable).",
        show_default=False,
    ),
]


def _pairs(items: list[str] | None, option: str) -> dict[str, str]:
    """`name=value` options as a mapping; exit 2 on anything else."""
    pairs: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise fail(f"{option} takes name=value, got '{item}'", code=2)
        pairs[name.strip()] = value.strip()
    return pairs


def _problem(problem_id: str, seed: int | None, params: list[str] | None, decks: list[Path] | None):
    """The problem instance asked for; exit 2 for an unknown id or param, or a bad value."""
    from drill.problems import ProblemError, find_template

    templates = _load_or_exit(_deck_paths(None, decks)).templates
    try:
        return find_template(templates, problem_id).instance(seed, _pairs(params, "--param"))
    except ProblemError as err:
        raise fail(str(err), code=2) from None


@problem_app.command("list")
def problem_list(
    paths: PathsArg = None, deck: DeckOpt = None, as_json: JsonOpt = False, decks: DecksOpt = None
) -> None:
    """List the problem templates: id, deck, title and what is asked."""
    from drill.model import deck_matches

    templates = [
        t
        for t in _load_or_exit(paths, decks).templates
        if deck is None or deck_matches(t.deck, deck)
    ]
    if as_json:
        import json

        typer.echo(json.dumps([t.to_json() for t in templates], ensure_ascii=False, indent=2))
        return
    if not templates:
        typer.echo("no problems match", err=True)
        return
    width = max(len(t.id) for t in templates)
    deck_width = max(len(t.deck) for t in templates)
    for t in templates:
        flag = " (suspended)" if t.suspended else ""
        typer.echo(
            f"{t.id:<{width}}  {t.deck:<{deck_width}}  {t.title}{flag}  [{', '.join(t.answers)}]"
        )


@problem_app.command("show")
def problem_show(
    problem_id: ProblemIdArg,
    seed: SeedOpt = None,
    param: ParamOpt = None,
    answers: Annotated[
        bool, typer.Option("--answers", help="Also show the answers and the worked solution.")
    ] = False,
    as_json: JsonOpt = False,
    decks: DecksOpt = None,
) -> None:
    """Show a problem: the question, and with --answers the answers and worked solution."""
    import textwrap

    instance = _problem(problem_id, seed, param, decks)
    if as_json:
        import json

        typer.echo(json.dumps(instance.to_json(), ensure_ascii=False, indent=2))
        return
    shown_seed = "default numbers" if instance.seed is None else f"seed {instance.seed}"
    typer.echo(f"{instance.title}  [{instance.id}, {shown_seed}]")
    typer.echo(textwrap.fill(instance.question, 88))
    typer.echo("")
    width = max(len(name) for name in instance.answers)
    for name, answer in instance.answers.items():
        shown = f"  = {answer.text}" if answers else ""
        typer.echo(f"  {name:<{width}}  {answer.prompt}{shown}")
    if answers:
        if instance.hints:
            typer.echo("\nHints:")
            for hint in instance.hints:
                typer.echo(f"  - {hint}")
        typer.echo("\nWorked solution:")
        for line in instance.solution:
            typer.echo(f"  {line}")


@problem_app.command("check")
def problem_check(
    problem_id: ProblemIdArg,
    seed: SeedOpt = None,
    param: ParamOpt = None,
    answer: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--answer",
            help="Your answer: name=VALUE, e.g. --answer writes='40 /s' (repeatable).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
    decks: DecksOpt = None,
) -> None:
    """Grade answers to a problem; exit 0 when all are right, 1 otherwise."""
    from drill import grading
    from drill.problems import RATING_NAMES, ProblemError, suggested_rating

    instance = _problem(problem_id, seed, param, decks)
    typed = _pairs(answer, "--answer")
    if not typed:
        raise fail(
            f"give answers as --answer name=VALUE (answers: {', '.join(instance.answers)})", code=2
        )
    try:
        grades = instance.grade(typed)
    except ProblemError as err:
        raise fail(str(err), code=2) from None
    overall = grading.worst(list(grades.values()))
    rating = RATING_NAMES[suggested_rating(grades)]
    if as_json:
        import json

        rows = {}
        for name, g in grades.items():
            given = (
                None
                if g.given is None
                else {"value": g.given.value, "unit": g.given.unit, "text": g.given.format()}
            )
            rows[name] = {
                "verdict": g.verdict,
                "typed": g.typed,
                "given": given,
                "expected": instance.answers[name].to_json(),
                "message": g.message,
            }
        payload = {
            "id": instance.id,
            "seed": instance.seed,
            "answers": rows,
            "verdict": overall,
            "rating": rating,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        width = max(len(name) for name in grades)
        for name, g in grades.items():
            typer.echo(f"{name:<{width}}  {g.message}  (answer: {instance.answers[name].text})")
        typer.echo(f"overall: {overall} (suggested rating: {rating})")
    if overall != grading.RIGHT:
        raise typer.Exit(1)


@problem_app.command("practice")
def problem_practice(
    deck: DeckOpt = None,
    count: Annotated[int, typer.Option("--count", min=1, help="How many problems.")] = 3,
    seed: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--seed",
            help="Seed for the choice of problems and their numbers (default: random).",
            show_default=False,
        ),
    ] = None,
    decks: DecksOpt = None,
) -> None:
    """Practise problems: each answer asked in turn and graded, then the worked solution.
    No scheduling, nothing saved. Reads one answer per line, so it works through a pipe."""
    from drill.model import deck_matches
    from drill.problems import practice

    templates = [
        t
        for t in _load_or_exit(_deck_paths(None, decks)).templates
        if not t.suspended and (deck is None or deck_matches(t.deck, deck))
    ]
    if not templates:
        raise fail("no problems match", code=1)
    stdin = sys.stdin
    practice(templates, count, seed, stdin.readline, typer.echo, echo_input=not stdin.isatty())


@app.command("import")
def import_(
    source: Annotated[
        Path,
        typer.Argument(
            help="A .csv or .tsv file, an Anki 'Notes in Plain Text' export, or an Anki .apkg."
        ),
    ],
    deck: Annotated[str, typer.Option("--deck", help="The deck the cards go into.")],
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--out",
            help="The deck file to write, or to update if an earlier import "
            "wrote it (default: ./<deck>.yaml).",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--kind",
            help="The kind of every card (default: a `kind` column, the "
            "Anki note type, else basic).",
            show_default=False,
        ),
    ] = None,
    columns: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--columns",
            help="The columns' field names, comma-separated, e.g. "
            "front,back,tags (- skips a column).",
            show_default=False,
        ),
    ] = None,
    no_header: Annotated[
        bool,
        typer.Option("--no-header", help="With --columns: the first row is a card, not a header."),
    ] = False,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad",
            help="Leave out the rows that cannot be read (each "
            "is reported) instead of writing nothing.",
        ),
    ] = False,
    decks: DecksOpt = None,
) -> None:
    """Turn CSV/TSV, an Anki text export or an .apkg into a YAML deck file; importing again
    updates its cards by id."""
    import shlex

    from drill import authoring, importer
    from drill.config import config_path
    from drill.paths import display_path

    target = importer.out_path(deck, out)
    roots = _config(None, decks).deck_roots
    try:
        report = importer.import_source(
            source,
            deck,
            target,
            kind=kind,
            columns=importer.columns_option(columns),
            header=not no_header,
            skip_bad=skip_bad,
            taken=authoring.loaded_ids(roots, exclude=target),
        )
    except importer.ImportFailure as err:
        _print_problems(err.problems)
        raise fail(err.message) from None
    except OSError as err:
        raise fail(f"cannot write {err.filename or target}: {err.strerror or err}") from None
    for problem in report.skipped:
        typer.echo(f"{problem} (left out)", err=True)
    shown = display_path(target)
    counts = f"{report.added} new, {report.updated} updated, {report.unchanged} unchanged"
    if report.kept:
        counts += f", {report.kept} kept that the source no longer has"
    typer.echo(f"Wrote {shown}: {report.cards} cards ({counts}) from {report.format}.")
    if report.skipped:
        typer.echo(f"Left out {len(report.skipped)} rows that could not be read (see above).")
    typer.echo(f"Next: drill check {shlex.quote(shown)}")
    folder = target.resolve().parent
    if not any(folder == r.resolve() or r.resolve() in folder.parents for r in roots):
        typer.echo(
            f"{folder} is not a deck folder yet: add it to `decks:` in {config_path()}, "
            "or pass --decks."
        )


@app.command()
def optimize(
    deck: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--deck", help="Fit to this deck's reviews (and its children's) only."),
    ] = None,
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """Fit FSRS parameters to your own review log and print them for `fsrs_parameters:`."""
    from drill import fsrs_scheduler
    from drill.model import deck_matches

    store, _ = _open_store(db, decks)
    with store:
        names = [d for d in store.decks() if deck is None or deck_matches(d, deck)]
        if deck is not None and not names:
            raise fail(f"no deck '{deck}' (drill due lists the decks)", code=2)
        reviews = store.review_rows(decks=names if deck is not None else None)
    try:
        parameters, count = fsrs_scheduler.optimize(reviews)
    except fsrs_scheduler.OptimizeError as err:
        raise fail(str(err)) from None
    where = (
        f"the `options:` of the deck file of '{deck}'"
        if deck is not None
        else "the config file's `options:` (every deck) or a deck file's (one deck)"
    )
    typer.echo(f"Fitted FSRS parameters to {count} reviews{f' of {deck}' if deck else ''}.")
    typer.echo(f"To use them, put these lines in {where}:")
    typer.echo("")
    typer.echo("options:")
    typer.echo("  scheduler: fsrs")
    typer.echo(f"  fsrs_parameters: [{', '.join(f'{p:g}' for p in parameters)}]")


def _version(value: bool) -> None:
    if value:
        from drill import __version__

        typer.echo(f"drill {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Spaced-repetition quizzes and Anki decks from YAML cards.

    Run without a command to see what is due. Start with: drill quiz"""
    if ctx.invoked_subcommand is None:
        _print_due(False, None, None, hint=True)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        sys.exit(130)
