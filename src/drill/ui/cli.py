"""The `drill` command line. Each command parses its options, calls one service
(drill.services) and renders what comes back (drill.ui.render). Errors are DrillErrors,
reported in exactly one place (DrillGroup): `path:line: message` lines, then `drill: message`
on stderr, and the error's exit code (1 failed, 2 called wrongly). Heavy modules are imported
inside the commands so `drill --help` starts fast."""

# No `from __future__ import annotations` here: typer reads every parameter's annotation, and
# string annotations cost ~25 ms of eval() at every start (`drill --help` included).
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperArgument, TyperGroup

from drill.services.errors import DrillError


class DrillGroup(TyperGroup):
    """The one place a DrillError becomes output and an exit code; and arguments shown in
    help as their metavar (`ID`, `[PATHS...]`), not as typer shows them (`{id} <str>`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for command in [self, *self.commands.values()]:
            for param in command.params:
                if isinstance(param, TyperArgument) and param.metavar:
                    _plain_argument(param)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except DrillError as err:
            report(err)
            raise typer.Exit(err.exit_code) from None


def _plain_argument(param: Any) -> None:
    metavar = param.metavar
    shown = metavar if param.required else f"[{metavar}]"
    param.display_type_rich = lambda ctx=None: None
    param._usage_display_name = lambda: shown
    param._rich_display_name = lambda: metavar


def report(err: DrillError) -> None:
    for problem in err.problems:
        typer.echo(str(problem), err=True)
    typer.echo(f"drill: {err.message}", err=True)


def _group(help: str) -> typer.Typer:
    return typer.Typer(
        help=help,
        cls=DrillGroup,
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )


app = typer.Typer(
    name="drill",
    help="Spaced-repetition quizzes and Anki decks from YAML cards. Run without a command to "
    "see what is due; start with: drill quiz",
    cls=DrillGroup,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# --------------------------------------------------------------------------- shared options

PathsArg = Annotated[
    Optional[list[Path]],  # noqa: UP045 - typer needs Optional here on 3.11
    typer.Argument(
        help="Deck files or folders (searched for *.yaml). Default: every deck folder in "
        "effect (the bundled decks and yours; see drill config show).",
        show_default=False,
        metavar="PATHS...",
    ),
]
DeckOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--deck", help="Only this deck and its children (e.g. 'System Design').", metavar="NAME"
    ),
]
KindOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--kind", help="Only cards of this kind.", metavar="KIND"),
]
TagOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--tag", help="Only cards with this tag.", metavar="TAG"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
DbOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--db",
        help="The database file (default: $DRILL_DB, else `db:` in the config file, else the "
        "user data folder).",
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
IdsArg = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Argument(
        help="Card or note ids (a note id means all its cards).",
        show_default=False,
        metavar="IDS...",
    ),
]


def echo(text: str = "") -> None:
    typer.echo(text)


def warn(text: str) -> None:
    typer.echo(text, err=True)


def _settings(db: Path | None = None, decks: list[Path] | None = None):
    from drill.services.settings import resolve

    return resolve(db, decks or ())


def _now():
    from drill.clock import ClockError, now

    try:
        return now()
    except ClockError as err:
        raise DrillError(str(err)) from None


def _workspace(db: Path | None, decks: list[Path] | None):
    """The workspace, synced; a deck file skipped is one warning line each (`path:line`)."""
    from drill.services.workspace import open_workspace

    ws = open_workspace(_settings(db, decks), _now())
    for problem in ws.warnings:
        warn(f"{problem} (file skipped; drill check lists its problems)")
    for old, new in ws.renamed:
        warn(f"moved the history of {old} to {new} (renamed: in its deck file)")
    return ws


def _collection(paths: list[Path] | None, decks: list[Path] | None):
    """The decks (under `paths`, or every folder in effect), without files that have
    problems: each is one warning, and the rest is used."""
    from drill.content import load

    collection = load(list(paths or []) or _settings(None, decks).deck_roots)
    for problem in sorted(collection.problems):
        warn(f"{problem} (file skipped)")
    return collection.without_broken()


# --------------------------------------------------------------------------- check, list


@app.command()
def check(
    paths: PathsArg = None,
    lint: Annotated[
        bool,
        typer.Option(
            "--lint",
            help="Also run the content lints (list-too-long, answer-in-question, "
            "near-duplicate, number-no-source, cloze-answer-visible, bare-question): each "
            "warning is `path:line: warning: message [rule]`. Warnings never fail the check.",
        ),
    ] = False,
    decks: DecksOpt = None,
) -> None:
    """Validate deck files or folders (default: every deck folder in effect). Prints `N
    decks, N notes, N cards: ok`, or every problem as `path:line: message` and exits 1.
    Warnings (a measured number with no as_of; with --lint, every content lint) are printed
    as `path:line: warning: message [rule]` and leave the exit code alone."""
    from drill.names import plural
    from drill.services.check import check as run

    result = run(_settings(None, decks), paths or (), lint=lint)
    for old, new in result.rename_hints:
        warn(
            f"hint: '{old}' left the decks with its history and '{new}' has the same text: "
            f"if the id changed, run  drill rename {old} {new}"
        )
    for problem in [*result.problems, *result.warnings]:
        echo(str(problem))
    warnings = f" ({plural(len(result.warnings), 'warning')})" if result.warnings else ""
    if result.problems:
        files = result.files_with_problems
        warn(f"{plural(len(result.problems), 'problem')} in {plural(files, 'file')}{warnings}")
        raise typer.Exit(1)
    c = result.collection
    if not c.files:
        raise DrillError("no deck files found (looked for *.yaml and *.yml)")
    echo(
        f"{plural(len(c.decks), 'deck')}, {plural(len(c.notes), 'note')}, "
        f"{plural(len(c.cards), 'card')}: ok{warnings}"
    )


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
    Estimation problems are listed as the cards the quiz schedules (kind problem). --deck
    matches the deck and its children."""
    from drill.services import listing
    from drill.ui import render

    found = listing.cards(_collection(paths, decks), deck, kind, tag)
    if as_json:
        echo(render.as_json([item.to_json() for item in found]))
    elif not found:
        warn("no cards match")
    else:
        echo(render.card_lines([item.card for item in found]))


