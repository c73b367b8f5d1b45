"""Real Anki decks in and out: packages made here by Anki itself (tests/anki_made.py: every
stock note type, a custom one, media, several decks, scheduling; current and legacy formats)
imported with no note lost, built back, and imported into the original collection (updated in
place: no new notes, no duplicates) and into a fresh one (every note, its fields, its media)."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import anki_made
from drill.content import load

pytest.importorskip("anki.collection")


@pytest.fixture(autouse=True)
def env(no_bundled_decks):
    return no_bundled_decks


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> anki_made.Made:
    return anki_made.make_packages(tmp_path_factory.mktemp("made"))


def _import(cli, *args):
    result = cli("import", *args)
    assert result.exit_code == 0, result.output
    return result


def _notes(folder: Path):
    collection = load([folder])
    assert not collection.problems, collection.problems
    return {n.guid: n for n in collection.notes}, collection


@pytest.mark.parametrize("fmt", ["current", "legacy"])
def test_every_note_of_every_note_type_comes_over(cli, env, made, fmt):
    package = getattr(made, fmt)
    members = set(zipfile.ZipFile(package).namelist())
    assert ("collection.anki21b" in members) == (fmt == "current")
    result = _import(cli, package, "--out", "imported")
    folder = env / "imported"
    assert sorted(p.name for p in folder.glob("*.yaml")) == [
        "geo.yaml",
        "lang-french.yaml",
        "lang-spanish.yaml",
    ]
    notes, collection = _notes(folder)
    assert len(notes) == made.notes
    g = {name: notes[guid] for name, guid in made.guids.items()}
    assert {n.deck for n in notes.values()} == {"Geo", "Lang::Spanish", "Lang::French"}

    # Text as Markdown: <b>hola </b>mundo is bold without the space; sounds and images are
    # files under media/.
    assert g["basic"].fields == {
        "front": "**hola** mundo",
        "back": "hello world [sound:media/beep.wav]",
    }
    assert g["basic"].notetype.name == "Basic" and g["basic"].tags == ("greeting",)
    assert g["image-only"].fields["front"] == "![](media/red.png)"
    assert g["empty-back"].fields == {"front": "sin respuesta", "back": ""}
    # Kinds follow the cards Anki has: an optional reverse only when it is on.
    kinds = {name: note.kind for name, note in g.items()}
    assert kinds == {
        "basic": "basic",
        "image-only": "basic",
        "empty-back": "basic",
        "reversed": "reverse",
        "optional-off": "basic",
        "optional-on": "reverse",
        "type-in": "basic",
        "cloze": "cloze",
        "nested": "cloze",
        "custom": "reverse",
        "occlusion": "basic",
    }
    assert dict(g["optional-on"].extra) == {"Add Reverse": "y"}
    assert g["type-in"].suspended and not g["basic"].suspended
    assert g["cloze"].fields == {
        "text": "{{c1::Canberra}} is the capital of {{c2::Australia}}",
        "note": "not Sydney",
    }
    # A custom note type: fields by name, the rest kept under their names.
    assert g["custom"].notetype.name == "Vocab (picture)"
    assert g["custom"].fields == {"front": "azul", "back": "blue"}
    assert dict(g["custom"].extra) == {
        "Example sentence": "El cielo es *azul*.",
        "Picture": "![](media/blue.png)",
    }
    # Image Occlusion: the image as the question, the masks kept as Anki wrote them.
    occlusion = g["occlusion"]
    assert occlusion.notetype.name == "Image Occlusion" and occlusion.notetype.cloze
    assert occlusion.fields["front"] == "![](media/red.png)"
    extra = dict(occlusion.extra)
    assert extra["Header"] == "Which colour?"
    assert extra["Occlusion"].count("image-occlusion:") == 2
    assert "1 Image Occlusion note: drill shows the whole image" in result.stdout

    cards = {c.id: c for c in collection.cards}
    nested = g["nested"].id
    assert cards[f"{nested}/c1"].front == "[...] and x^{2}"
    assert cards[f"{nested}/c1"].back == "**outer inner text** and x^{2}"
    assert cards[f"{nested}/c2"].front == "outer [...] text and x^{2}"
    empty = [c for c in collection.cards if c.note_id == g["empty-back"].id]
    assert [(c.front, c.back) for c in empty] == [("sin respuesta", "")]
    assert "**Example sentence:** El cielo es *azul*." in cards[g["custom"].id].extra

    media = folder / "media"
    assert {p.name for p in media.iterdir()} == made.media
    for name in made.media:
        assert (media / name).read_bytes() == (anki_made.MEDIA / name).read_bytes()
    assert cli("check", folder).exit_code == 0

    # Importing the same package again changes nothing.
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    again = _import(cli, package, "--out", "imported")
    assert again.stdout.count("0 new, 0 updated") == 3
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def _normalised(notes: dict) -> dict:
    """Note type names without the "+" Anki adds to a second note type of one name."""
    return {guid: (name.rstrip("+"), fields, deck) for guid, (name, fields, deck) in notes.items()}


def test_the_build_updates_the_original_collection_in_place(cli, env, made):
    _import(cli, made.current, "--out", "imported")
    assert cli("build", "imported", "--single", "--out", "build").exit_code == 0
    built = env / "build" / "drill.apkg"
    original = anki_made.copy_collection(made, env / "original")
    before = anki_made.notes_by_guid(original)
    log = anki_made.import_package(original, built)
    # The suspended note is left out of the build (genanki cannot write suspended cards).
    assert log.found_notes == made.notes - 1
    assert (len(log.new), len(log.duplicate), len(log.conflicting)) == (0, 0, 0)
    assert len(log.updated) == made.notes - 1
    after = anki_made.notes_by_guid(original)
    assert after == before  # same notes, note types, fields (after normalising) and decks

    # An edit in drill reaches the note in Anki, in place.
    spanish = env / "imported" / "lang-spanish.yaml"
    spanish.write_text(spanish.read_text().replace("back: rojo", "back: rojo (red)"))
    # Anki keeps a note unless the incoming one is newer, to the second: build a minute on.
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    result = cli("build", "imported", "--single", "--out", "build", env={"DRILL_NOW": later})
    assert result.exit_code == 0, result.output
    log = anki_made.import_package(original, built)
    assert (len(log.new), len(log.conflicting)) == (0, 0)
    edited = anki_made.notes_by_guid(original)[made.guids["image-only"]]
    assert edited[1]["Back"] == "rojo (red)"
    assert len(anki_made.notes_by_guid(original)) == made.notes

    fresh = env / "fresh" / "collection.anki2"
    fresh.parent.mkdir()
    log = anki_made.import_package(fresh, built)
    assert len(log.new) == made.notes - 1
    arrived = _normalised(anki_made.notes_by_guid(fresh))
    expected = _normalised(anki_made.notes_by_guid(original))
    del expected[made.guids["type-in"]]
    assert arrived == expected
    names = {re.sub(r"^drill-[0-9a-f]{10}-", "", n) for n in anki_made.media_names(fresh)}
    assert names == made.media


def test_several_decks_go_under_deck_or_need_a_folder(cli, env, made):
    result = cli("import", made.current, "--out", "one.yaml")
    assert result.exit_code == 1
    assert "holds 3 decks (Geo, Lang::French, Lang::Spanish): --out must name a folder" in (
        result.output
    )
    assert not (env / "one.yaml").exists() and not (env / "media").exists()
    _import(cli, made.current, "--deck", "From Anki", "--out", "mine")
    notes, _ = _notes(env / "mine")
    assert {n.deck for n in notes.values()} == {
        "From Anki::Geo",
        "From Anki::Lang::Spanish",
        "From Anki::Lang::French",
    }


def test_a_media_file_of_another_import_is_never_replaced(cli, env, made):
    (env / "imported" / "media").mkdir(parents=True)
    (env / "imported" / "media" / "red.png").write_bytes(b"someone else's picture")
    _import(cli, made.current, "--out", "imported")
    assert (env / "imported" / "media" / "red.png").read_bytes() == b"someone else's picture"
    notes, _ = _notes(env / "imported")
    front = notes[made.guids["image-only"]].fields["front"]
    renamed = re.fullmatch(r"!\[\]\(media/(red-[0-9a-f]{8}\.png)\)", front)
    assert renamed, front
    assert (env / "imported" / "media" / renamed.group(1)).read_bytes() == (
        anki_made.MEDIA / "red.png"
    ).read_bytes()


def test_a_file_the_package_lacks_is_kept_as_a_reference(cli, env, tmp_path_factory):
    from anki.collection import Collection

    folder = tmp_path_factory.mktemp("lacking")
    col = Collection(str(folder / "collection.anki2"))
    try:
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"] = "listen [sound:gone.mp3]"
        note["Back"] = '<img src="gone too.png">'
        col.add_note(note, col.decks.id("Sounds"))
        package = anki_made.export_package(col, folder / "lacking.apkg")
    finally:
        col.close()
    result = _import(cli, package)
    assert "Not carried over: media file 'gone.mp3' is not in the package" in result.stdout
    check = cli("check", "sounds.yaml")
    assert check.exit_code == 0
    assert "refers to media/gone.mp3, which is not beside the deck" in check.output
    assert cli("build", "sounds.yaml", "--out", "build").exit_code == 0
    fresh = env / "fresh" / "collection.anki2"
    fresh.parent.mkdir()
    anki_made.import_package(fresh, env / "build" / "sounds.apkg")
    ((_, fields, _),) = anki_made.notes_by_guid(fresh).values()
    assert fields == {"Front": "listen [sound:gone.mp3]", "Back": "![](gone-too.png)"}


def test_drill_build_then_import_gives_back_the_same_fields_and_media(cli, env):
    deck = env / "decks" / "pictures.yaml"
    (deck.parent / "media").mkdir(parents=True)
    for name in ("red.png", "beep.wav"):
        (deck.parent / "media" / name).write_bytes((anki_made.MEDIA / name).read_bytes())
    deck.write_text(
        "deck: Pictures\ncards:\n"
        "  - id: red\n    front: '![a red square](media/red.png) what colour?'\n"
        "    back: red [sound:media/beep.wav]\n    note: '*really* red'\n"
        "  - id: pair\n    kind: reverse\n    front: '![](media/red.png)'\n    back: rojo\n"
    )
    assert cli("build", deck, "--out", "build").exit_code == 0
    _import(cli, env / "build" / "pictures.apkg", "--out", "back/pictures.yaml")
    original = {n.id: (n.kind, n.fields) for n in load([deck]).notes}
    returned = {n.id: (n.kind, n.fields) for n in load([env / "back"]).notes}
    assert returned == original
    for name in ("red.png", "beep.wav"):
        assert (env / "back" / "media" / name).read_bytes() == (anki_made.MEDIA / name).read_bytes()


def test_progress_comes_along_with_the_due_dates_anki_has(cli, env, made):
    from anki.collection import Collection

    from drill.scheduler import SchedulerConfig, scheduling_day
    from drill.storage import Store

    col = Collection(str(anki_made.copy_collection(made, env / "anki")))
    try:
        # Days start when Anki's do (the collection's rollover is 12 hours from now, so a
        # day boundary is never near): drill's days are then Anki's, date for date.
        rollover = col.get_preferences().scheduling.rollover
        (env / "config.yaml").write_text(
            f"bundled: false\ndecks: [{env / 'mine'}]\noptions:\n  next_day_starts_at: {rollover}\n"
        )
        result = _import(cli, made.current, "--out", "mine")
        assert "Progress from Anki: 2 reviews brought in, 2 cards scheduled as Anki has them" in (
            result.stdout
        )
        today = col.sched.today
        config = SchedulerConfig(rollover_hour=rollover)
        notes, _ = _notes(env / "mine")
        with Store(env / "drill.db") as store:
            for name, suffix in (("reversed", ""), ("basic", "")):
                note = notes[made.guids[name]]
                nid = col.db.scalar("SELECT id FROM notes WHERE guid = ?", made.guids[name])
                card = col.get_note(nid).cards()[0]
                record = store.card(note.id + (f"/{suffix}" if suffix else ""))
                assert [r.origin for r in store.history(record.id)] == ["anki"]
                if card.type == 2:  # answered Easy: a review, due on Anki's day
                    now = datetime.now(UTC)
                    days = scheduling_day(record.state.due, config) - scheduling_day(now, config)
                    assert days.days == card.due - today
                    assert record.state.interval_days == card.ivl
                else:  # answered Good: a learning step, due at Anki's moment
                    assert int(record.state.due.timestamp()) == card.due
    finally:
        col.close()
    # Importing again brings nothing twice.
    again = _import(cli, made.current, "--out", "mine")
    assert "0 reviews brought in" in again.stdout


def test_progress_waits_for_a_deck_folder(cli, env, made):
    result = _import(cli, made.current, "--out", "elsewhere")
    assert "Progress from Anki (2 scheduled cards, 2 reviews) not brought in yet" in result.stdout
    assert "drill pull" in result.stdout


def test_a_note_gone_from_the_package_is_kept_with_its_note_type(cli, env, made):
    from anki.collection import Collection

    _import(cli, made.current, "--out", "imported")
    col = Collection(str(anki_made.copy_collection(made, env / "later")))
    try:
        nid = col.db.scalar("SELECT id FROM notes WHERE guid = ?", made.guids["custom"])
        col.remove_notes([nid])
        smaller = anki_made.export_package(col, env / "smaller.apkg", with_media=True)
    finally:
        col.close()
    result = _import(cli, smaller, "--out", "imported")
    assert "1 kept that the source no longer has" in result.stdout
    notes, _ = _notes(env / "imported")
    assert notes[made.guids["custom"]].notetype.name == "Vocab (picture)"


def test_a_note_with_cards_in_two_decks_is_said_and_its_cards_stay_put(cli, env, tmp_path):
    """Anki lets one note's cards live in different decks; a drill note has one deck. The
    import says which note and where it went, and the build leaves Anki's cards where they
    are. (A card in a filtered deck is not such a case: it counts in its home deck.)"""
    from anki.collection import Collection

    path = tmp_path / "split" / "collection.anki2"
    path.parent.mkdir()
    col = Collection(str(path))
    try:
        note = col.new_note(col.models.by_name("Basic (and reversed card)"))
        note["Front"], note["Back"] = "gato", "cat"
        col.add_note(note, col.decks.id("Words"))
        col.set_deck([note.cards()[1].id], col.decks.id("Words::Reverse"))
        guid, note_id = note.guid, note.id
        # Made an hour ago: drill's build is newer, so Anki updates the note (as in real use).
        col.db.execute("UPDATE notes SET mod = mod - 3600")
        package = anki_made.export_package(col, tmp_path / "split.apkg", with_media=False)
    finally:
        col.close()

    result = _import(cli, package, "--out", "split")
    assert (
        f"note {guid} has cards in 2 decks (Words, Words::Reverse): filed under Words;"
        in result.stdout
    )
    notes, _ = _notes(env / "split")
    assert notes[guid].deck == "Words"

    assert cli("build", "split", "--single", "--out", "build").exit_code == 0
    log = anki_made.import_package(path, env / "build" / "drill.apkg")
    assert (len(log.new), len(log.duplicate), len(log.conflicting)) == (0, 0, 0)
    assert len(log.updated) == 1
    col = Collection(str(path))
    try:
        cards = col.get_note(note_id).cards()
        assert [col.decks.name(c.did) for c in cards] == ["Words", "Words::Reverse"]
    finally:
        col.close()


def _styled_package(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A package whose own note type uses a font and a script by name, as shared decks do
    (Anki's rule: such files start with `_`), and carries one more `_` file nothing uses."""
    from anki.collection import Collection

    files = {"_serif.ttf": b"not really a font", "_hint.js": b"// hint\n", "_unused.css": b"x"}
    path = tmp_path / "styled" / "collection.anki2"
    path.parent.mkdir()
    col = Collection(str(path))
    try:
        for name, data in files.items():
            (tmp_path / name).write_bytes(data)
            assert col.media.add_file(str(tmp_path / name)) == name
        models = col.models
        notetype = models.new("Styled vocab")
        for name in ("Word", "Meaning"):
            models.add_field(notetype, models.new_field(name))
        card = models.new_template("Card 1")
        card["qfmt"] = '{{Word}}<script src="_hint.js"></script>'
        card["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}}"
        models.add_template(notetype, card)
        notetype["css"] = '@font-face { font-family: s; src: url("_serif.ttf"); }\n'
        models.add(notetype)
        note = col.new_note(col.models.by_name("Styled vocab"))
        note["Word"], note["Meaning"] = "perro", "dog"
        col.add_note(note, col.decks.id("Styled"))
        package = anki_made.export_package(col, tmp_path / "styled.apkg", with_media=True)
    finally:
        col.close()
    return package, files


def _fresh_import(built: Path, to: Path) -> tuple[dict[str, bytes], str, list[str]]:
    """The media files, CSS and templates a fresh collection has after importing `built`."""
    from anki.collection import Collection

    collection = to / "collection.anki2"
    to.mkdir()
    anki_made.import_package(collection, built)
    col = Collection(str(collection))
    try:
        styled = col.models.by_name("Styled vocab")
        css, fronts = styled["css"], [t["qfmt"] for t in styled["tmpls"]]
    finally:
        col.close()
    media = to / "collection.media"
    return {p.name: p.read_bytes() for p in media.iterdir()}, css, fronts


def test_the_files_a_note_type_uses_come_over_and_go_back(cli, env, tmp_path):
    package, files = _styled_package(tmp_path)
    _import(cli, package, "--out", "styled.yaml")
    media = env / "media"
    assert (media / "_serif.ttf").read_bytes() == files["_serif.ttf"]
    assert (media / "_hint.js").read_bytes() == files["_hint.js"]
    assert not (media / "_unused.css").exists()
    text = (env / "styled.yaml").read_text()
    assert "    media:\n      - media/_hint.js\n      - media/_serif.ttf\n" in text
    assert cli("check", "styled.yaml").exit_code == 0

    assert cli("build", "styled.yaml", "--single", "--out", "build").exit_code == 0
    got, css, fronts = _fresh_import(env / "build" / "drill.apkg", env / "fresh")
    assert got["_serif.ttf"] == files["_serif.ttf"] and got["_hint.js"] == files["_hint.js"]
    assert 'url("_serif.ttf")' in css and '<script src="_hint.js">' in fronts[0]

    (media / "_serif.ttf").unlink()
    result = cli("check", "styled.yaml")
    assert result.exit_code == 1
    assert re.search(r"styled\.yaml:\d+: `media`: 'media/_serif\.ttf': no such file", result.output)


def test_a_note_type_file_never_replaces_another_imports(cli, env, tmp_path):
    package, files = _styled_package(tmp_path)
    (env / "media").mkdir()
    (env / "media" / "_serif.ttf").write_bytes(b"another deck's font")
    _import(cli, package, "--out", "styled.yaml")
    assert (env / "media" / "_serif.ttf").read_bytes() == b"another deck's font"
    renamed = [p for p in (env / "media").glob("_serif-*.ttf")]
    assert [p.read_bytes() for p in renamed] == [files["_serif.ttf"]]
    assert renamed[0].name in (env / "styled.yaml").read_text()

    assert cli("build", "styled.yaml", "--single", "--out", "build").exit_code == 0
    got, css, _ = _fresh_import(env / "build" / "drill.apkg", env / "fresh")
    assert f'url("{renamed[0].name}")' in css
    assert got[renamed[0].name] == files["_serif.ttf"]


def test_media_no_note_uses_are_said_to_be_left_out(cli, env, tmp_path):
    """A package may carry files no note names (genanki takes any list; Anki's LaTeX images
    are named by no field): they stay behind, and the import says so."""
    import genanki

    for name in ("used.png", "spare.png", "latex-0a1b.png"):
        (tmp_path / name).write_bytes(name.encode())
    model = genanki.Model(1607392319, "Simple", fields=[{"name": "Q"}, {"name": "A"}],
                          templates=[{"name": "c", "qfmt": "{{Q}}", "afmt": "{{A}}"}])  # fmt: skip
    deck = genanki.Deck(2059400110, "Spare")
    deck.add_note(genanki.Note(model=model, fields=['<img src="used.png">', "a"]))
    package = genanki.Package(deck)
    package.media_files = [str(tmp_path / n) for n in ("used.png", "spare.png", "latex-0a1b.png")]
    package.write_to_file(str(tmp_path / "spare.apkg"))

    result = _import(cli, tmp_path / "spare.apkg", "--out", "spare.yaml")
    assert (
        "2 media files of the package left out ('latex-0a1b.png', 'spare.png'): no imported "
        "note or note type refers to them" in result.stdout
    )
    assert sorted(p.name for p in (env / "media").iterdir()) == ["used.png"]
