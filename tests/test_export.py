"""`drill build`: .apkg packages proven with Anki's own backend (the `anki` package).

Every package is imported into a fresh Anki collection: notes, decks, note types, fields,
tags and cards must land as authored, and re-importing a rebuild must update exactly the
notes whose text changed (in place, keeping their cards and review history).
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
import yaml

from drill import markup
from drill.anki import package as export
from drill.content import cards_of, load
from drill.names import file_slug
from drill.paths import bundled_decks_dir
from drill.storage import Store

anki_collection = pytest.importorskip("anki.collection")

T1 = "2026-03-01T09:00:00+00:00"
T2 = "2026-03-02T09:00:00+00:00"
T3 = "2026-03-03T09:00:00+00:00"
T4 = "2026-03-04T09:00:00+00:00"


# --------------------------------------------------------------------------- helpers


def import_all(col, packages: list[Path]) -> dict[str, int]:
    """Import packages as Anki's File > Import does; returns the summed log."""
    totals = {"new": 0, "updated": 0, "duplicate": 0, "conflicting": 0, "found": 0}
    for package in packages:
        request = anki_collection.ImportAnkiPackageRequest(
            package_path=str(package),
            options=anki_collection.ImportAnkiPackageOptions(
                merge_notetypes=True, with_scheduling=False, with_deck_configs=False
            ),
        )
        log = col.import_anki_package(request).log
        totals["new"] += len(log.new)
        totals["updated"] += len(log.updated)
        totals["duplicate"] += len(log.duplicate)
        totals["conflicting"] += len(log.conflicting)
        totals["found"] += log.found_notes
    return totals


def build(cli, paths: list[Path], tmp_path: Path, now: str, *args: str) -> list[Path]:
    """Run `drill build` as a user would; returns the packages it says it wrote."""
    out = tmp_path / "build"
    result = cli(
        "build", *paths, "--out", out, "--db", tmp_path / "drill.db", *args, env={"DRILL_NOW": now}
    )
    assert result.exit_code == 0, result.output
    assert "File > Import" in result.stdout
    written = re.findall(r"^wrote (.+\.apkg): ", result.stdout, re.MULTILINE)
    assert written
    return [Path(p) for p in written]


def anki_notes(col) -> dict[str, object]:
    """Anki notes by drill id (the Id field)."""
    notes = [col.get_note(nid) for nid in col.find_notes("")]
    return {note["Id"]: note for note in notes}


def text(rendered: str) -> str:
    """What a rendered card shows: no <style>, no tags, entities decoded."""
    rendered = re.sub(r"<style>.*?</style>", "", rendered, flags=re.DOTALL)
    rendered = re.sub(r"</?(?:br|p|ul|ol|li|div|hr)\b[^>]*>", " ", rendered)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", rendered)).split())


def authored_text(value) -> str:
    """A field's authored value as plain text (light Markdown markers dropped)."""
    items = value if isinstance(value, (list, tuple)) else [str(value)]
    lines = []
    for item in items:
        for line in str(item).split("\n"):
            line = re.sub(r"^\s*(?:-|\d+[.)])\s+", "", line)  # bullets and numbered items
            lines.append(line.replace("**", "").replace("`", ""))
    return " ".join(" ".join(lines).split())


def suffix(card_id: str) -> str:
    return card_id.split("/", 1)[1] if "/" in card_id else ""


