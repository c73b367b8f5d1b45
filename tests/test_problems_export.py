"""`drill build --problems N --seed S`: generated problems as type-in Anki notes, proven with
Anki's own backend (the `anki` package), as in tests/test_export.py."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from drill.anki import package as export
from drill.content import load_problems
from drill.paths import bundled_decks_dir

anki_collection = pytest.importorskip("anki.collection")

T1 = "2026-03-01T09:00:00+00:00"
T2 = "2026-03-02T09:00:00+00:00"


@pytest.fixture
def decks(tmp_path) -> Path:
    """A copy of the bundled estimation problems and one card deck beside them."""
    folder = tmp_path / "decks"
    shutil.copytree(bundled_decks_dir() / "estimation", folder / "estimation")
    (folder / "cards.yaml").write_text(
        "deck: Cards\ncards:\n  - {id: one, front: Q, back: A}\n", encoding="utf-8"
    )
    return folder


def build(cli, tmp_path: Path, now: str, *args) -> list[Path]:
    result = cli(
        "build", *args, "--out", tmp_path / "build", "--db", tmp_path / "drill.db",
        env={"DRILL_NOW": now},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return [Path(p) for p in re.findall(r"^wrote (.+\.apkg): ", result.stdout, re.MULTILINE)]


def import_all(col, packages: list[Path]) -> dict[str, int]:
    totals = {"new": 0, "updated": 0, "duplicate": 0}
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
    return totals


def text(rendered: str) -> str:
    rendered = re.sub(r"<style>.*?</style>", "", rendered, flags=re.DOTALL)
    rendered = re.sub(r"</?(?:br|p|ul|li|div|hr)\b[^>]*>", " ", rendered)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", rendered)).split())


def test_problems_import_as_type_in_notes_and_reimport_unchanged(cli, anki, tmp_path, decks):
    templates = load_problems([decks])
    packages = build(cli, tmp_path, T1, decks, "--problems", "2", "--seed", "5")
    assert sorted(p.name for p in packages) == ["cards.apkg", "estimation.apkg"]
    assert import_all(anki, packages) == {"new": 1 + 2 * len(templates), "updated": 0,
                                          "duplicate": 0}  # fmt: skip

    notes = {n["Id"]: n for n in (anki.get_note(i) for i in anki.find_notes("Id:*@*"))}
    assert set(notes) == {f"{t.id}@{seed}" for t in templates for seed in (5, 6)}
    for template in templates:
        for seed in (5, 6):
            note = notes[f"{template.id}@{seed}"]
            instance = template.instance(seed)
            note_type = note.note_type()
            assert note_type["name"] == "drill: problem"
            assert note_type["id"] == export.stable_id("drill:problem:v1")
            assert list(note.keys()) == [
                "Question", "Answer", "Answers", "Solution", "Hints", "Source", "Id",
            ]  # fmt: skip
            assert note.guid == export.note_guid(f"{template.id}@{seed}")
            main = next(iter(instance.answers.values()))
            assert html.unescape(note["Answer"]) == main.text  # what {{type:Answer}} compares
            assert text(note["Question"]) == f"{instance.question} {main.prompt}"
            for answer in instance.answers.values():
                within = export.format_tolerance(answer.tolerance)
                assert f"{answer.prompt} {answer.text} (right within ± {within})" in text(
                    note["Answers"]
                )
            assert text(note["Solution"]) == " ".join(" ".join(instance.worked).split())
            assert note["Solution"].count("<br>") == len(instance.worked) - 1
            if instance.decision is not None:
                decision = instance.decision
                assert f"{decision.prompt} {decision.answer}" in text(note["Answers"])
            assert note["Source"] == html.escape(template.source or "", quote=False)
            assert {t.casefold() for t in note.tags} == {
                t.casefold() for t in (*template.tags, "drill::problem")
            }
            (card,) = note.cards()
            assert anki.decks.name(card.did) == "Estimation::Problems"
            question, answer = text(card.question()), text(card.answer())
            assert "[[type:Answer]]" in card.question()
            assert instance.question in question
            assert " ".join(instance.worked[-1].split()) in answer
            assert f"{template.id}@{seed}" in answer

    # Rebuilt unchanged: re-importing changes nothing; more seeds add only the new ones.
    assert import_all(anki, build(cli, tmp_path, T2, decks, "--problems", "2", "--seed", "5")) == {
        "new": 0, "updated": 0, "duplicate": 1 + 2 * len(templates),
    }  # fmt: skip
    log = import_all(anki, build(cli, tmp_path, T2, decks, "--problems", "3", "--seed", "5"))
    assert log == {"new": len(templates), "updated": 0, "duplicate": 1 + 2 * len(templates)}


def test_build_problem_options(cli, tmp_path, decks):
    # Default seeds are 0..N-1; --deck keeps only matching problems; problems alone build.
    packages = build(cli, tmp_path, T1, decks, "--problems", "1", "--deck", "Estimation")
    assert [p.name for p in packages] == ["estimation.apkg"]
    notes = export.problem_notes(load_problems([decks]), 1, 0, export.datetime.now())
    assert {n.id.rsplit("@", 1)[1] for n in notes} == {"0"}
    assert len({n.guid for n in notes}) == len(notes)
    # Without --problems, problem templates are not exported.
    result = cli("build", decks, "--out", tmp_path / "b2", "--db", tmp_path / "drill.db",
                 "--deck", "Estimation", env={"DRILL_NOW": T1})  # fmt: skip
    assert result.exit_code == 1 and "no cards match" in result.stderr
    result = cli("build", decks, "--problems", "-1", "--out", tmp_path / "b3")
    assert result.exit_code == 2


def test_build_says_when_it_leaves_the_problems_out(cli, tmp_path, decks):
    templates = load_problems([decks])
    result = cli(
        "build", decks, "--out", tmp_path / "build", "--db", tmp_path / "drill.db",
        env={"DRILL_NOW": T1},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    studied = sum(1 for t in templates if not t.suspended)
    assert f"left out {studied} estimation problems" in result.stdout
    assert "--problems N" in result.stdout
    with_them = cli(
        "build", decks, "--out", tmp_path / "b2", "--db", tmp_path / "drill.db", "--problems", "1",
        env={"DRILL_NOW": T1},
    )  # fmt: skip
    assert "left out" not in with_them.stdout
