"""Real public Anki decks (tests/fixtures/anki-public/README.md says where each is from) through
drill and back, compared with what Anki's own backend reads in them (tests/anki_public.py):
every note comes over without --skip-bad, with its fields and its media; `drill build` gives a
fresh collection every note with the same fields, and the original collection no new note and
no conflict. Fields are compared as drill's Markdown of Anki's HTML on both sides, with media
file names left out (drill packs files as `drill-<hash>-name` and makes names safe)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from anki_public import PUBLIC_DECKS, inspect, listed

FIXTURES = [f["file"] for f in listed()]
pytestmark = pytest.mark.skipif(
    not PUBLIC_DECKS.is_dir(), reason=f"the public Anki decks are not in {PUBLIC_DECKS}"
)
_MEDIA_REF = re.compile(r"(!\[[^\]]*\]\()[^)\n]*(\))|(\[sound:)[^\]\n]+(\])")
_SRC = re.compile(r"""<img[^>]*?src=["']?([^"'>]+)|\[sound:([^\]]+)\]""", re.IGNORECASE)


def _normal(markdown: str) -> str:
    return _MEDIA_REF.sub(lambda m: "".join(g for g in m.groups() if g), markdown)


def _markdown(html: str) -> str:
    from drill.importers.html import html_to_markdown

    # A file name Markdown cannot hold (spaces, brackets) is made safe, as drill does.
    return _normal(html_to_markdown(html, lambda name: re.sub(r"[()\[\]\s]", "-", name)))


@pytest.fixture(autouse=True)
def env(tmp_path, monkeypatch):
    monkeypatch.delenv("DRILL_DECKS", raising=False)
    config = tmp_path / "config.yaml"
    config.write_text("bundled: false\n")
    monkeypatch.setenv("DRILL_CONFIG", str(config))
    monkeypatch.setenv("DRILL_DB", str(tmp_path / "drill.db"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _drill_fields(note) -> dict[str, str]:
    """An imported note's fields under their Anki names, as drill holds them."""
    values = {name: "" for name in note.notetype.fields}
    for anki_name, drill_name in note.notetype.to_drill:
        if drill_name == "note":
            values[anki_name] = note.fields.get("note", "")
        else:
            values[anki_name] = note.fields.get(drill_name, "")
    values.update(dict(note.extra))
    return {name: _normal(text) for name, text in values.items()}


def _original(path: Path, folder: Path) -> Path:
    """The collection the deck came from: the package imported by Anki, or the collection."""
    from anki_public import _open

    folder.mkdir()
    col = _open(path, folder)
    if col.sched_ver() == 1:  # an old collection: Anki upgrades it before it imports
        col.upgrade_to_v2_scheduler()
    col.set_v3_scheduler(True)
    col.close()
    return folder / "collection.anki2"


@pytest.mark.parametrize("name", FIXTURES)
def test_a_public_deck_comes_over_and_goes_back(cli, env, name):
    import anki_made
    from drill.content import load

    path = PUBLIC_DECKS / name
    anki = inspect(path)
    result = cli("import", path, "--out", "imported")
    assert result.exit_code == 0, result.output

    collection = load([env / "imported"])
    assert not collection.problems, collection.problems
    notes = {n.guid: n for n in collection.notes}
    by_guid = {n["guid"]: n for n in anki["note_list"]}
    assert set(notes) == set(by_guid)  # every note, none twice
    for guid, anki_note in by_guid.items():
        expected = {k: _markdown(v) for k, v in anki_note["fields"].items()}
        assert _drill_fields(notes[guid]) == expected, guid

    # Media: every file a note refers to that Anki has.
    referred = {
        m.group(1) or m.group(2)
        for note in anki["note_list"]
        for value in note["fields"].values()
        for m in _SRC.finditer(value)
    }
    wanted = {n for n in referred if n in anki["media"]}
    written = list((env / "imported" / "media").glob("*")) if wanted else []
    assert len(written) == len(wanted)

    assert cli("build", "imported", "--single", "--out", "build").exit_code == 0
    built = env / "build" / "drill.apkg"
    left_out = {n.guid for n in collection.notes if n.suspended}
    fresh = env / "fresh" / "collection.anki2"
    fresh.parent.mkdir()
    log = anki_made.import_package(fresh, built)
    assert len(log.new) == len(notes) - len(left_out)
    arrived = anki_made.notes_by_guid(fresh)
    for guid, (_, fields, _) in arrived.items():
        expected = {k: _markdown(v) for k, v in by_guid[guid]["fields"].items()}
        assert {k: _normal(v) for k, v in fields.items()} == expected, guid
    if wanted:
        sizes = sorted(p.stat().st_size for p in written)
        media = fresh.with_name("collection.media")
        assert sorted(p.stat().st_size for p in media.iterdir()) == sizes

    original = _original(path, env / "original")
    count = len(anki_made.notes_by_guid(original))
    log = anki_made.import_package(original, built)
    assert (len(log.new), len(log.conflicting)) == (0, 0)
    assert len(anki_made.notes_by_guid(original)) == count