def check_landed(col, notes) -> None:
    """Every exported note is in Anki as authored, with exactly drill's cards."""
    by_id = anki_notes(col)
    assert set(by_id) == {n.id for n in notes}
    for note in notes:
        anki_note = by_id[note.id]
        note_type = export.NOTE_TYPES[note.kind]
        assert anki_note.guid == export.note_guid(note.id)
        assert anki_note.note_type()["name"] == f"drill: {note.kind}"
        assert anki_note.note_type()["id"] == note_type.id
        assert list(anki_note.keys()) == list(note_type.fields)
        for name, value in note.fields.items():
            if name == "tolerance":
                assert anki_note["Tolerance"] == export.format_tolerance(value)
            elif note.kind == "number" and name in ("answer", "formula"):
                assert text(anki_note[export.field_name(name)]) == value  # no Markdown here
            elif name != "note":
                field = export.field_name(name)
                assert text(anki_note[field]) == authored_text(value), (note.id, field)
        assert text(anki_note["Note"]) == authored_text(note.fields.get("note", ""))
        dated = f"as of {note.as_of}" if note.as_of else ""
        assert text(anki_note["Source"]) == " · ".join(p for p in (note.source, dated) if p)
        assert {t.casefold() for t in anki_note.tags} == {
            t.casefold() for t in (*note.tags, f"drill::{note.kind}")
        }
        cards = anki_note.cards()
        expected = [suffix(c.id) for c in cards_of(note)]
        assert sorted(note_type.suffix(c.ord) for c in cards) == sorted(expected), note.id
        for card in cards:
            assert col.decks.name(card.did) == note.deck
            question, answer = card.question(), card.answer()
            assert text(question) and text(answer), (note.id, card.ord)
            assert note.id in answer  # the Id footer: where to find the card in the YAML
            if note.kind == "number":
                assert "[[type:Answer]]" in question
                assert f"± {export.format_tolerance(note.fields['tolerance'])}" in answer


def note_block(path: Path, note_id: str) -> tuple[int, int, str]:
    """(first line index, end line index, indentation) of a note's block in a deck file."""
    notes = sorted(
        (n for n in load([path]).notes), key=lambda n: n.location.line
    )  # one file: lines are in order
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, note in enumerate(notes):
        if note.id == note_id:
            start = note.location.line - 1
            end = notes[i + 1].location.line - 1 if i + 1 < len(notes) else len(lines)
            indent = lines[start].index("id:") if "- id:" in lines[start] else -1
            return start, end, " " * indent if indent >= 0 else ""
    raise KeyError(note_id)


def edit_note_text(path: Path, note_id: str, note_text: str) -> None:
    """Add a `note:` to a block-style card in place (a change of the card's text)."""
    start, _end, indent = note_block(path, note_id)
    assert indent, f"{note_id} is not written as a block mapping"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(start + 1, f"{indent}note: {note_text}\n")
    path.write_text("".join(lines), encoding="utf-8")


def remove_note(path: Path, note_id: str) -> None:
    start, end, _indent = note_block(path, note_id)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")


def card_ids(anki_note) -> list[int]:
    return sorted(c.id for c in anki_note.cards())


def review_first_card(col, anki_note) -> int:
    """Answer one card Good in Anki; returns its id (to check its history survives)."""
    card = anki_note.cards()[0]
    states = col._backend.get_scheduling_states(card.id)
    card.start_timer()
    col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=2))
    return card.id


def revlog_count(col, card_id: int) -> int:
    return col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", card_id)


