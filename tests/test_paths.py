"""Paths in messages: relative when inside the working folder, `~/` under home, else
absolute; never a relative walk through the home folder (`tmp/qa/home/notes/...`)."""

from __future__ import annotations

from pathlib import Path

from drill.paths import display_path


def test_paths_are_shown_as_a_user_would_type_them(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    # The home folder is inside the working folder: `~/` wins over `home/notes/...`.
    assert display_path(home / "notes" / "x.yaml") == "~/notes/x.yaml"
    assert display_path(tmp_path / "decks" / "x.yaml") == "decks/x.yaml"
    assert display_path(Path("/etc/hosts")) == "/etc/hosts"
    monkeypatch.chdir(home / "notes")
    assert display_path(home / "notes" / "x.yaml") == "x.yaml"
    assert display_path(home / "other.yaml") == "~/other.yaml"
    # For text read from anywhere (a deck file's comment): never relative.
    assert display_path(home / "notes" / "x.yaml", anchored=True) == "~/notes/x.yaml"


def test_init_writes_no_relative_path_into_the_deck(cli, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    result = cli("init", home / "notes", "--deck", "Mine")
    assert result.exit_code == 0, result.output
    text = (home / "notes" / "mine.yaml").read_text()
    assert "drill add ~/notes/mine.yaml" in text
    assert "Wrote ~/notes/mine.yaml" in result.stdout
