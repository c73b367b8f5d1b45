"""`make bench`: every speed goal as a ratio against a reference measured in the same run.

The machines are shared and noisy, so each figure runs ours and its reference side by side,
interleaved (ours, ref, ours, ref, ...) after one warm-up pair, and compares the medians.
Prints one table and writes it as JSON to build/bench.json. Never fails: it reports.

    python benchmarks/run.py              # quick mode (the goal sizes, few repeats)
    BENCH=full python benchmarks/run.py   # more repeats, more answers per sample
    python benchmarks/run.py --markdown   # also print the table as Markdown (for the README)
    python benchmarks/run.py due stats    # only the figures whose key starts with these
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import data  # noqa: E402  (benchmarks/data.py, next to this file)

PYTHON = sys.executable
MODES = {
    # repeats: in-process samples per side; proc: whole-process samples per side;
    # answers: answers timed per sample; quiz: cards answered per quiz session;
    # mem_runs: quiz sessions measured.
    "quick": {"repeats": 7, "proc": 11, "answers": 100, "quiz": 200, "mem_runs": 1},
    "full": {"repeats": 15, "proc": 31, "answers": 500, "quiz": 1000, "mem_runs": 3},
}
CARDS = 10_000
FILES = 50
EXPORT_NOTES = 10_000
REVIEWS = 100_000
PROBLEMS = 1_000


@dataclass
class Figure:
    key: str
    name: str
    goal: str
    limit: float  # the ratio goal, or the absolute limit in `unit`
    unit: str  # "ratio", "ms" or "MB"
    reference: str = "—"
    ours: float | None = None  # seconds (MB for memory)
    ref: float | None = None
    value: float | None = None  # what is compared with the goal (a ratio, ms or MB)
    passed: bool | None = None
    note: str = ""
    ours_samples: list[float] = field(default_factory=list)
    ref_samples: list[float] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)  # figures beside the timing


# --------------------------------------------------------------------------- measuring


def interleave(
    ours: Callable[[], float], ref: Callable[[], float], repeats: int, warmup: int = 1
) -> tuple[list[float], list[float]]:
    """Run ours and ref alternately; each callable returns the seconds it measured."""
    for _ in range(warmup):
        ours()
        ref()
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeats):
        a.append(ours())
        b.append(ref())
    return a, b


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    return run


def process(args: list[str], env: dict[str, str]) -> Callable[[], float]:
    """A whole-process timing of `python args...`; a non-zero exit is an error."""

    def run() -> float:
        start = time.perf_counter()
        proc = subprocess.run(
            [PYTHON, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        elapsed = time.perf_counter() - start
        if proc.returncode:
            raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}: {proc.stderr[-500:]!r}")
        return elapsed

    return run


def settle(fig: Figure, samples: tuple[list[float], list[float]]) -> None:
    """Medians of both sides and their ratio, compared with the goal."""
    ours, ref = samples
    fig.ours_samples = [round(x, 6) for x in ours]
    fig.ref_samples = [round(x, 6) for x in ref]
    fig.ours = statistics.median(ours)
    fig.ref = statistics.median(ref)
    fig.value = fig.ours / fig.ref
    fig.passed = fig.value <= fig.limit


# --------------------------------------------------------------------------- the data


class Bench:
    """The generated data and the settings of one run."""

    def __init__(self, tmp: Path, mode: str):
        from drill.storage import Store

        self.tmp = tmp
        self.mode = mode
        self.cfg = MODES[mode]
        self.decks = data.write_decks(tmp / "decks", cards=CARDS, files=FILES)
        self.config = data.write_config(tmp / "config.yaml", self.decks.folder)
        self.db = tmp / "drill.db"  # synced, with a year of reviews: the everyday store
        with Store(self.db) as store:
            store.sync(self.decks.files, data.NOW)
        data.age_store(self.db, reviews=REVIEWS)
        self.env = {
            **os.environ,
            "DRILL_DB": str(self.db),
            "DRILL_CONFIG": str(self.config),
            "DRILL_NOW": data.NOW_TEXT,
            "NO_COLOR": "1",
            "COLUMNS": "100",
        }
        self.env.pop("DRILL_DECKS", None)

    def copy_db(self, name: str) -> Path:
        target = self.tmp / name
        shutil.copyfile(self.db, target)
        return target


# --------------------------------------------------------------------------- the figures

Measure = Callable[[Bench, Figure], None]
FIGURES: list[tuple[Figure, Measure]] = []


def figure(
    key: str, name: str, goal: str, limit: float, unit: str, reference: str = "—"
) -> Callable[[Measure], Measure]:
    def register(measure: Measure) -> Measure:
        FIGURES.append((Figure(key, name, goal, limit, unit, reference), measure))
        return measure

    return register


TYPER = ["-c", "import typer"]
TYPER_REF = '`python -c "import typer"`'
DUE = ["-m", "drill", "due"]
PARSE_REF = "`yaml.CSafeLoader` parse of the same files"


@figure("due", f"`drill due` on a {CARDS:,}-card store, whole process", "≤ 1.5×", 1.5,
        "ratio", TYPER_REF)  # fmt: skip
def due(b: Bench, fig: Figure) -> None:
    settle(fig, interleave(process(DUE, b.env), process(TYPER, b.env), b.cfg["proc"]))
    fig.note = f"store synced, {REVIEWS:,} review-log rows; both with the venv's python"


@figure("help", "`drill --help`, whole process", "≤ 1.5×", 1.5, "ratio", TYPER_REF)
def help_(b: Bench, fig: Figure) -> None:
    ours = process(["-m", "drill", "--help"], b.env)
    settle(fig, interleave(ours, process(TYPER, b.env), b.cfg["proc"]))


@figure("answer", "one durable answer (state + review-log row committed)", "≤ 3×", 3.0,
        "ratio", f"Anki backend `answer_card`, {CARDS:,} cards")  # fmt: skip
def durable_answer(b: Bench, fig: Figure) -> None:
    from anki.collection import AddNoteRequest, Collection
    from anki.scheduler.v3 import CardAnswer

    from drill.scheduler import Rating, answer
    from drill.storage import Store

    n = b.cfg["answers"]
    store = Store(b.copy_db("answer.db"))
    ids = [r[0] for r in store.conn.execute("SELECT id FROM cards ORDER BY phase, id")]
    (b.tmp / "anki").mkdir()
    col = Collection(str(b.tmp / "anki" / "collection.anki2"))
    try:
        basic = col.models.by_name("Basic")
        deck_id = col.decks.id("Bench")
        requests = []
        for i in range(CARDS):
            note = col.new_note(basic)
            note["Front"] = f"question {i}"
            note["Back"] = f"answer {i}"
            requests.append(AddNoteRequest(note, deck_id))
        col.add_notes(requests)
        cids = list(col.find_cards(""))
        position = {"ours": 0, "ref": 0}

        def ours() -> float:
            start = time.perf_counter()
            for _ in range(n):
                i = position["ours"] = position["ours"] + 1
                card_id = ids[i % len(ids)]
                before = store.state(card_id)
                after = answer(before, Rating.GOOD, data.NOW, seed=i)
                store.record_answer(card_id, before, after, Rating.GOOD, data.NOW)
            return (time.perf_counter() - start) / n

        def ref() -> float:
            start = time.perf_counter()
            for _ in range(n):
                i = position["ref"] = position["ref"] + 1
                cid = cids[i % len(cids)]
                card = col.get_card(cid)
                states = col._backend.get_scheduling_states(cid)
                card.start_timer()
                col.sched.answer_card(
                    col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD)
                )
            return (time.perf_counter() - start) / n

        settle(fig, interleave(ours, ref, b.cfg["repeats"]))
        sync_mode = col.db.scalar("PRAGMA synchronous")
    finally:
        col.close()
        store.close()
    fig.note = (
        f"{n} answers per sample (read state, schedule, commit); both SQLite WAL, "
        f"drill synchronous=FULL, Anki synchronous={sync_mode}, one fsync per answer each"
    )


def _parse_all(files: list[Path]) -> None:
    import yaml

    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


@figure("sync-cold", f"sync {CARDS:,} cards from YAML, cold", "≤ 2×", 2.0, "ratio", PARSE_REF)
def sync_cold(b: Bench, fig: Figure) -> None:
    from drill.storage import Store

    count = [0]

    def ours() -> float:
        count[0] += 1
        path = b.tmp / f"cold-{count[0]}.db"
        start = time.perf_counter()
        with Store(path) as store:
            store.sync(b.decks.files, data.NOW)
        elapsed = time.perf_counter() - start
        for p in b.tmp.glob(f"cold-{count[0]}.db*"):
            p.unlink()
        return elapsed

    settle(fig, interleave(ours, timed(lambda: _parse_all(b.decks.files)), b.cfg["repeats"]))
    fig.note = "new database: create the schema, read, validate and insert every card"


@figure("sync-unchanged", "sync, nothing changed", "≤ 0.2×", 0.2, "ratio", PARSE_REF)
def sync_unchanged(b: Bench, fig: Figure) -> None:
    from drill.paths import find_deck_files
    from drill.storage import Store

    db = b.copy_db("unchanged.db")

    def ours() -> None:
        with Store(db) as store:
            files, _ = find_deck_files([b.decks.folder])
            report = store.sync(files, data.NOW)
        assert report.files_read == 0, report

    settle(fig, interleave(timed(ours), timed(lambda: _parse_all(b.decks.files)), b.cfg["repeats"]))
    fig.note = "open the store, list the deck folder, sync (no file re-read)"


@figure("export", f"export {EXPORT_NOTES:,} notes to `.apkg`", "≤ 1.3×", 1.3, "ratio",
        "bare genanki writing the same notes")  # fmt: skip
def export_apkg(b: Bench, fig: Figure) -> None:
    import genanki

    from drill.anki import package as export
    from drill.content import load
    from drill.storage import Store

    decks = data.write_decks(b.tmp / "export-decks", notes=EXPORT_NOTES, files=FILES, seed=3)
    db = b.tmp / "export.db"
    with Store(db) as store:
        store.sync(decks.files, data.NOW)
        changed = store.note_changed_times()
    notes = load([decks.folder]).notes
    assert len(notes) == EXPORT_NOTES, len(notes)
    # The reference starts from what drill hands genanki: note ids, fields as HTML, tags.
    plain = export.export_notes(notes, changed, data.NOW)
    out_ours = b.tmp / "apkg-ours"
    out_ref = b.tmp / "apkg-ref"
    out_ref.mkdir()

    def ours() -> None:
        # What `drill build` does once the decks are loaded (drill.services.build): sync the
        # store with the files, note fields as HTML, one .apkg per top deck.
        with Store(db) as store:
            store.sync(decks.files, data.NOW, prune=False)
            changed = store.note_changed_times()
        written = export.write_packages(export.export_notes(notes, changed, data.NOW), out_ours)
        assert sum(w.notes for w in written) == EXPORT_NOTES

    def ref() -> None:
        models: dict[str, genanki.Model] = {}
        groups: dict[str, dict[str, genanki.Deck]] = {}
        for note in plain:
            model = models.get(note.kind)
            if model is None:
                model = models[note.kind] = export.NOTE_TYPES[note.kind].model()
            top = groups.setdefault(export.top_deck(note.deck), {})
            deck = top.get(note.deck)
            if deck is None:
                deck = top[note.deck] = genanki.Deck(export.stable_id(note.deck), note.deck)
            fields, tags = list(note.fields), list(note.tags)
            guid = genanki.guid_for("drill", note.id)  # every genanki script needs one
            deck.add_note(genanki.Note(model=model, fields=fields, tags=tags, guid=guid))
        for name, top in groups.items():
            genanki.Package(list(top.values())).write_to_file(str(out_ref / f"{name}.apkg"))

    settle(fig, interleave(timed(ours), timed(ref), b.cfg["repeats"]))
    fig.note = (
        f"{EXPORT_NOTES:,} notes, {decks.cards:,} cards, {len(decks.files)} files; ours = "
        "what drill.services.build does (notes already loaded); ref = genanki.guid_for + "
        "Note/Deck/Package with the same fields, tags, note types and packages"
    )


@figure("problems", f"generate + grade {PROBLEMS:,} estimation problems", "≤ 100 ms", 100.0, "ms")
def estimation_problems(b: Bench, fig: Figure) -> None:
    from drill.content import load_problems
    from drill.paths import bundled_decks_dir

    templates = load_problems([bundled_decks_dir()])

    def bench(n: int) -> float:
        """Seconds to generate and grade `n` problems: the bundled templates in turn, seeds
        0..n-1 (constraint redraws included), every answer typed as its own text and the
        decision as its option. Loading the decks is not timed."""
        start = time.perf_counter()
        for i in range(n):
            inst = templates[i % len(templates)].instance(seed=i)
            typed = {name: a.text for name, a in inst.answers.items()}
            if inst.decision is not None:
                typed["decision"] = inst.decision.answer
            inst.grade(typed)
        return time.perf_counter() - start

    try:
        bench(n=PROBLEMS)  # warm-up
        samples = [float(bench(n=PROBLEMS)) for _ in range(b.cfg["repeats"])]
    except Exception as err:
        first = str(err).splitlines()[0] if str(err) else ""
        fig.note = f"not available (generating raised {type(err).__name__}: {first})"
        return
    fig.ours_samples = [round(x, 6) for x in samples]
    fig.ours = statistics.median(samples)
    fig.value = fig.ours * 1000
    fig.passed = fig.value <= fig.limit
    # Redraws: draws a template's constraints refused before the one used, over the same
    # 1,000 seeds per template (not timed).
    redraws = {
        t.id: sum(t.instance(seed=i).redraws for i in range(PROBLEMS)) / PROBLEMS for t in templates
    }
    constrained = {
        i: r for i, r in redraws.items() if any(t.id == i and t.constraints for t in templates)
    }
    mean = sum(redraws.values()) / len(redraws)
    worst = max(redraws, key=lambda i: redraws[i])
    fig.details = {
        "templates": len(templates),
        "with_constraints": len(constrained),
        "mean_redraws_per_template": round(mean, 4),
        "mean_redraws_per_constrained_template": round(
            sum(constrained.values()) / max(len(constrained), 1), 4
        ),
        "redraws_per_template": {i: round(r, 4) for i, r in redraws.items()},
    }
    fig.note = (
        f"the {len(templates)} bundled templates in turn, seeds 0..999, every answer typed as "
        f"its own text, the decision as its option; redraws per problem: {mean:.3f} on "
        f"average over the templates ({len(constrained)} have constraints: "
        f"{fig.details['mean_redraws_per_constrained_template']:.3f}), at most "
        f"{redraws[worst]:.2f} ({worst})"
    )


@figure("stats", f"`drill stats` on {CARDS:,} cards and {REVIEWS:,} review-log rows", "≤ 3×",
        3.0, "ratio", "`drill due`")  # fmt: skip
def stats(b: Bench, fig: Figure) -> None:
    ours = process(["-m", "drill", "stats"], b.env)
    settle(fig, interleave(ours, process(DUE, b.env), b.cfg["proc"]))
    fig.note = "whole processes on the same store; review log spread over the last year"


@figure("sync-anki", f"`drill sync`, {CARDS:,} cards, 1,000 new reviews on each side", "≤ 10×",
        10.0, "ratio", "the same sync between two `anki` collections")  # fmt: skip
def anki_sync(b: Bench, fig: Figure) -> None:
    import syncbench

    try:
        import anki  # noqa: F401
    except ImportError:
        fig.note = "not available (Anki's backend, the `anki` extra, is not installed)"
        return
    decks = data.write_decks(b.tmp / "sync-decks", cards=CARDS, files=FILES, seed=5)
    bench = syncbench.SyncBench(b.tmp / "sync", decks.folder, b.tmp / "sync.db")
    rounds = min(b.cfg["repeats"], 4)  # each round answers 2,000 of the cards still new
    try:

        def ours() -> float:
            mine, phones = bench.prepare_ours()
            start = time.perf_counter()
            result = bench.ours()
            elapsed = time.perf_counter() - start
            assert (result.reviews_sent, result.reviews_received) == (mine, phones), result
            assert min(mine, phones) > 0.9 * syncbench.REVIEWS, (mine, phones)
            return elapsed

        def ref() -> float:
            bench.prepare_ref()
            start = time.perf_counter()
            bench.ref()
            return time.perf_counter() - start

        settle(fig, interleave(ours, ref, rounds - 1))
    finally:
        bench.close()
    fig.note = (
        f"{bench.cards:,} notes' {CARDS:,} cards on Anki's own sync server (127.0.0.1); each "
        "round both devices of an account answer 1,000 new cards and the phone syncs; timed: "
        "the other device's sync (drill: `drill sync` in-process, the store's transaction "
        "included; reference: Anki's sync_collection + media sync)"
    )


PEAK_RSS = """\
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if proc.returncode:
    sys.exit(proc.stderr.decode()[-500:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_rss_mb(args: list[str], env: dict[str, str], stdin: str = "") -> float:
    """Peak RSS of `python args...`, read by a fresh wrapper process (RUSAGE_CHILDREN)."""
    proc = subprocess.run(
        [PYTHON, "-c", PEAK_RSS, PYTHON, *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(proc.stdout.strip()) / 1024  # ru_maxrss is in KiB on Linux


@figure("quiz-memory", f"peak memory of a quiz session on {CARDS:,} cards", "≤ 100 MB", 100.0,
        "MB")  # fmt: skip
def quiz_memory(b: Bench, fig: Figure) -> None:
    n = b.cfg["quiz"]
    samples = []
    answered = []
    for run in range(b.cfg["mem_runs"]):
        db = b.copy_db(f"quiz-{run}.db")
        env = {**b.env, "DRILL_DB": str(db)}
        # Per card: enter shows the answer (for typed answers: an empty line), 3 = Good.
        samples.append(peak_rss_mb(["-m", "drill", "quiz"], env, "\n3\n" * n + "q\n"))
        with sqlite3.connect(db) as conn:
            sql = "SELECT count(*) FROM review_log WHERE reviewed_at >= ?"
            answered.append(conn.execute(sql, (data.NOW.date().isoformat(),)).fetchone()[0])
    baseline = peak_rss_mb(TYPER, b.env)
    fig.ours_samples = [round(x, 1) for x in samples]
    fig.ours = fig.value = statistics.median(samples)
    fig.passed = fig.value <= fig.limit
    fig.note = (
        f"`drill quiz` through a pipe, {min(answered)} cards answered per session; "
        f'for scale, `python -c "import typer"` peaks at {baseline:.0f} MB'
    )


# --------------------------------------------------------------------------- output

HEADER = ["figure", "ours", "reference", "ratio", "goal", "result"]


def _amount(amount: float | None, fig: Figure) -> str:
    if amount is None:
        return "—"
    if fig.unit == "MB":
        return f"{amount:.0f} MB"
    ms = amount * 1000
    return f"{ms:.2f} ms" if ms < 10 else f"{ms:.0f} ms"


def rows(figures: list[Figure]) -> list[list[str]]:
    out = []
    for f in figures:
        if f.value is None:
            value, verdict = "—", "not available" if f.note.startswith("not") else "error"
        else:
            value = f"{f.value:.2f}×" if f.unit == "ratio" else f"{f.value:.0f} {f.unit}"
            verdict = "pass" if f.passed else "FAIL"
        ref = f.reference if f.ref is None else f"{_amount(f.ref, f)}: {f.reference}"
        out.append([f.name, _amount(f.ours, f), ref, value, f.goal, verdict])
    return out


def text_table(figures: list[Figure]) -> str:
    table = [[cell.replace("`", "") for cell in row] for row in [HEADER, *rows(figures)]]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(figures: list[Figure]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows(figures)]
    return "\n".join(lines)


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
    }


def run(mode: str, only: list[str]) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="drill-bench-") as tmp:
        print(f"bench: {mode} mode; generating {CARDS:,} cards in {FILES} files", flush=True)
        bench = Bench(Path(tmp), mode)
        for template, measure in FIGURES:
            if only and not any(template.key.startswith(o) for o in only):
                continue
            fig = dataclasses.replace(template)
            print(f"bench: {fig.key}", flush=True)
            try:
                measure(bench, fig)
            except Exception as err:  # report it, never fail the build
                traceback.print_exc()
                fig.note = f"error: {type(err).__name__}: {err}"
            figures.append(fig)
    return figures


def main(argv: list[str]) -> int:
    mode = os.environ.get("BENCH", "").strip().lower() or "quick"
    if mode not in MODES:
        print(f"bench: BENCH={mode!r} is not one of {', '.join(MODES)}; using quick")
        mode = "quick"
    only = [a for a in argv if not a.startswith("-")]
    # Measure drill as installed code runs: from bytecode. With PYTHONDONTWRITEBYTECODE set
    # (as on some CI machines) every start would otherwise recompile drill's modules, a cost
    # the reference (typer, compiled when pip installed it) never pays.
    import compileall

    compileall.compile_dir(ROOT / "src" / "drill", quiet=1)
    started = time.perf_counter()
    try:
        figures = run(mode, only)
    except Exception:  # the data could not be made: say so, still exit 0
        traceback.print_exc()
        print("bench: could not set up the benchmark data; nothing measured")
        return 0
    elapsed = time.perf_counter() - started
    print()
    print(text_table(figures))
    for f in figures:
        if f.note:
            print(f"  {f.key}: {f.note}")
    result = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "mode": mode,
        "settings": MODES[mode],
        "machine": machine(),
        "seconds": round(elapsed, 1),
        "figures": [dataclasses.asdict(f) for f in figures],
    }
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nbench: wrote {out.relative_to(ROOT)} in {elapsed:.0f} s")
    if "--markdown" in argv:
        print()
        print(markdown_table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
