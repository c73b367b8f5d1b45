"""Images and sounds in the real `drill quiz`, driven in a pseudo-terminal with pexpect.

The terminal's side of the image library's questions is played by the test: it types the
answers a kitty or a sixel terminal gives (the device attributes, the graphics protocol's
OK), ahead of the key that shows the answer, so they are waiting when the library asks.
The system viewer and the sound player are small scripts named by DRILL_VIEWER and
DRILL_PLAYER that write down how they were called."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pexpect
import pytest

import private
from drill.ui.media import default_player

FIXTURES = Path(__file__).parent / "fixtures" / "media"
START = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
RED = "48;2;200;30;30"  # red.png's colour as a 24-bit background
KITTY_ANSWERS = "\x1b[?62;c" + "\x1b_Gi=1;OK\x1b\\"  # no sixel in its attributes; graphics OK
SIXEL_ANSWERS = "\x1b[?62;4;22c"  # attribute 4: sixel

FRONT_IMAGE = """
deck: Media
cards:
  - id: colour
    front: "What colour is this?\\n![a red box](media/red.png)"
    back: Red
"""

BACK_IMAGE = """
deck: Media
cards:
  - id: colour
    front: What colour is a stop sign?
    back: "![a red box](media/red.png)"
"""

SOUNDS = """
deck: Media
cards:
  - id: tune
    front: "Which note is this? [sound:media/beep.wav]"
    back: "An A. [sound:media/low.wav]"
"""


@pytest.fixture
def env(tmp_path):
    """A private config, database and clock; the deck folder has red.png, beep.wav and
    low.wav in its media/ folder; DRILL_VIEWER and DRILL_PLAYER log their calls."""
    decks = tmp_path / "decks"
    (decks / "media").mkdir(parents=True)
    shutil.copy(FIXTURES / "red.png", decks / "media" / "red.png")
    shutil.copy(FIXTURES / "beep.wav", decks / "media" / "beep.wav")
    shutil.copy(FIXTURES / "beep.wav", decks / "media" / "low.wav")
    return private.terminal_env(
        tmp_path,
        decks,
        START,
        NO_COLOR=None,
        DRILL_VIEWER=str(recorder(tmp_path / "viewer", tmp_path / "viewer.log")),
        DRILL_PLAYER=str(recorder(tmp_path / "player", tmp_path / "player.log")),
    )


def recorder(script: Path, log: Path) -> Path:
    """A program that appends its arguments to `log`, a line per call. It ignores SIGTERM,
    so that a sound cut short by the next one is still written down."""
    script.write_text(f"#!/bin/sh\ntrap '' TERM\necho \"$@\" >> '{log}'\n")
    script.chmod(0o755)
    return script


def logged(path: Path, lines: int) -> list[str]:
    """The log once it has `lines` lines (the programs run in the background)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = path.read_text().splitlines() if path.exists() else []
        if len(found) >= lines:
            return found
        time.sleep(0.02)
    return path.read_text().splitlines() if path.exists() else []


def media_file(env, name: str) -> str:
    return str(Path(env["DRILL_CONFIG"]).parent / "decks" / "media" / name)


def deck(env, text: str) -> None:
    path = Path(env["DRILL_CONFIG"]).parent / "decks" / "media.yaml"
    path.write_text(textwrap.dedent(text).lstrip())


def spawn(env, **changes: str | None):
    child_env = {**env, **changes}
    child_env = {k: v for k, v in child_env.items() if v is not None}
    return pexpect.spawn(
        sys.executable,
        ["-m", "drill", "quiz"],
        env=child_env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 100),
    )


def quit_quiz(child) -> str:
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return child.before


def test_where_nothing_can_be_drawn_the_path_is_printed_and_o_opens_it(env, tmp_path):
    deck(env, FRONT_IMAGE)
    child = spawn(env)  # TERM=dumb
    child.expect_exact("What colour is this?")
    child.expect_exact(f"[image: a red box] {media_file(env, 'red.png')}")
    child.expect_exact("show answer")
    seen = child.before
    child.send("o")
    child.expect_exact("Opened ")
    assert logged(tmp_path / "viewer.log", 1) == [media_file(env, "red.png")]
    child.send("?")
    child.expect_exact("open the card's images in the system viewer")
    quit_quiz(child)
    assert "![" not in seen and "\x1b_G" not in seen and "\x1bP" not in seen