@app.command()
def schema() -> None:
    """Print the JSON Schema of deck files (for editors with yaml-language-server)."""
    from drill.paths import schema_path

    sys.stdout.write(schema_path().read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- build


@app.command()
def build(
    paths: PathsArg = None,
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder for the .apkg files (made if missing).", metavar="DIR"),
    ] = Path("build"),
    deck: DeckOpt = None,
    tag: TagOpt = None,
    kind: KindOpt = None,
    db: DbOpt = None,
    single: Annotated[
        bool, typer.Option("--single", help="Write one drill.apkg instead of one per deck.")
    ] = False,
    decks: DecksOpt = None,
    problems: Annotated[
        int,
        typer.Option(
            "--problems",
            min=0,
            metavar="N",
            help="Also write N generated instances of each estimation problem, as type-in notes.",
        ),
    ] = 0,
    seed: Annotated[
        int,
        typer.Option(
            "--seed", metavar="S", help="Seed of the first problem instance: seeds S..S+N-1."
        ),
    ] = 0,
    with_progress: Annotated[
        bool,
        typer.Option(
            "--with-progress",
            help="Also write each card's schedule and review history, for Anki's "
            '"Import any learning progress".',
        ),
    ] = False,
) -> None:
    """Write Anki packages: one .apkg per top-level deck (or one drill.apkg with --single).
    Import them with File > Import in Anki; importing a newer build updates the notes in
    place and keeps their review history. --problems N: also N instances of each estimation
    problem (seeds S..S+N-1) as type-in notes. --with-progress: also each card's schedule
    and review history, for Anki's "Import any learning progress"."""
    from drill.anki.package import IMPORT_HINT, PROGRESS_HINT
    from drill.services.build import BuildRequest, summary
    from drill.services.build import build as run

    request = BuildRequest(paths or (), out, deck, tag, kind, single, problems, seed, with_progress)
    result = run(_settings(db, decks), _now(), request)
    for line in summary(result):
        echo(line)
    echo(IMPORT_HINT)
    if with_progress:
        echo(PROGRESS_HINT)


