"""Images and sounds in the quiz, as Anki shows them: an image where the text refers to it, the
sounds of a side played when that side shows (the front's with the question, the back's with
the answer), `r` to play them again and `o` to open the card's images in the system viewer.

Images are drawn by textual-image, which asks the terminal what it can show: the kitty
graphics protocol, else sixel (xterm, foot, WezTerm, iTerm2, Konsole, Windows Terminal...),
else coloured half blocks (grey shades under NO_COLOR). Where nothing can be drawn (output to
a pipe or a file, TERM=dumb, the library missing or failing) the file's path is printed
instead. Sounds play through the first system player found, in the background; without one,
the path is printed. Nothing here imports more than the standard library until a card with
an image is drawn, so neither `drill due` nor the quiz's start pays for Pillow.

The environment can say otherwise (each is also how the tests put in their own programs):
    DRILL_IMAGES    auto (the default), kitty, sixel, blocks, or path (never draw)
    DRILL_VIEWER    the program that opens an image (default: xdg-open, open, start)
    DRILL_PLAYER    the program that plays a sound (default: mpv, ffplay, afplay, paplay, aplay)
    DRILL_AUTOPLAY  0: play sounds only on `r`
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

# subprocess, threading and shlex are imported when first needed: the quiz's start pays
# for none of them (a few milliseconds) when no card has media.

IMAGE_MODES = ("auto", "kitty", "sixel", "blocks", "path")
MAX_COLUMNS = 64  # an image is drawn at its own size, scaled down to fit this box
MAX_ROWS = 20
CELL_PIXELS = (8, 16)  # a common terminal cell, to tell an image's own size in cells

# Players that play any format come first: paplay and aplay are everywhere on Linux but play
# only what libsndfile reads (aplay: WAV alone), and Anki decks are mostly MP3.
PLAYERS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("mpv", "--no-video", "--really-quiet"), ()),
    (("ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"), ()),
    (("afplay",), ()),
    (("paplay",), (".wav", ".ogg", ".oga", ".flac", ".aiff", ".aif", ".au")),
    (("aplay", "-q"), (".wav", ".au")),
)
OFF = ("0", "false", "no", "off")


def start_program(command: list[str]) -> subprocess.Popen[bytes]:
    """Run a program in the background, its output hidden (xdg-open and players chatter),
    in its own session so Ctrl-C in the quiz does not reach it."""
    import subprocess

    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


class Sounds:
    """Plays files one after the other in a background thread, never blocking the quiz;
    `play` and `stop` cut short what is playing, as Anki does on a new side or a replay."""

    def __init__(self, launch: Callable[[list[str]], Any]):
        import threading

        self._launch = launch
        self._lock = threading.Lock()
        self._turn = 0
        self._playing: Any = None

    def play(self, commands: list[list[str]]) -> None:
        import threading

        self.stop()
        if commands:
            turn = self._turn
            threading.Thread(target=self._run, args=(commands, turn), daemon=True).start()

    def _run(self, commands: list[list[str]], turn: int) -> None:
        for command in commands:
            with self._lock:
                if turn != self._turn:
                    return
                try:
                    process = self._playing = self._launch(command)
                except OSError:
                    continue
            process.wait()

    def stop(self) -> None:
        with self._lock:
            self._turn += 1
            if self._playing is not None and self._playing.poll() is None:
                self._playing.terminate()
            self._playing = None


_UNSET: Any = object()


def which(name: str) -> str | None:
    import shutil

    return shutil.which(name)


@dataclass
class QuizMedia:
    """The images and sounds of the card being shown: draws or names them, plays, opens."""

    console: Any  # rich.console.Console
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    launch: Callable[[list[str]], Any] = start_program
    which: Callable[[str], str | None] = which
    images: list[Path] = field(default_factory=list)  # the card's so far: what `o` opens
    sounds: list[Path] = field(default_factory=list)  # the side's: what `r` plays
    _drawer: Any = _UNSET  # (textual-image class, console), or None: print paths
    _player_queue: Sounds | None = None  # made when a sound first plays

    @property
    def _sounds(self) -> Sounds:
        if self._player_queue is None:
            self._player_queue = Sounds(self.launch)
        return self._player_queue

    # ------------------------------------------------------------------ the card's sides

    def new_card(self) -> None:
        self.images.clear()
        self.new_side()

    def new_side(self) -> None:
        """The answer shows: its own sounds from now on; the front's images stay openable."""
        self.sounds.clear()
        if self._player_queue is not None:
            self._player_queue.stop()

    def side_shown(self) -> None:
        """Play the side's sounds, unless DRILL_AUTOPLAY says not to."""
        if self.env.get("DRILL_AUTOPLAY", "").strip().lower() not in OFF:
            self.play()

    def stop(self) -> None:
        if self._player_queue is not None:
            self._player_queue.stop()

    # ------------------------------------------------------------------ images

    def image(self, written: str, alt: str, folder: Path) -> None:
        """The image a text refers to (its path as written, relative to the deck's folder),
        drawn if the terminal can, else its path; a caption with the alt text."""
        path = folder / written
        if not path.is_file():
            self._say(f"[missing image {written}]", "yellow")
            return
        if path not in self.images:
            self.images.append(path)
        drawer = self._get_drawer()
        failure = self._draw(drawer, path) if drawer is not None else None
        if drawer is not None and failure is None:
            if alt:
                self._say(alt, "dim italic")
            return
        label = f"[image: {alt}]" if alt else "[image]"
        reason = f" (cannot draw it: {failure})" if failure else ""
        self._say(f"{label} {_shown(path)}{reason}  o: open", "cyan")

    def _get_drawer(self) -> Any:
        if self._drawer is _UNSET:
            self._drawer = self._choose_drawer()
        return self._drawer

    def _choose_drawer(self) -> Any:
        mode = self.env.get("DRILL_IMAGES", "").strip().lower() or "auto"
        if mode not in IMAGE_MODES:
            self._say(f"DRILL_IMAGES={mode} is not one of {', '.join(IMAGE_MODES)}; using auto.")
            mode = "auto"
        if mode == "path" or (mode == "auto" and not self._terminal_can_draw()):
            return None
        try:
            import logging

            # It logs a warning with a traceback when the terminal does not tell its cell
            # size (tmux, a pseudo-terminal); the quiz's screen is not the place for that.
            logger = logging.getLogger("textual_image")
            logger.addHandler(logging.NullHandler())
            logger.propagate = False
            # Importing it asks the terminal (on standard input and output) what it can
            # draw: sixel, then the kitty protocol.
            from textual_image import renderable
        except Exception as err:  # not installed, or broken: the paths do the job
            self._say(f"(Images show as paths: textual-image cannot load: {err})", "dim")
            return None
        chosen = {
            "kitty": renderable.TGPImage,
            "sixel": renderable.SixelImage,
            "blocks": renderable.HalfcellImage,
        }.get(mode, renderable.Image)
        if chosen in (renderable.HalfcellImage, renderable.UnicodeImage):
            # Half blocks are coloured text: under NO_COLOR, grey shades instead.
            chosen = renderable.UnicodeImage if self.console.no_color else renderable.HalfcellImage
        console = self.console
        if chosen is renderable.TGPImage:
            # kitty places the image where text cells carry its id in their 24-bit colour, so
            # those cells must keep their colour whatever TERM or NO_COLOR say.
            from rich.console import Console

            console = Console(
                file=self.console.file,
                color_system="truecolor",
                force_terminal=True,
                no_color=False,
                width=self.console.width,
                height=self.console.height,
                highlight=False,
                emoji=False,
            )
        return chosen, console

    def _terminal_can_draw(self) -> bool:
        """A terminal on both ends (the library asks it, and reads the answer from standard
        input), and not one that says it is dumb."""
        term = self.env.get("TERM", "")
        streams = (sys.__stdin__, sys.__stdout__)
        ttys = all(s is not None and s.isatty() for s in streams)
        return ttys and self.console.is_terminal and term not in ("dumb", "unknown")

    def _draw(self, drawer: Any, path: Path) -> str | None:
        """Draw the image; None when done, else why it could not be (a file Pillow cannot
        read, such as SVG, or a terminal that failed)."""
        cls, console = drawer
        try:
            from PIL import Image as PILImage

            with PILImage.open(path) as picture:
                picture.load()
                width, height = self._box(picture.size)
                console.print(cls(picture, width="auto", height="auto"), width=width, height=height)
        except Exception as err:
            return str(err) or type(err).__name__
        return None

    def _box(self, size: tuple[int, int]) -> tuple[int, int]:
        """The cells to fit the image in: its own size, at most MAX_COLUMNS x MAX_ROWS, the
        terminal's width and half its height."""
        columns = max(1, min(MAX_COLUMNS, self.console.width))
        rows = max(1, min(MAX_ROWS, self.console.height // 2))
        own = (-(-size[0] // CELL_PIXELS[0]), -(-size[1] // CELL_PIXELS[1]))
        return max(1, min(columns, own[0])), max(1, min(rows, own[1]))

    def open_images(self) -> None:
        """`o`: the card's images in the system viewer, in the background."""
        if not self.images:
            self._say("No image on this card.", "dim")
            return
        viewer = self._program("DRILL_VIEWER", default_viewer(self.which))
        if viewer is None:
            shown = ", ".join(_shown(p) for p in self.images)
            self._say(f"No program to open images (set DRILL_VIEWER): {shown}", "yellow")
            return
        for path in self.images:
            try:
                self.launch([*viewer, str(path)])
            except OSError as err:
                self._say(f"Could not open {_shown(path)}: {err}", "yellow")
                return
            self._say(f"Opened {_shown(path)}.", "dim")

    # ------------------------------------------------------------------ sounds

    def sound(self, written: str, folder: Path) -> None:
        """A sound a text refers to: noted for the side (played when the side shows), and
        named, with its path when there is nothing to play it with."""
        path = folder / written
        if not path.is_file():
            self._say(f"[missing sound {written}]", "yellow")
            return
        self.sounds.append(path)
        if self._player(path) is None:
            chosen = self.env.get("DRILL_PLAYER", "").strip()
            why = f"DRILL_PLAYER={chosen}: not found" if chosen else "no player found"
            self._say(f"[sound] {_shown(path)}  ({why})", "cyan")
        else:
            self._say(f"[sound: {written}]  r: play again", "cyan")

    def play(self) -> None:
        """The side's sounds, one after the other, in the background."""
        commands = []
        for path in self.sounds:
            player = self._player(path)
            if player is not None:
                commands.append([*player, str(path)])
        self._sounds.play(commands)

    def replay(self) -> None:
        """`r`."""
        if not self.sounds:
            self._say("No sound on this side of the card.", "dim")
        elif not any(self._player(path) for path in self.sounds):
            self._say("No player for this sound (set DRILL_PLAYER).", "yellow")
        else:
            self.play()

    def _player(self, path: Path) -> list[str] | None:
        if self.env.get("DRILL_PLAYER", "").strip():
            return self._program("DRILL_PLAYER", None)
        return default_player(path, self.which)

    # ------------------------------------------------------------------ helpers

    def _program(self, variable: str, default: list[str] | None) -> list[str] | None:
        """The command an environment variable names (arguments allowed), if its program
        exists; else the default."""
        value = self.env.get(variable, "").strip()
        if not value:
            return default
        import shlex

        command = shlex.split(value)
        return command if command and self.which(command[0]) else None

    def _say(self, text: str, style: str = "") -> None:
        """A line; never broken, as it may hold a path to copy (the terminal wraps it)."""
        from rich.text import Text

        self.console.print(Text(text, style=style), soft_wrap=True)


def default_viewer(which: Callable[[str], str | None]) -> list[str] | None:
    """The system's way to open a file with its usual program."""
    if sys.platform == "darwin":
        return ["open"]
    if sys.platform == "win32":
        return ["cmd", "/c", "start", ""]
    return ["xdg-open"] if which("xdg-open") else None


def default_player(path: Path, which: Callable[[str], str | None]) -> list[str] | None:
    """The first player found that plays this file's format."""
    suffix = path.suffix.lower()
    for command, formats in PLAYERS:
        if (not formats or suffix in formats) and which(command[0]):
            return list(command)
    return None


def _shown(path: Path) -> str:
    from drill.paths import display_path

    return display_path(path)