def test_through_a_pipe_the_path_is_printed_and_o_opens_it(env, tmp_path):
    deck(env, FRONT_IMAGE)
    run = subprocess.run(
        [sys.executable, "-m", "drill", "quiz"],
        input="o\n\n3\n",
        env={**env, "TERM": "xterm-256color"},  # a pipe: no terminal to draw in
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert f"[image: a red box] {media_file(env, 'red.png')}" in run.stdout
    assert "![" not in run.stdout
    assert logged(tmp_path / "viewer.log", 1) == [media_file(env, "red.png")]


def test_a_kitty_terminal_gets_the_image_through_the_graphics_protocol(env):
    deck(env, BACK_IMAGE)
    child = spawn(env, TERM="xterm-kitty")
    child.expect_exact("show answer")
    child.send(" " + KITTY_ANSWERS)
    child.expect_exact("(enter: ")
    drawn = child.before
    # The image sent as PNG (f=100), placed (a=p), then kitty's placeholder cells where it
    # shows, then the alt text as the caption.
    assert re.search(r"\x1b_G[^\x1b]*f=100[^\x1b]*;iVBOR", drawn), drawn  # a PNG's base64
    assert re.search(r"\x1b_Ga=p,[^\x1b]*\x1b\\", drawn)
    assert drawn.index("a=p") < drawn.index("\U0010eeee") < drawn.index("a red box")
    assert "![" not in drawn and "▀" not in drawn
    quit_quiz(child)


def test_a_sixel_terminal_gets_sixels(env):
    deck(env, BACK_IMAGE)
    child = spawn(env, TERM="xterm")
    child.expect_exact("show answer")
    child.send(" " + SIXEL_ANSWERS)
    child.expect_exact("(enter: ")
    drawn = child.before
    assert re.search(r"\x1bP[0-9;]*q.*#0;2;[0-9;]+.*\x1b\\.*a red box", drawn, re.DOTALL), drawn
    assert "![" not in drawn and "\x1b_G" not in drawn.split("\x1b[16t")[-1]
    quit_quiz(child)


def test_a_terminal_without_graphics_gets_half_blocks_in_colour(env):
    deck(env, FRONT_IMAGE)
    child = spawn(env, TERM="xterm-256color", COLORTERM="truecolor")  # answers nothing
    child.expect_exact("What colour is this?")
    child.expect_exact("show answer")
    drawn = child.before
    assert re.search(f"\x1b\\[38;2;200;30;30;{RED}m▀", drawn), drawn
    assert drawn.index("▀") < drawn.index("a red box")
    assert "![" not in drawn and "\x1bP" not in drawn
    quit_quiz(child)


def test_under_no_color_the_blocks_are_grey_shades(env):
    deck(env, FRONT_IMAGE)
    child = spawn(env, TERM="xterm-256color", NO_COLOR="1")
    child.expect_exact("What colour is this?")
    child.expect_exact("show answer")
    drawn = child.before
    assert re.search("[█▓▒░]+\r\n\x1b\\[2;3ma red box", drawn), drawn  # dim italic: no colour
    assert "\x1b[38;2" not in drawn and "▀" not in drawn
    quit_quiz(child)


def test_drill_images_path_never_draws(env):
    deck(env, FRONT_IMAGE)
    child = spawn(env, TERM="xterm-256color", DRILL_IMAGES="path")
    child.expect_exact(f"[image: a red box] {media_file(env, 'red.png')}")
    child.expect_exact("show answer")
    assert "\x1b[c" not in child.before  # the terminal is not even asked
    quit_quiz(child)


def test_the_quiz_loads_no_image_library_unless_it_draws(env):
    """Neither the quiz's start nor an image shown as its path pays for Pillow."""
    deck(env, FRONT_IMAGE)
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(sorted(m for m in ('PIL', 'textual_image')"
        " if m in sys.modules)))\n"
        "import drill.entry as e\n"
        "sys.argv = ['drill', 'quiz']\n"
        "e.main()\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], input="\n3\n", env=env, capture_output=True, text=True
    )
    assert "[image: a red box]" in run.stdout, run.stdout + run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]", run.stdout + run.stderr


def test_an_image_deleted_after_the_sync_is_named_missing(env):
    deck(env, FRONT_IMAGE)
    subprocess.run([sys.executable, "-m", "drill", "due"], env=env, check=True, capture_output=True)
    Path(media_file(env, "red.png")).unlink()
    child = spawn(env)
    child.expect_exact("[missing image media/red.png]")
    child.expect_exact("show answer")
    child.send(" ")
    child.expect_exact("Red")
    child.expect_exact("(enter: ")
    quit_quiz(child)


def test_sounds_play_with_their_side_and_r_plays_them_again(env, tmp_path):
    deck(env, SOUNDS)
    log = tmp_path / "player.log"
    beep, low = media_file(env, "beep.wav"), media_file(env, "low.wav")
    child = spawn(env)
    child.expect_exact("Which note is this?")
    child.expect_exact("[sound: media/beep.wav]  r: play again")
    child.expect_exact("show answer")
    assert "[sound:" not in child.before
    assert logged(log, 1) == [beep]  # the front's sound, as the front shows
    child.send("r")
    assert logged(log, 2) == [beep, beep]
    child.send(" ")
    child.expect_exact("An A.")
    child.expect_exact("(enter: ")
    assert logged(log, 3) == [beep, beep, low]  # the answer's own sound, not the front's
    child.send("r")
    assert logged(log, 4) == [beep, beep, low, low]
    child.send("3")
    child.expect_exact("Which note is this?")  # again: learning steps
    assert logged(log, 5)[4] == beep
    quit_quiz(child)


def test_autoplay_off_plays_only_on_r(env, tmp_path):
    deck(env, SOUNDS)
    child = spawn(env, DRILL_AUTOPLAY="0")
    child.expect_exact("show answer")
    child.send(" ")
    child.expect_exact("(enter: ")
    child.send("r")
    # Had the front's sound played, it would be first: the player runs at once.
    assert logged(tmp_path / "player.log", 1) == [media_file(env, "low.wav")]
    quit_quiz(child)


def test_without_a_player_the_sound_is_its_path(env):
    deck(env, SOUNDS)
    child = spawn(env, DRILL_PLAYER="no-such-player-here")
    child.expect_exact(f"[sound] {media_file(env, 'beep.wav')}")
    child.expect_exact("show answer")
    child.send("r")
    child.expect_exact("No player for this sound")
    quit_quiz(child)


def test_a_late_terminal_answer_is_not_read_as_keys(env, tmp_path):
    """The answer to the library's questions can come after it stopped waiting (a slow
    link): its digits must not rate the card (the 4 of `62;4c` would be Easy)."""
    deck(env, BACK_IMAGE)
    child = spawn(env)
    child.expect_exact("show answer")
    child.send(" ")
    child.expect_exact("(enter: ")
    child.send(SIXEL_ANSWERS + KITTY_ANSWERS + "\x1b[A")  # and an arrow key
    child.send("3")
    child.expect_exact("What colour is a stop sign?")  # again, a learning step later
    assert "Unknown key" not in child.before
    quit_quiz(child)
    conn = sqlite3.connect(env["DRILL_DB"])
    try:
        ratings = [r for (r,) in conn.execute("SELECT rating FROM review_log")]
    finally:
        conn.close()
    assert ratings == [3]


def test_the_player_is_one_that_plays_the_format():
    found = {"paplay", "aplay"}

    def which(name: str) -> str | None:
        return f"/usr/bin/{name}" if name in found else None

    assert default_player(Path("a.wav"), which) == ["paplay"]
    assert default_player(Path("a.mp3"), which) is None  # paplay and aplay play no MP3
    found.add("mpv")
    assert default_player(Path("a.mp3"), which) == ["mpv", "--no-video", "--really-quiet"]