def edit_and_reimport(cli, col, deck_dir: Path, tmp_path: Path, notes) -> None:
    """Rebuild unchanged → nothing; edit one note → 1 update in place; remove one → rest alone."""
    packages = build(cli, [deck_dir], tmp_path, T2)
    assert import_all(col, packages) == {
        "new": 0,
        "updated": 0,
        "duplicate": len(notes),
        "conflicting": 0,
        "found": len(notes),
    }

    target = next(
        n for n in notes if "note" not in n.fields and note_block(Path(n.location.path), n.id)[2]
    )
    before = anki_notes(col)[target.id]
    reviewed = review_first_card(col, before)
    ids_before, mod_before = card_ids(before), before.mod
    edit_note_text(Path(target.location.path), target.id, "Edited <here> & now")
    packages = build(cli, [deck_dir], tmp_path, T3)
    log = import_all(col, packages)
    assert (log["new"], log["updated"], log["conflicting"]) == (0, 1, 0)
    after = anki_notes(col)[target.id]
    assert after["Note"] == "Edited &lt;here&gt; &amp; now"
    assert card_ids(after) == ids_before  # the same cards: review history kept
    assert revlog_count(col, reviewed) == 1
    assert col.get_card(reviewed).type != 0  # still a learning card, not reset to new
    assert after.mod > mod_before
    assert col.note_count() == len(notes)

    gone = next(n for n in notes if n.id != target.id)
    remove_note(Path(gone.location.path), gone.id)
    packages = build(cli, [deck_dir], tmp_path, T4)
    log = import_all(col, packages)
    assert (log["new"], log["updated"], log["conflicting"]) == (0, 0, 0)
    assert log["duplicate"] == len(notes) - 1
    assert col.note_count() == len(notes)  # an import never deletes: the note stays in Anki
    assert card_ids(anki_notes(col)[target.id]) == ids_before


# --------------------------------------------------------------------------- bundled decks


def test_bundled_decks_import_as_authored_and_reimport_as_updates(cli, anki, tmp_path):
    decks = tmp_path / "decks"
    shutil.copytree(bundled_decks_dir(), decks)
    collection = load([decks])
    assert not collection.problems
    notes = [n for n in collection.notes if not n.suspended]
    packages = build(cli, [decks], tmp_path, T1)
    tops = {n.deck.split("::")[0] for n in notes}
    assert {p.name for p in packages} == {file_slug(t) + ".apkg" for t in tops}

    log = import_all(anki, packages)
    assert log == {
        "new": len(notes),
        "updated": 0,
        "duplicate": 0,
        "conflicting": 0,
        "found": len(notes),
    }
    assert anki.note_count() == len(notes)
    assert anki.card_count() == sum(len(cards_of(n)) for n in notes)
    names = {d.name for d in anki.decks.all_names_and_ids()}
    assert {n.deck for n in notes} <= names
    check_landed(anki, notes)

    edit_and_reimport(cli, anki, decks, tmp_path, notes)


def test_single_package_holds_every_deck(cli, anki, tmp_path):
    collection = load([bundled_decks_dir()])
    notes = [n for n in collection.notes if not n.suspended]
    packages = build(cli, [], tmp_path, T1, "--single")
    assert [p.name for p in packages] == ["drill.apkg"]
    assert import_all(anki, packages)["new"] == len(notes)
    assert anki.card_count() == sum(len(cards_of(n)) for n in notes)


# --------------------------------------------------------------------------- a custom deck

LONG = " ".join(f"word{i}" for i in range(1700))  # about 10 KB
assert len(LONG) > 10_000

CUSTOM = {
    "deck": "Ünïcode 日本::子デッキ",
    "tags": ["unicode", "日本語"],
    "source": "Tests <of> drill & Anki",
    "cards": [
        {"id": "emoji", "front": "Rocket 🚀 and fire 🔥?", "back": "Emoji survive: 🚀🔥"},
        {"id": "cjk", "kind": "reverse", "front": "你好，世界", "back": "Hello, world"},
        {"id": "rtl", "front": "שלום עולם", "back": "مرحبا بالعالم", "tags": ["rtl"]},
        {"id": "long", "front": "A long card", "back": LONG},
        {
            "id": "markup",
            "front": "<b>not bold</b> <script>alert(1)</script>",
            "back": "a < b & c, and {{not a field}}",
            "note": "**really bold**, `<code>` and\n- one\n- two",
        },
        {
            "id": "cloze-markup",
            "kind": "cloze",
            "text": "Type {{c1::<div>}} to open a block; {{c2::a < b & c::comparison}}; "
            "{{not a field}} stays.",
        },
        {
            "id": "day",
            "kind": "number",
            "front": "Seconds in a day?",
            "answer": "86,400 s",
            "tolerance": "20%",
        },
        {
            "id": "no-why",
            "kind": "tradeoff",
            "decision": "Cache everything",
            "pros": ["Fast"],
            "cons": "Stale",
        },
        {
            "id": "no-dives",
            "kind": "prompt",
            "prompt": "Design a pastebin",
            "challenges": ["Storage"],
            "building_blocks": ["object store"],
        },
        {"id": "resting", "front": "Suspended?", "back": "Yes", "suspended": True},
    ],
}
OTHER = {
    "deck": "Markup & <Tricks>",
    "cards": [{"id": "pitfall-x", "kind": "pitfall", "pitfall": "P", "fix": "F", "why": "W"}],
}