# --------------------------------------------------------------------------- study

AssumeOpt = Annotated[
    bool,
    typer.Option(
        "--assume",
        help="Estimation problems: hide the inputs; you propose each one, graded against a "
        "realistic range (within 10x is fine), and the problem is worked out from yours.",
    ),
]
TimedOpt = Annotated[
    bool,
    typer.Option(
        "--timed",
        help="Estimation problems: a countdown of the problem's time budget (3 minutes unless "
        "it says otherwise); over it, the suggested rating is at most Hard.",
    ),
]


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
            metavar="N",
            help="At most N new cards this session (instead of the daily limit).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--limit",
            min=0,
            metavar="N",
            help="At most N reviews this session (instead of the daily limit).",
            show_default=False,
        ),
    ] = None,
    cram: Annotated[
        bool,
        typer.Option(
            "--cram",
            help="Go through the selected cards whether due or not, without changing their "
            "schedule.",
        ),
    ] = False,
    assume: AssumeOpt = False,
    timed: TimedOpt = False,
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """Study: learning cards that are due, then reviews due today, then new cards in study
    order (Anki's order and daily limits, counted from the review log so two sessions in a
    day share them). --new N / --limit N: at most N new cards / reviews this session.
    --cram: every selected card, due or not, without changing its schedule. --assume and
    --timed change how estimation problems are asked: you propose the inputs; a countdown,
    with the time taken in the review log."""
    from drill.kinds import KINDS, unknown_kind
    from drill.services.study import Filters, StudySession
    from drill.ui.reviewer import Input, Reviewer

    if kind is not None and kind not in (*KINDS, "problem"):
        raise DrillError(unknown_kind(kind, ("problem",)), exit_code=2)
    with _workspace(db, decks) as ws:
        session = StudySession(
            ws, _clock(), Filters(deck, tag, kind), new, limit, cram, assume=assume, timed=timed
        )
        with Input() as keys:
            Reviewer(session, keys, _console()).run()


def _clock():
    from drill.clock import now

    return now


def _console() -> Any:
    from rich.console import Console

    # rich honours NO_COLOR and writes no colour codes when stdout is not a terminal.
    return Console(highlight=False, soft_wrap=False, emoji=False)


@app.command()
def due(
    as_json: JsonOpt = False,
    every: Annotated[
        bool,
        typer.Option(
            "--all", help="List every deck, also those with nothing due (--json always does)."
        ),
    ] = False,
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """What is due now, per deck: new, learning and review counts, and the total. Decks with
    nothing due are counted in one line (--all lists them)."""
    echo(answer_due(as_json, db, decks, hint=False, every=every))


def answer_due(
    as_json: bool, db: Path | None, decks: list[Path] | None, hint: bool, every: bool = False
) -> str:
    from drill.services.due import due as run
    from drill.ui import render

    with _workspace(db, decks) as ws:
        result = run(ws)
    return render.as_json(result.to_json()) if as_json else render.due(result, hint, every)


@app.command()
def stats(
    deck: DeckOpt = None, as_json: JsonOpt = False, db: DbOpt = None, decks: DecksOpt = None
) -> None:
    """Reviews per day over the last year as a heatmap, today's count and streak, true
    retention over 30 days (young < 21 d, mature), due forecast, cards by phase, ease,
    leeches; for cards on FSRS, their average predicted retrievability now."""
    from drill.services.stats import stats as run
    from drill.ui import render

    with _workspace(db, decks) as ws:
        result = run(ws, deck)
    echo(render.as_json(result.to_json()) if as_json else render.stats(result))


@app.command()
def optimize(
    deck: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--deck", metavar="NAME", help="Fit to this deck's reviews (and its children's) only."
        ),
    ] = None,
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """Fit FSRS parameters to your own review log (of one deck and its children with
    --deck) and print them as an `fsrs_parameters:` line for the config file or a deck file.
    Needs 512 reviews that come on a later day than the card's previous one, and py-fsrs's
    optimizer: pip install "fsrs[optimizer]" (PyTorch)."""
    from drill.services.optimize import optimize as run
    from drill.ui import render

    with _workspace(db, decks) as ws:
        echo(render.fitted(run(ws, deck)))


