"""The interactive quiz: Anki's reviewer, in a terminal. A thin loop over
drill.services.study.StudySession: it shows what the session gives and passes on the keys.

One card at a time: the counts and the deck, the question, then the answer and the four
ratings with the interval each would give. On a terminal, keys act at once; without one (a
pipe, a script), each line of standard input is one command, with the same keys, so the quiz
can be scripted.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import IO, TYPE_CHECKING, Any

from drill.grading import Grade, percent
from drill.names import plural
from drill.scheduler import Rating, format_interval
from drill.services.errors import DrillError
from drill.services.study import Prompt, StudySession

if TYPE_CHECKING:
    from drill.ui.media import QuizMedia

HELP = """\
Keys
  space, enter  show the answer; after it, answer Good (or the suggested rating)
  1 2 3 4       Again, Hard, Good, Easy
  u             undo the last answer, suspend or bury
  s             suspend this card (drill card unsuspend ID brings it back)
  b             bury this card until tomorrow
  e             where the card lives (path:line)
  o             open the card's images in the system viewer
  r             play the sounds of this side of the card again
  h             a hint (estimation problems, while typing an answer)
Estimation problems: drill quiz --assume hides the inputs for you to propose;
  --timed shows a countdown (3 minutes unless the problem says otherwise).
  ?             this help
  q             quit (Ctrl-C and Ctrl-D too); every answer so far is saved
