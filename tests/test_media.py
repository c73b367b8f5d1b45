"""Images and sounds in decks: files beside the deck, referenced from any text field as
`![alt](media/x.png)` or `[sound:media/x.mp3]`; checked with path:line, packaged for Anki
under names that never clash, and shown by Anki (the real `anki` package)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "media"
T1 = "2026-03-01T09:00:00+00:00"


def deck(folder: Path, name: str, body: str, media: tuple[str, ...] = ()) -> Path:
    (folder / "media").mkdir(parents=True, exist_ok=True)
    for file in media:
        shutil.copy(FIXTURES / file, folder / "media" / file)
    path = folder / f"{name}.yaml"
    path.write_text(f"deck: {name.capitalize()}\ncards:\n{body}", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("![x](media/none.png)", "image 'media/none.png': no such file"),
        ("![x](../outside.png)", "image '../outside.png': leaves the deck's folder"),
        ("![x](/etc/x.png)", "image '/etc/x.png': is an absolute path"),
        ("![x](https://e.x/a.png)", "image 'https://e.x/a.png': is a URL"),
        ("[sound:media/none.mp3]", "sound 'media/none.mp3': no such file"),
    ],
)
def test_check_names_each_bad_media_reference_with_its_line(cli, tmp_path, reference, message):
    path = deck(tmp_path / "d", "m", f"  - id: a\n    front: Q\n    back: 'see {reference}'\n")
    result = cli("check", path)
    assert result.exit_code == 1
    assert f"m.yaml:5: `back`: {message}" in result.stdout


def test_media_in_a_list_field_and_in_the_note_are_checked(cli, tmp_path):
    body = (
        "  - id: t\n    kind: tradeoff\n    decision: D\n"
        "    pros: ['ok ![a](media/red.png)', '![b](media/missing.png)']\n    cons: [c]\n"
        "    note: '![n](media/gone.png)'\n"
    )
    result = cli("check", deck(tmp_path / "d", "m", body, ("red.png",)))
    assert result.exit_code == 1
    assert "m.yaml:6: `pros`: image 'media/missing.png'" in result.stdout
    assert "m.yaml:8: `note`: image 'media/gone.png'" in result.stdout


def test_build_packs_the_files_and_anki_shows_them(cli, anki, tmp_path, monkeypatch):
    """Two decks with a `media/pic.png` each (different pictures): both arrive, under
    different names, and the note fields point at them."""
    monkeypatch.chdir(tmp_path)
    one = deck(
        tmp_path / "one", "one", "  - id: one\n    front: '![red](media/pic.png)'\n    back: b\n"
    )
    two = deck(
        tmp_path / "two",
        "two",
        "  - id: two\n    front: '![blue](media/pic.png)'\n    back: '[sound:media/beep.wav]'\n",
    )
    shutil.copy(FIXTURES / "red.png", tmp_path / "one" / "media" / "pic.png")
    shutil.copy(FIXTURES / "blue.png", tmp_path / "two" / "media" / "pic.png")
    shutil.copy(FIXTURES / "beep.wav", tmp_path / "two" / "media" / "beep.wav")
    out = tmp_path / "build"
    result = cli(
        "build", one, two, "--out", out, "--single", "--db", tmp_path / "db", env={"DRILL_NOW": T1}
    )
    assert result.exit_code == 0, result.output
    assert "3 media files" in result.stdout
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    anki.import_anki_package(
        ImportAnkiPackageRequest(
            package_path=str(out / "drill.apkg"),
            options=ImportAnkiPackageOptions(merge_notetypes=True),
        )
    )
    media_dir = Path(anki.media.dir())
    fronts = {}
    for nid in anki.find_notes(""):
        note = anki.get_note(nid)
        fronts[note["Id"]] = note["Front"]
        if note["Id"] == "two":
            assert "[sound:drill-" in note["Back"]
    names = {f.split('src="')[1].split('"')[0] for f in fronts.values()}
    assert len(names) == 2 and all(n.startswith("drill-") and n.endswith("-pic.png") for n in names)
    for name in names:
        assert (media_dir / name).is_file()
    assert {(media_dir / n).read_bytes() for n in names} == {
        (FIXTURES / "red.png").read_bytes(),
        (FIXTURES / "blue.png").read_bytes(),
    }