# --------------------------------------------------------------------------- cards

card_app = _group("Look at and manage single cards or selections.")
app.add_typer(card_app, name="card")


@card_app.command("show")
def card_show(
    card_id: Annotated[str, typer.Argument(help="A card id, or a note id.", metavar="ID")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """A card's content, scheduling state and full review history; for a note id, the
    note's cards."""
    from drill.services import cards
    from drill.ui import render

    with _workspace(db, decks) as ws:
        info = cards.show(ws, card_id)
    echo(render.as_json(info.to_json()) if as_json else render.card_info(info))


def _flag_command(suspended: bool, verb: str, done: str) -> Any:
    def command(
        ids: IdsArg = None,
        deck: DeckOpt = None,
        tag: TagOpt = None,
        db: DbOpt = None,
        decks: DecksOpt = None,
    ) -> None:
        from drill.names import plural
        from drill.services import cards

        with _workspace(db, decks) as ws:
            count = cards.set_suspended(ws, ids or [], deck, tag, suspended)
        echo(f"{done} {plural(count, 'card')}.")

    command.__doc__ = (
        f"{verb} cards by id (a note id means all its cards), or every card of --deck / --tag."
    )
    return command


card_app.command("suspend")(_flag_command(True, "Suspend", "Suspended"))
card_app.command("unsuspend")(_flag_command(False, "Unsuspend", "Unsuspended"))


@card_app.command("reset")
def card_reset(
    ids: IdsArg = None,
    deck: DeckOpt = None,
    tag: TagOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """Forget cards' scheduling: they become new again, after a confirmation (--yes skips
    it). Their review history is kept."""
    from drill.names import plural
    from drill.services import cards

    with _workspace(db, decks) as ws:
        chosen = ws.select(ids or [], deck, tag)
        if not yes and not _confirm(
            f"Reset {plural(len(chosen), 'card')} to new (history is kept)?"
        ):
            raise DrillError("nothing reset")
        echo(f"Reset {plural(cards.reset(ws, chosen), 'card')}.")


def _confirm(question: str) -> bool:
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


@app.command()
def rename(
    old: Annotated[str, typer.Argument(help="The id the card or note had.", metavar="OLD")],
    new: Annotated[str, typer.Argument(help="Its new id (already in the YAML).", metavar="NEW")],
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """After changing an id in the YAML, move its review history to the new id (a note id
    moves all its cards). A deck file's `renamed:` does the same at the next sync."""
    from drill.services import cards

    with _workspace(db, decks) as ws:
        for a, b in cards.rename(ws, old, new):
            echo(f"{a} -> {b}")


# --------------------------------------------------------------------------- config

config_app = _group("The settings in effect and where each comes from.")
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show(
    deck: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--deck", help="Show the study options of this deck.", metavar="NAME"),
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """Print the config file, database, deck folders and study options in effect, and where
    each value came from."""
    from drill.services.config_view import describe
    from drill.ui import render

    settings = _settings(db, decks)
    if deck is None:
        result = describe(settings)
    else:
        with _workspace(db, decks) as ws:
            result = describe(settings, ws, deck)
    echo(render.as_json(result.to_json()) if as_json else render.config(result))


# --------------------------------------------------------------------------- authoring


@app.command()
def init(
    folder: Annotated[
        Path, typer.Argument(help="The folder for your decks (made if missing).", metavar="DIR")
    ],
    deck: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--deck", metavar="NAME", help="The starter deck's name (default: the folder's name)."
        ),
    ] = None,
) -> None:
    """Start your own decks: make DIR with a starter deck showing every kind (with comments
    and the schema line for editors), add DIR to `decks:` in the config file, and print the
    next commands. Never overwrites a deck file."""
    from drill.services.authoring import init as run
    from drill.ui import render

    result = run(_settings(), folder, deck)
    echo(render.initialised(result, folder))
    if result.added is None:
        for problem in result.problems:
            warn(str(problem))
        raise DrillError(
            f"could not add {folder} to {result.config_file}: add it to `decks:` by hand, "
            "or pass --decks"
        )


def add(file: Path, kind: Optional[str], **options: Any) -> None:  # noqa: UP045
    """Append a card to a deck file, keeping its bytes (comments, order, formatting). Every
    field of every kind has an option (--front, --text, --answer, --pro, --challenge, ...);
    missing required fields are asked for on stdin. The id is made from the card's text
    unless --id gives one."""
    from drill import authoring
    from drill.services import authoring as service

    tags, source, note, card_id = (options.pop(k) for k in ("tag", "source", "note", "card_id"))
    given = authoring.fields_from_options(options)
    if kind is None and not given:
        kind = authoring.ask_kind(sys.stdin.readline, _write_err)
    kind = service.kind_for(kind, given)
    try:
        fields = authoring.ask_missing(kind, given, sys.stdin.readline, _write_err)
    except authoring.AuthoringError as err:
        raise DrillError(err.message, exit_code=2) from None
    result = service.add(
        _settings(), file, kind, fields, card_id=card_id, tags=tags or (), source=source, note=note
    )
    echo(f"Added {kind} card '{result.added.id}' at {result.added.path}:{result.added.line}.")
    if result.twin is not None:
        warn(
            f"note: '{result.twin.id}' at {result.twin.location} has the same text; both are "
            "kept (remove one if that was a mistake)"
        )


def _write_err(message: str) -> None:
    sys.stderr.write(message)
    sys.stderr.flush()


def _register_add() -> None:
    """`drill add`'s options come from the kind table: one per field of any kind (list
    fields repeatable, in the singular), plus the common ones."""
    import inspect

    from drill.kinds import add_options

    params = [
        inspect.Parameter(
            "file",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[
                Path, typer.Argument(help="The deck file to append the card to.", metavar="FILE")
            ],
        ),
        inspect.Parameter(
            "kind",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[
                Optional[str],  # noqa: UP045
                typer.Option("--kind", metavar="KIND", help="The card kind (default: basic)."),
            ],
        ),
    ]
    for spec in add_options():
        value_type = Optional[list[str]] if spec.repeatable else Optional[str]  # noqa: UP045
        params.append(
            inspect.Parameter(
                spec.parameter,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[
                    value_type,
                    typer.Option(
                        spec.option, metavar=spec.metavar, help=spec.help, show_default=False
                    ),
                ],
            )
        )
    add.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    add.__annotations__ = {p.name: p.annotation for p in params}
    app.command("add")(add)


_register_add()


@app.command("import")
def import_(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="SOURCE",
            help="A .csv or .tsv file, an Anki 'Notes in Plain Text' export, or an Anki "
            "package (.apkg, .colpkg) or collection (.anki2, .anki21b).",
        ),
    ],
    deck: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--deck",
            metavar="NAME",
            help="The deck the cards go into (needed for CSV and text; an Anki package's "
            "decks keep their names, or go under NAME).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--out",
            metavar="PATH",
            help="The deck file to write, or to update if an earlier import wrote it "
            "(default: ./DECK.yaml, from the deck's name); for a package of several decks, "
            "a folder with one file each.",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--kind",
            metavar="KIND",
            help="The kind of every card (default: a `kind` column, the Anki note type, else "
            "basic).",
            show_default=False,
        ),
    ] = None,
    columns: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--columns",
            metavar="A,B,...",
            help="The columns' field names, comma-separated, e.g. front,back,tags (- skips a "
            "column).",
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
            help="Leave out the rows that cannot be read (each is reported) instead of writing "
            "nothing.",
        ),
    ] = False,
    no_progress: Annotated[
        bool,
        typer.Option(
            "--no-progress",
            help="Leave an Anki package's scheduling and review history behind (by default "
            "they come into drill, as drill pull brings them).",
        ),
    ] = False,
    decks: DecksOpt = None,
) -> None:
    """Turn a CSV/TSV file (a header row of field names, or --columns), an Anki "Notes in
    Plain Text" export or an Anki package into YAML deck files (default ./DECK.yaml), media
    into media/ beside them. Importing again updates the cards by id. Unreadable rows are
    listed as `source:line: message` and nothing is written, unless --skip-bad."""
    from drill import importers as importer
    from drill.services.importing import import_file
    from drill.ui import render

    result = import_file(
        _settings(None, decks),
        source,
        deck,
        out,
        kind=kind,
        columns=importer.columns_option(columns),
        header=not no_header,
        skip_bad=skip_bad,
        progress=not no_progress,
    )
    for problem in result.report.skipped:
        warn(f"{problem} (left out)")
    echo(render.imported(result))