def write_yaml(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def custom(tmp_path) -> Path:
    decks = tmp_path / "custom"
    write_yaml(decks / "unicode.yaml", CUSTOM)
    write_yaml(decks / "other.yaml", OTHER)
    return decks


def test_custom_deck_text_arrives_exactly(cli, anki, tmp_path, custom):
    collection = load([custom])
    assert not collection.problems
    notes = [n for n in collection.notes if not n.suspended]
    out = tmp_path / "build"
    result = cli(
        "build", custom, "--out", out, "--db", tmp_path / "drill.db", env={"DRILL_NOW": T1}
    )
    assert result.exit_code == 0, result.output
    assert "left out 1 suspended note (1 card)" in result.stdout
    packages = sorted(out.glob("*.apkg"))
    assert {p.name for p in packages} == {"ünïcode-日本.apkg", "markup-tricks.apkg"}

    assert import_all(anki, packages)["new"] == len(notes)
    check_landed(anki, notes)
    by_id = anki_notes(anki)
    assert "resting" not in by_id
    assert {"Ünïcode 日本", "Ünïcode 日本::子デッキ", "Markup & <Tricks>"} <= {
        d.name for d in anki.decks.all_names_and_ids()
    }

    assert by_id["emoji"]["Front"] == "Rocket 🚀 and fire 🔥?"
    assert by_id["cjk"].cards()[1].question().endswith("Hello, world</div>")
    assert by_id["rtl"]["Back"] == "مرحبا بالعالم"
    assert 'dir="auto"' in by_id["rtl"].cards()[0].question()
    assert by_id["long"]["Back"] == LONG
    assert "日本語" in by_id["long"].tags

    markup_card = by_id["markup"].cards()[0]
    question, answer = markup_card.question(), markup_card.answer()
    assert "&lt;b&gt;not bold&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in question
    assert "<b>not bold" not in question and "<script>" not in question
    assert "a &lt; b &amp; c, and {{not a field}}" in answer
    assert "<b>really bold</b>" in answer and "<code>&lt;code&gt;</code>" in answer
    assert "<ul><li>one</li><li>two</li></ul>" in answer
    assert "Tests &lt;of&gt; drill &amp; Anki" in answer

    c1, c2 = sorted(by_id["cloze-markup"].cards(), key=lambda c: c.ord)
    assert "[...]" in c1.question() and "&lt;div&gt;" not in text_without_attrs(c1.question())
    assert "&lt;div&gt;" in c1.answer()
    assert "[comparison]" in c2.question() and "&lt;div&gt;" in c2.question()
    assert "a &lt; b &amp; c" in c2.answer()
    assert "{{not a field}} stays." in c1.question()

    assert len(by_id["no-why"].cards()) == 2
    assert {export.NOTE_TYPES["prompt"].suffix(c.ord) for c in by_id["no-dives"].cards()} == {
        "challenges",
        "building-blocks",
    }
    assert "± 20%" in by_id["day"].cards()[0].answer()

    edit_and_reimport(cli, anki, custom, tmp_path, notes)


def text_without_attrs(rendered: str) -> str:
    """Rendered HTML without attribute values (Anki keeps the cloze answer in data-cloze)."""
    return re.sub(r'\s[\w-]+="[^"]*"', "", rendered)


def test_rebuild_is_stable_and_mtime_is_content_time(cli, tmp_path, custom):
    """A note's modification time is when its text changed, not when it was built."""
    from datetime import datetime

    from drill.clock import parse_moment

    collection = load([custom])
    db = tmp_path / "drill.db"
    files = sorted(custom.glob("*.yaml"))

    def content_changed(now):
        with Store(db) as store:
            store.sync(files, now, prune=False)
            return store.note_changed_times()

    first = content_changed(parse_moment(T1))
    again = content_changed(parse_moment(T2))
    assert first == again
    assert set(first.values()) == {datetime.fromisoformat(T1)}
    notes = export.export_notes(collection.notes, again, parse_moment(T2))
    assert {n.mtime for n in notes} == {int(datetime.fromisoformat(T1).timestamp())}


def test_a_new_optional_field_adds_its_card_on_reimport(cli, anki, tmp_path):
    """Anki regenerates cards when it updates a note: adding `accepted_because` adds the
    "why" card next to the reviewed ones."""
    deck = tmp_path / "t" / "t.yaml"
    card = {"id": "t1", "kind": "tradeoff", "decision": "D", "pros": ["a"], "cons": ["b"]}
    write_yaml(deck, {"deck": "T", "cards": [card]})
    import_all(anki, build(cli, [deck], tmp_path, T1))
    ids_before = card_ids(anki_notes(anki)["t1"])
    assert len(ids_before) == 2
    write_yaml(deck, {"deck": "T", "cards": [{**card, "accepted_because": "Reasons"}]})
    assert import_all(anki, build(cli, [deck], tmp_path, T2))["updated"] == 1
    note = anki_notes(anki)["t1"]
    assert set(ids_before) < set(card_ids(note))
    assert {export.NOTE_TYPES["tradeoff"].suffix(c.ord) for c in note.cards()} == {
        "pros",
        "cons",
        "why",
    }


def test_source_and_as_of_show_under_the_answer_and_come_back(cli, anki, tmp_path):
    """The Source field holds the source and its date (the note types keep their fields):
    Anki shows both under the answer, never on the question; `drill import` of a package
    Anki itself exported gives both back."""
    deck = write_yaml(
        tmp_path / "d" / "d.yaml",
        {
            "deck": "Dated",
            "as_of": "2026-11",
            "cards": [
                {"id": "lag", "front": "Replication lag?", "back": "Seconds", "source": "DDIA 5"},
                {"id": "undated", "front": "Quorum?", "back": "R + W > N", "as_of": "2025"},
                {
                    "id": "rtt",
                    "kind": "number",
                    "front": "RTT?",
                    "answer": "0.5 ms",
                    "source": "napkin-math",
                    "as_of": "2026-03-15",
                },
            ],
        },
    )
    import_all(anki, build(cli, [deck], tmp_path, T1))
    by_id = anki_notes(anki)
    assert by_id["lag"]["Source"] == "DDIA 5 · as of 2026-11"
    assert by_id["undated"]["Source"] == "as of 2025"
    card = by_id["rtt"].cards()[0]
    assert "napkin-math · as of 2026-03-15" in text(card.answer())
    assert "as of" not in text(card.question())

    from anki.collection import ExportAnkiPackageOptions

    exported = tmp_path / "from-anki.apkg"
    anki.export_anki_package(
        out_path=str(exported),
        options=ExportAnkiPackageOptions(with_scheduling=False, with_media=False),
        limit=None,
    )
    result = cli(
        "import",
        exported,
        "--deck",
        "Back",
        "--out",
        tmp_path / "back.yaml",
    )
    assert result.exit_code == 0, result.output
    back = {n.id: n for n in load([tmp_path / "back.yaml"]).notes}
    assert {i: (n.source, n.as_of) for i, n in back.items()} == {
        "lag": ("DDIA 5", "2026-11"),
        "undated": (None, "2025"),
        "rtt": ("napkin-math", "2026-03-15"),
    }


# --------------------------------------------------------------------------- the CLI


def test_filters_and_errors(cli, tmp_path, custom):
    out = tmp_path / "build"
    db = ("--db", tmp_path / "drill.db")
    result = cli("build", custom, "--out", out, *db, "--kind", "cloze", env={"DRILL_NOW": T1})
    assert result.exit_code == 0, result.output
    assert "1 note, 2 cards" in result.stdout
    result = cli("build", custom, "--out", out, *db, "--kind", "nope")
    assert result.exit_code == 2 and "unknown kind" in result.stderr
    result = cli("build", custom, "--out", out, *db, "--tag", "no-such-tag")
    assert result.exit_code == 1 and "no cards match" in result.stderr
    result = cli("build", custom / "unicode.yaml", "--out", out, *db, "--deck", "Markup")
    assert result.exit_code == 1
    bad = write_yaml(tmp_path / "bad" / "bad.yaml", {"deck": "X", "cards": [{"front": "Q"}]})
    result = cli("build", bad, "--out", out, *db)
    assert result.exit_code == 1 and "missing `id:`" in result.stderr


# --------------------------------------------------------------------------- pieces


def test_note_types_cover_every_kind_with_fixed_ids():
    from drill.kinds import KINDS

    assert set(export.NOTE_TYPES) == set(KINDS)
    ids = {t.id for t in export.NOTE_TYPES.values()}
    assert len(ids) == len(KINDS)
    assert export.NOTE_TYPES["tradeoff"].fields == (
        "Decision",
        "Pros",
        "Cons",
        "Accepted because",
        "Note",
        "Source",
        "Id",
    )
    assert export.NOTE_TYPES["basic"].id == export.stable_id("drill:basic:v1")
    assert export.NOTE_TYPES["cloze"].model().model_type == 1  # Anki's cloze type
    for note_type in export.NOTE_TYPES.values():
        css = note_type.model().css
        assert ".nightMode" in css and ".night_mode" in css


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a < b & c", "a &lt; b &amp; c"),
        ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
        ("**bold** and `<tag>`", "<b>bold</b> and <code>&lt;tag&gt;</code>"),
        ("`**not bold**`", "<code>**not bold**</code>"),
        ("one\ntwo", "one<br>two"),
        (
            "intro\n\n- a\n- **b**\n\nend",
            "<p>intro</p><ul><li>a</li><li><b>b</b></li></ul><p>end</p>",
        ),
        ("{{c1::**x**::hint}} {{not a field}}", "{{c1::<b>x</b>::hint}} {{not a field}}"),
    ],
)
def test_markup(source, expected):
    assert markup.to_html(source) == expected


def test_nested_clozes_give_drill_s_and_anki_s_cards_alike(cli, anki, tmp_path):
    """Anki 23.10+ nests deletions: c1 hides the whole, c2 the inner part; drill agrees."""
    from drill.kinds import KINDS, sides

    cloze = "{{c1::outer {{c2::inner}} text}} end"
    assert [(s.suffix, s.front) for s in sides(KINDS["cloze"], {"text": cloze})] == [
        ("c1", "[...] end"),
        ("c2", "outer [...] text end"),
    ]
    deck = tmp_path / "n" / "n.yaml"
    write_yaml(deck, {"deck": "N", "cards": [{"id": "nest", "kind": "cloze", "text": cloze}]})
    import_all(anki, build(cli, [deck], tmp_path, T1))
    cards = sorted(anki_notes(anki)["nest"].cards(), key=lambda c: c.ord)
    assert [c.ord for c in cards] == [0, 1]
    assert text_without_attrs(cards[0].question()).count("[...]") == 1
    assert "outer" in text(cards[1].question()) and "[...]" in text(cards[1].question())
