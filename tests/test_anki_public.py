"""The real public Anki packages the importer tests use are where the README says, are the files
it describes, and Anki's own backend reads in each what the README records."""

from __future__ import annotations

import hashlib

import pytest

from anki_public import PUBLIC_DECKS, counts, inspect, listed

FIXTURES = listed()


def test_the_readme_lists_the_fixtures():
    assert len(FIXTURES) >= 6
    assert len({f["file"] for f in FIXTURES}) == len(FIXTURES)


@pytest.mark.skipif(
    not PUBLIC_DECKS.is_dir(), reason=f"the public Anki decks are not in {PUBLIC_DECKS}"
)
@pytest.mark.parametrize("fixture", FIXTURES, ids=[f["file"] for f in FIXTURES])
def test_anki_reads_each_fixture_as_the_readme_says(fixture):
    path = PUBLIC_DECKS / fixture["file"]
    assert path.is_file(), f"{path} is listed in the README but missing"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == fixture["sha256"]
    info = inspect(path)
    assert counts(info) == fixture["counts"]
    assert len(info["note_list"]) == info["notes"]
    assert all(note["guid"] and note["fields"] for note in info["note_list"])