@app.command("sync")
def sync_(
    login: Annotated[
        bool,
        typer.Option(
            "--login",
            help="Ask for the user name and password first (only the host key is kept).",
        ),
    ] = False,
    endpoint: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--endpoint",
            metavar="URL",
            help="A self-hosted sync server (default: `sync_url:` in the config file, else "
            "AnkiWeb).",
            show_default=False,
        ),
    ] = None,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="Remove from Anki the notes whose id left the YAML."),
    ] = False,
    force_download: Annotated[
        bool,
        typer.Option(
            "--force-download",
            help="When the server demands a full sync: replace drill's copy with the "
            "server's collection (after a confirmation).",
        ),
    ] = False,
    force_upload: Annotated[
        bool,
        typer.Option(
            "--force-upload",
            help="When the server demands a full sync: replace the server's collection with "
            "drill's copy (after a confirmation).",
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """Two-way sync with Anki through AnkiWeb or a self-hosted sync server: drill's notes
    are added to or updated in your Anki collection (your other decks are left alone),
    reviews done on either side reach the other, and a card answered on both is replayed in
    time order. Needs Anki's sync engine: pip install "drill-cards[anki]"."""
    from drill.services import anki_sync
    from drill.ui import render

    if force_download and force_upload:
        raise DrillError("--force-download and --force-upload exclude each other", exit_code=2)
    settings = _settings(db, decks)
    if login:
        username = typer.prompt("User name (for AnkiWeb: your email)", err=True)
        password = typer.prompt("Password", hide_input=True, err=True)
        done = anki_sync.login(settings, username, password, endpoint)
        warn(f"logged in to {done.server} as {done.username} (host key in {done.key_file})")
    full = "download" if force_download else "upload" if force_upload else None
    request = anki_sync.SyncRequest(endpoint=endpoint, prune=prune, full=full)
    result = anki_sync.sync(
        settings, _now(), request, progress=warn, confirm=lambda q: yes or _confirm(q)
    )
    for problem in result.skipped_files:
        warn(f"{problem} (file skipped; drill check lists its problems)")
    echo(render.synced(result))


@app.command()
def pull(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="An Anki .colpkg, a collection (collection.anki2, .anki21b), or an .apkg "
            "exported with scheduling.",
        ),
    ],
    db: DbOpt = None,
    decks: DecksOpt = None,
) -> None:
    """Bring reviews done in Anki into drill, for drill's notes in the file (found by
    GUID): each review comes in once, a card's schedule follows the side that answered it
    last, and a card answered in both is replayed in time order. Pulling the same file
    again changes nothing. Needs no Anki installed."""
    from drill.services.history import pull_file
    from drill.ui import render

    echo(render.pulled(pull_file(_settings(db, decks), file, now=_now())))