Number cards: type your answer and press enter (an empty line just shows it)."""

ENTER = "enter"
QUIT = "quit"
NEXT = "next"
COMMAND_KEYS = {"q", "u", "s", "b", "e", "o", "r", "?"}
COLOURS = {"right": "green", "close": "yellow"}


class Input:
    """Keys and lines from the user: single keypresses on a terminal, lines otherwise.

    On a terminal the session runs in cbreak mode (keys arrive at once, Ctrl-C still
    interrupts); typed answers switch back to line editing for their line only. Use it as
    a context manager so the terminal is always restored."""

    def __init__(self, stream: IO[str] | None = None):
        self.stream = stream or sys.stdin
        self.tty = self.stream.isatty()
        self._saved: Any = None

    def __enter__(self) -> Input:
        if self.tty:
            import termios
            import tty

            fd = self.stream.fileno()
            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)
        return self

    def __exit__(self, *exc: object) -> None:
        self._restore()

    def _restore(self) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(self.stream.fileno(), termios.TCSADRAIN, self._saved)

    def key(self) -> str:
        """One command: a key ('1', 's', ...), ENTER for space/enter, or QUIT at end of input."""
        if not self.tty:
            line = self.stream.readline()
            if not line:
                return QUIT
            text = line.rstrip("\r\n")
            return ENTER if text.strip() == "" else text.strip().lower()
        fd = self.stream.fileno()
        char = os.read(fd, 1).decode("utf-8", "replace")
        while char == "\x1b":
            # An arrow key, or the terminal's answer to the image library's questions come
            # too late (a slow link): one unit, never read as keys (its digits would rate).
            _skip_escape(fd)
            char = os.read(fd, 1).decode("utf-8", "replace")
        if char in ("", "\x04"):  # Ctrl-D
            return QUIT
        if char in (" ", "\r", "\n"):
            return ENTER
        return char.lower()

    def line(self, prompt: str) -> str | None:
        """A typed answer (None at end of input)."""
        if not self.tty:
            sys.stdout.write(prompt)
            sys.stdout.flush()
            line = self.stream.readline()
            if not line:
                return None
            sys.stdout.write(line if line.endswith("\n") else line + "\n")
            return line.rstrip("\r\n")
        self._restore()
        try:
            return input(prompt)
        except EOFError:
            return None
        finally:
            if self._saved is not None:
                import tty

                tty.setcbreak(self.stream.fileno())


def _skip_escape(fd: int) -> None:
    """Read the rest of an escape sequence (after ESC): a CSI one up to its final byte, a
    string (APC, DCS, OSC...) up to its terminator, else the one character after ESC."""
    first = _next_byte(fd)
    if first == b"[":
        while (byte := _next_byte(fd)) is not None and not 0x40 <= byte[0] <= 0x7E:
            pass
    elif first in (b"_", b"P", b"]", b"^", b"X"):
        previous = b""
        while (byte := _next_byte(fd)) is not None:
            if byte == b"\x07" or (previous == b"\x1b" and byte == b"\\"):
                break
            previous = byte
    elif first == b"O":  # SS3: F1-F4, arrows in application mode
        _next_byte(fd)


def _next_byte(fd: int) -> bytes | None:
    """The next byte if it comes at once (a sequence arrives in one piece), else None."""
    import select

    ready, _, _ = select.select([fd], [], [], 0.05)
    return os.read(fd, 1) if ready else None


_MARKUP = re.compile(r"\*\*(.+?)\*\*|`([^`]+)`")


def styled(text: str, base: str = "") -> Any:
    """Card text (light Markdown) for the terminal: **bold** and `code`; nothing else is
    interpreted (card text is never read as rich markup, so `[...]` and `<b>` show as
    typed). Only for text authored as markup: formulas and worked solutions use `plain`."""
    from rich.text import Text

    out = Text(style=base)
    pos = 0
    for m in _MARKUP.finditer(text):
        out.append(text[pos : m.start()])
        if m.group(1) is not None:
            out.append(m.group(1), style="bold")
        else:
            out.append(m.group(2), style="cyan")
        pos = m.end()
    out.append(text[pos:])
    return out


def plain(text: str, style: str = "") -> Any:
    """Text shown exactly as it is (`alphabet ** length` stays a power)."""
    from rich.text import Text

    return Text(text, style=style)


@dataclass
class Reviewer:
    session: StudySession
    keys: Input
    console: Any  # rich.console.Console
    started: float = 0.0
    media: QuizMedia | None = None  # made when a card first has an image or a sound

    def quiz_media(self) -> QuizMedia:
        if self.media is None:
            from drill.ui.media import QuizMedia

            self.media = QuizMedia(self.console)
        return self.media

    def say(self, *parts: Any) -> None:
        self.console.print(*parts)

    def say_text(self, text: str, prompt: Prompt, base: str = "") -> None:
        """Card text, each image drawn (or named) and each sound noted where it stands."""
        spans = []
        if "![" in text or "[sound:" in text:  # most cards: no need to load the parser
            from drill.markup import media_spans

            spans = media_spans(text)
        if not spans:
            self.say(styled(text, base))
            return
        media = self.quiz_media()
        folder = _path(prompt.card.path).parent  # media paths are relative to the deck file
        pos = 0
        for span in spans:
            self.say_piece(text[pos : span.start], base)
            if span.kind == "image":
                media.image(span.path, span.alt, folder)
            else:
                media.sound(span.path, folder)
            pos = span.end
        self.say_piece(text[pos:], base)

    def say_piece(self, text: str, base: str) -> None:
        """The text between two media references, without the blank lines around them (nor
        the space left beside an image within a line)."""
        piece = text if text.startswith("\n") else text.lstrip(" \t")
        piece = piece.strip("\n").rstrip()
        if piece:
            self.say(styled(piece, base))

    # ------------------------------------------------------------------ the loop

    def run(self) -> int:
        """Study until the queue is empty or the user quits. Returns an exit code."""
        self.started = time.monotonic()
        for old, new in self.session.ws.store.rename_hints():
            self.say(
                plain(
                    f"'{old}' left the decks with its history, and '{new}' has the same "
                    f"text: if the id was changed, run  drill rename {old} {new}",
                    "yellow",
                )
            )
        if self.session.next() is None:
            self.nothing_due()
            return 0
        try:
            while (prompt := self.session.next()) is not None:
                if self.show(prompt) == QUIT:
                    break
        except KeyboardInterrupt:
            self.say()
        finally:
            if self.media is not None:
                self.media.stop()  # as Anki: leaving the reviewer stops the sound
        self.finish()
        return 0

    def header(self, prompt: Prompt) -> None:
        from rich.text import Text

        new, learning, review = self.session.counts()
        line = Text()
        line.append(f"── {prompt.card.deck} ", style="bold")
        if self.session.cram:
            line.append(f"· cram · {new} left", style="dim")
        else:
            line.append("· ", style="dim")
            line.append(f"new {new}", style="blue")
            line.append(" · ", style="dim")
            line.append(f"learning {learning}", style="red")
            line.append(" · ", style="dim")
            line.append(f"review {review}", style="green")
        self.say()
        self.say(line)

    def show(self, prompt: Prompt) -> str | None:
        """One card, from question to rating. Returns QUIT to end the session."""
        shown_at = time.monotonic()
        card = prompt.card
        if self.media is not None:
            self.media.new_card()
        self.header(prompt)
        if card.kind == "problem":
            return self.show_problem(prompt, shown_at)
        self.say_text(card.front, prompt)
        if self.media is not None:
            self.media.side_shown()
        result: Grade | None = None
        typed: str | None = None
        if card.kind == "number" and card.answer:
            self.say(
                plain(
                    "Type your answer and press enter (empty: show it · q: quit · ?: keys).", "dim"
                )
            )
            outcome, typed, result = self.ask(prompt, "> ", lambda text: self.grade(prompt, text))
            if outcome is not None:
                return outcome if outcome == QUIT else None
        else:
            self.say(plain("space/enter: show answer · ?: keys", "dim"))
            while True:
                key = self.keys.key()
                if key == ENTER:
                    break
                if key == QUIT:
                    return QUIT
                if key in ("1", "2", "3", "4"):
                    self.say(plain("Show the answer first (space or enter), then rate it.", "dim"))
                    continue
                outcome = self.command(key, prompt)
                if outcome is not None:
                    return outcome if outcome == QUIT else None
        self.say(plain("─" * 40, "dim"))
        if self.media is not None:
            self.media.new_side()  # the answer's own sounds, as Anki plays them
        self.say_text(card.back, prompt)
        if card.kind == "number" and card.tolerance is not None:
            self.say(plain(f"(right within ±{percent(card.tolerance)})", "dim"))
        if card.extra:
            self.say_text(card.extra, prompt, "italic")
        if self.media is not None:
            self.media.side_shown()
        self.provenance(prompt)
        suggested = Rating(result.suggested_rating) if result else None
        return self.rate(prompt, shown_at, suggested, typed, result.verdict if result else None)

    def provenance(self, prompt: Prompt) -> None:
        """Where the card's fact comes from, and when it was checked."""
        card = prompt.card
        parts = [card.source] if card.source else []
        if card.as_of:
            parts.append(f"as of {card.as_of}")
        if parts:
            self.say(plain("Source: " + " · ".join(parts), "dim"))

    def grade(self, prompt: Prompt, text: str) -> Grade:
        result = self.session.grade(prompt.card, text)
        if result.verdict != "unreadable":
            self.say(plain(result.message, f"bold {COLOURS.get(result.verdict, 'red')}"))
        return result

    def ask(
        self,
        prompt: Prompt,
        question: str,
        grade: Callable[[str], Grade],
        hints: list[str] | None = None,
    ) -> tuple[str | None, str | None, Grade | None]:
        """Read one typed answer: (outcome, text, grade). A command key may end the card
        (outcome QUIT or NEXT); an empty line skips (text None); unreadable text is
        explained and asked again."""
        while True:
            line = self.keys.line(question)
            if line is None:
                return QUIT, None, None
            command = line.strip().lower()
            if command in COMMAND_KEYS:
                outcome = self.command(command, prompt)
                if outcome is not None:
                    return outcome, None, None
                continue
            if not command:
                return None, None, None
            if command == "h" and hints is not None:
                self.say(plain(f"hint: {hints.pop(0)}" if hints else "No more hints.", "cyan"))
                continue
            result = grade(line.strip())
            if result.verdict == "unreadable":
                self.say(plain(result.message, "yellow"))
                continue
            return None, line.strip(), result

    def show_problem(self, prompt: Prompt, shown_at: float) -> str | None:
        """An estimation problem (drill.problems.attempt): in assumption mode the inputs
        first, then each answer and the decision, typed and graded; then the worked
        solution and the suggested rating. An answer skipped counts as wrong (Again)."""
        from drill.grading import UNREADABLE
        from drill.problems import ProblemError, assume
        from drill.problems.attempt import clock_text

        card = prompt.card
        attempt = self.session.attempt(card)
        if attempt is None:
            self.say(plain(f"Problem {card.id} is no longer in {card.path}; skipping.", "yellow"))
            self.session.skip(card.id)
            return None
        self.say(plain(attempt.title, "bold"))
        self.say(styled(attempt.question))
        if attempt.assume:
            self.say(
                plain(
                    "Assumption mode: the inputs are hidden. Type your assumption for each "
                    "(empty: skip · h: hint · q: quit · ?: keys).",
                    "dim",
                )
            )
        else:
            self.say(
                plain(
                    "Type each answer and press enter (empty: skip · h: hint · q: quit · ?: keys).",
                    "dim",
                )
            )
        if attempt.timed:
            self.say(plain(f"Timed: {attempt.countdown()}.", "cyan"))
        hints = list(attempt.template.hints)

        def clock() -> str:
            return f"[{attempt.countdown()}] " if attempt.timed else ""

        while attempt.assume and attempt.instance is None:
            for param in attempt.to_assume():

                def assumption(text: str, name: str = param.name) -> Grade:
                    try:
                        return attempt.assume_input(name, text)
                    except ProblemError as err:
                        return Grade(UNREADABLE, attempt.drawn.params[name], detail=str(err))

                outcome, text, result = self.ask(
                    prompt, f"{clock()}{param.question} ", assumption, hints
                )
                if outcome is not None:
                    return outcome if outcome == QUIT else None
                if text is None or result is None:
                    typical = param.format(param.default)
                    attempt.skip(param.name)
                    attempt.assume_input(param.name, typical)
                    self.say(plain(f"skipped: using a typical value, {typical}", "yellow"))
                    continue
                colour = COLOURS.get(result.verdict, "red")
                self.say(plain(f"{param.name}: {assume.message(result)}", colour))
            try:
                instance = attempt.begin()
            except ProblemError as err:
                self.say(plain(f"Those numbers cannot be worked out ({err}); again.", "yellow"))
                continue
            self.say(plain(f"With your numbers: {instance.question}"))
        skipped = []
        for step in attempt.steps:
            question = f"{clock()}{step.prompt} "
            if step.options:
                self.say(plain(step.prompt))
                for n, option in enumerate(step.options, 1):
                    self.say(plain(f"  {n}) {option}"))
                question = f"{clock()}> "
            outcome, text, result = self.ask(
                prompt, question, partial(attempt.answer, step.name), hints
            )
            if outcome is not None:
                return outcome if outcome == QUIT else None
            if text is None or result is None:
                attempt.skip(step.name)
                skipped.append(step)
                continue
            colour = COLOURS.get(result.verdict, "red")
            self.say(plain(f"{result.message} (answer: {step.text})", colour))
        attempt.finish()
        self.say(plain("─" * 40, "dim"))
        if attempt.timed:
            spent, budget = clock_text(attempt.elapsed), clock_text(attempt.budget)
            self.say(
                plain(f"Time: {spent}, over the {budget} budget (rating at most Hard).", "yellow")
                if attempt.over_time
                else plain(f"Time: {spent} of {budget}.", "cyan")
            )
        for step in skipped:
            self.say(plain(f"{step.prompt} {step.text}"))
        for name, grade in attempt.assumptions_off():
            self.say(plain(f"Assumption {name}: {grade.detail}", "red"))
        for line in attempt.begin().worked:
            self.say(plain(line, "dim"))  # formulas: `**` is a power, not bold
        self.provenance(prompt)
        return self.rate(
            prompt,
            shown_at,
            Rating(attempt.rating),
            attempt.typed_json(),
            attempt.verdict,
            answer_ms=attempt.elapsed_ms,
        )

    def rate(
        self,
        prompt: Prompt,
        shown_at: float,
        suggested: Rating | None,
        typed: str | None,
        verdict: str | None,
        answer_ms: int | None = None,
    ) -> str | None:
        """The four ratings with their intervals; read the user's choice and record it.
        `answer_ms`: the time to record (a problem's, to its last answer), else the time
        from the card shown to the rating."""
        from rich.text import Text

        suggested = suggested or Rating.GOOD
        config = self.session.ws.options_for(prompt.card.deck).scheduler
        line = Text()
        for rating, colour in zip(Rating, ("red", "yellow", "green", "blue"), strict=True):
            label = f"{rating.value} {rating.name.capitalize()}"
            interval = (
                ""
                if self.session.cram
                else " " + format_interval(prompt.outcomes[rating], prompt.shown_at, config)
            )
            style = colour + (" bold underline" if rating == suggested else "")
            line.append(label + interval, style=style)
            line.append("   ")
        line.append(f"(enter: {suggested.name.capitalize()})", style="dim")
        self.say(line)
        while True:
            key = self.keys.key()
            if key == QUIT:
                return QUIT
            if key == ENTER:
                rating = suggested
            elif key in ("1", "2", "3", "4"):
                rating = Rating(int(key))
            else:
                outcome = self.command(key, prompt)
                if outcome is not None:
                    return outcome if outcome == QUIT else None
                continue
            took = answer_ms if answer_ms is not None else int((time.monotonic() - shown_at) * 1000)
            try:
                answered = self.session.answer(
                    prompt, rating, answer_ms=took, typed_answer=typed, grade=verdict
                )
            except DrillError as err:
                self.say(plain(err.message[:1].upper() + err.message[1:] + ".", "yellow"))
                return None
            if answered.leech:
                after = answered.after
                action = "suspended" if after.suspended else "tagged leech"
                self.say(
                    plain(
                        f"This card is a leech ({plural(after.lapses, 'lapse')}): {action}. "
                        "Consider rewriting it (e: where it lives).",
                        "bold magenta",
                    )
                )
            return None

    # ------------------------------------------------------------------ commands

    def command(self, key: str, prompt: Prompt) -> str | None:
        """Handle a non-answer key. Returns QUIT, NEXT (leave this card), or None (stay)."""
        card = prompt.card
        if key == "q":
            return QUIT
        if key == "?":
            self.say(plain(HELP, "dim"))
            return None
        if key == "e":
            from drill.paths import display_path

            self.say(f"{display_path(_path(card.path))}:{card.line}")
            return None
        if key in ("o", "r"):
            if key == "o":
                self.quiz_media().open_images()
            else:
                self.quiz_media().replay()
            return None
        if key == "s":
            self.session.suspend(card)
            self.say(
                plain(
                    f"Suspended {card.id} (drill card unsuspend {card.id} brings it back).",
                    "yellow",
                )
            )
            return NEXT
        if key == "b":
            self.session.bury(card)
            self.say(plain(f"Buried {card.id} until tomorrow.", "yellow"))
            return NEXT
        if key == "u":
            undone = self.session.undo(card)
            if undone is None:
                self.say(plain("Nothing to undo in this session.", "dim"))
                return None
            what = {"answer": "the answer to", "suspend": "suspending", "bury": "burying"}
            self.say(plain(f"Undid {what[undone.what]} {undone.card_id}.", "yellow"))
            return NEXT
        self.say(plain(f"Unknown key {key!r}; ? lists the keys.", "dim"))
        return None

    # ------------------------------------------------------------------ endings

    def nothing_due(self) -> None:
        self.say("Nothing to study now.")
        self.say_next_due()
        if not self.session.cram:
            self.say(plain("To go through cards anyway: drill quiz --cram", "dim"))

    def say_next_due(self) -> None:
        upcoming = self.session.next_due()
        if upcoming is None:
            return
        now = self.session.clock()
        self.say(f"Next card due {when(upcoming, now)}.")

    def finish(self) -> None:
        s = self.session.summary
        elapsed = time.monotonic() - self.started
        minutes, seconds = divmod(int(elapsed), 60)
        again = f", again {s.again} ({s.again / s.answered:.0%})" if s.answered else ""
        self.say()
        self.say(
            plain(f"{plural(s.answered, 'card')} in {minutes}m {seconds:02d}s{again}.", "bold")
        )
        self.say_next_due()


def when(upcoming: datetime, now: datetime) -> str:
    """`in 5 min (09:10)`, `today at 14:00`, `tomorrow at 09:00`, `on Tue 01 Dec 2026`."""
    local = upcoming.astimezone(now.tzinfo)
    wait = upcoming - now
    if wait < timedelta(hours=1):
        return f"in {max(1, round(wait.total_seconds() / 60))} min ({local:%H:%M})"
    if local.date() == now.date():
        return f"today at {local:%H:%M}"
    if local.date() == (now + timedelta(days=1)).date():
        return f"tomorrow at {local:%H:%M}"
    return f"on {local:%a %d %b %Y}"


def _path(stored: str) -> Any:
    from pathlib import Path

    return Path(stored)
