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


def test_the_commands_init_suggests_run_in_a_shell(tmp_path, monkeypatch):
    """`drill init` ends with the commands to run next; pasted into a shell they must work,
    so `~/` stays outside any quotes (a quoted '~/notes' names a folder called `~`)."""
    import os
    import subprocess
    import sys

    home = tmp_path / "home"
    (home / "my notes").mkdir(parents=True)
    env = {**os.environ, "HOME": str(home), "DRILL_CONFIG": str(home / "config.yaml")}
    env.pop("DRILL_DECKS", None)
    monkeypatch.chdir(tmp_path)
    drill = [sys.executable, "-m", "drill"]
    made = subprocess.run(
        [*drill, "init", str(home / "my notes" / "drill")], env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    suggested = [line.strip() for line in made.stdout.splitlines() if line.startswith("  drill ")]
    check = next(line for line in suggested if line.startswith("drill check"))
    assert check == "drill check ~/'my notes/drill'"
    ran = subprocess.run(
        ["bash", "-c", check.replace("drill", " ".join(drill), 1)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "1 deck, 8 notes" in ran.stdout


def test_shell_words_keep_the_home_folder_expandable():
    from drill.ui.render import shell_word

    assert shell_word("~/notes/drill") == "~/notes/drill"
    assert shell_word("~/my notes") == "~/'my notes'"
    assert shell_word("~") == "~"
    assert shell_word("decks/it's.yaml") == "'decks/it'\"'\"'s.yaml'"
    assert shell_word("System Design") == "'System Design'"