# --------------------------------------------------------------------------- problems

problem_app = _group("Estimation problems: fresh numbers every time, answers graded by ratio.")
app.add_typer(problem_app, name="problem")

ProblemIdArg = Annotated[
    str, typer.Argument(help="A problem id (drill problem list shows them).", metavar="ID")
]
SeedOpt = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--seed",
        metavar="N",
        help="Draw the numbers with this seed (default: the problem's default numbers).",
        show_default=False,
    ),
]
ParamOpt = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--param",
        metavar="NAME=VALUE",
        help="Set a number, e.g. --param years=3 (repeatable).",
        show_default=False,
    ),
]


def _pairs(items: list[str] | None, option: str) -> dict[str, str]:
    """`name=value` options as a mapping; a usage error for anything else."""
    pairs: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise DrillError(f"{option} takes name=value, got '{item}'", exit_code=2)
        pairs[name.strip()] = value.strip()
    return pairs


@problem_app.command("list")
def problem_list(
    paths: PathsArg = None, deck: DeckOpt = None, as_json: JsonOpt = False, decks: DecksOpt = None
) -> None:
    """The estimation problem templates (a deck file's `problems:` list): id, deck, title
    and what is asked."""
    from drill.services import listing
    from drill.ui import render

    found = listing.templates(_collection(paths, decks), deck)
    if as_json:
        echo(render.as_json([t.to_json() for t in found]))
    elif not found:
        warn("no problems match")
    else:
        echo(render.template_lines(found))


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
    """A problem with fresh numbers (--seed; default: its default numbers); --answers adds
    the answers and the worked solution."""
    from drill.services import problems
    from drill.ui import render

    instance = problems.instance(
        _collection(None, decks), problem_id, seed, _pairs(param, "--param")
    )
    echo(render.as_json(instance.to_json()) if as_json else render.problem(instance, answers))


@problem_app.command("check")
def problem_check(
    problem_id: ProblemIdArg,
    seed: SeedOpt = None,
    param: ParamOpt = None,
    answer: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--answer",
            metavar="NAME=VALUE",
            help="Your answer, e.g. --answer writes='40 /s' (repeatable).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
    decks: DecksOpt = None,
) -> None:
    """Grade answers by ratio (right within the tolerance, close within 2x, off within
    10x); exit 0 when all are right, 1 otherwise."""
    from drill.services import problems
    from drill.ui import render

    instance = problems.instance(
        _collection(None, decks), problem_id, seed, _pairs(param, "--param")
    )
    graded = problems.grade(instance, _pairs(answer, "--answer"))
    echo(render.as_json(graded.to_json()) if as_json else render.graded(graded))
    if not graded.right:
        raise typer.Exit(1)


@problem_app.command("practice")
def problem_practice(
    problem_ids: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Argument(
            help="Only these problems (drill problem list shows them), suspended or not.",
            metavar="[ID...]",
            show_default=False,
        ),
    ] = None,
    deck: DeckOpt = None,
    count: Annotated[
        int, typer.Option("--count", min=1, metavar="N", help="How many problems.")
    ] = 3,
    seed: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--seed",
            metavar="N",
            help="Seed for the choice of problems and their numbers (default: random).",
            show_default=False,
        ),
    ] = None,
    assume: AssumeOpt = False,
    timed: TimedOpt = False,
    decks: DecksOpt = None,
) -> None:
    """Practise problems (all of them, a deck's with --deck, or the ones named): each answer
    asked in turn and graded, then the decision, then the worked solution (the napkin path
    beside the exact one). No scheduling, nothing saved. --assume: you propose the inputs
    first; --timed: a countdown. Reads one answer per line, so it works through a pipe."""
    from drill.services import problems
    from drill.ui.practice import practice

    templates = problems.templates(
        _collection(None, decks), deck, studied=True, ids=problem_ids or ()
    )
    stdin = sys.stdin
    practice(
        templates,
        count,
        seed,
        stdin.readline,
        typer.echo,
        echo_input=not stdin.isatty(),
        assume=assume,
        timed=timed,
    )


# --------------------------------------------------------------------------- the root


def _version(value: bool) -> None:
    if value:
        from drill import __version__

        echo(f"drill {__version__}")
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
        echo(answer_due(False, None, None, hint=True))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        sys.exit(130)
