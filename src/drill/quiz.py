"""The interactive quiz: Anki's reviewer, in a terminal.

One card at a time: the counts and the deck, the question, then the answer and the four
ratings with the interval each would give. Every answer is committed to the store before the
next card is shown. On a terminal, keys act at once; without one (a pipe, a script), each
line of standard input is one command, with the same keys, so the quiz can be scripted.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from drill.fsrs_scheduler import next_states
from drill.grading import Grade, grade, percent
from drill.options import DeckOptions
from drill.paths import display_path
from drill.scheduler import CardState, Rating, day_start, format_interval
from drill.session import Session, StudyCard
from drill.store import StaleStateError, Store

HELP = """\
Keys
  space, enter  show the answer; after it, answer Good (or the suggested rating)
  1 2 3 4       Again, Hard, Good, Easy
  u             undo the last answer, suspend or bury
  s             suspend this card (drill card unsuspend ID brings it back)
  b             bury this card until tomorrow
  e             where the card lives (path:line)
  h             a hint (estimation problems, while typing an answer)
  ?             this help
  q             quit (Ctrl-C and Ctrl-D too); every answer so far is saved
Number cards: type your answer and press enter (an empty line just shows it)."""

ENTER = "enter"
QUIT = "quit"
MAX_ANSWER_MS = 60_000  # as Anki: a card left on screen counts one minute at most
COMMAND_KEYS = {"q", "u", "s", "b", "e", "?"}


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
        char = os.read(self.stream.fileno(), 1).decode("utf-8", "replace")
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


_MARKUP = re.compile(r"\*\*(.+?)\*\*|`([^`]+)`")


def styled(text: str, base: str = "") -> Any:
    """Light Markdown for the terminal: **bold** and `code`; nothing else is interpreted
    (card text is never read as rich markup, so `[...]` and `<b>` show as typed)."""
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


@dataclass
class Summary:
    answered: int = 0
    again: int = 0
    started: float = field(default_factory=time.monotonic)


@dataclass
class Quiz:
    store: Store
    session: Session
    options_for: Callable[[str], DeckOptions]
    now: Callable[[], datetime]
    keys: Input
    console: Any  # rich.console.Console
    cram: bool = False
    summary: Summary = field(default_factory=Summary)
    # What `u` can take back, newest last: ("answer", review id, card, rating), or
    # ("suspend" | "bury", the flags before, card, None).
    history: list[tuple[str, Any, StudyCard, Rating | None]] = field(default_factory=list)
    _templates: dict[str, dict[str, Any]] = field(default_factory=dict)

    # ------------------------------------------------------------------ output helpers

    def say(self, *parts: Any, **kwargs: Any) -> None:
        self.console.print(*parts, **kwargs)

    def header(self, card: StudyCard, now: datetime) -> None:
        from rich.text import Text

        new, learning, review = self.session.counts(now)
        line = Text()
        line.append(f"── {card.deck} ", style="bold")
        if self.cram:
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

    # ------------------------------------------------------------------ the loop

    def run(self) -> int:
        """Study until the queue is empty or the user quits. Returns an exit code."""
        now = self.now()
        self.session.build(now)
        if self.session.next(now) is None:
            self.nothing_due(now)
            return 0
        try:
            while True:
                now = self.now()
                card = self.session.next(now)
                if card is None:
                    break
                if self.show(card) == QUIT:
                    break
        except KeyboardInterrupt:
            self.say()
        self.finish()
        return 0

    def show(self, card: StudyCard) -> str | None:
        """One card, from question to rating. Returns QUIT to end the session."""
        shown_at = time.monotonic()
        now = self.now()
        self.header(card, now)
        if card.row["kind"] == "problem":
            return self.show_problem(card, shown_at)
        self.say(styled(card.row["front"]))
        typed_card = card.row["kind"] == "number" and card.row["answer"]
        result: Grade | None = None
        typed_text: str | None = None
        if typed_card:
            self.say(
                styled(
                    "Type your answer and press enter (empty: show it · q: quit · ?: keys).", "dim"
                )
            )
            outcome, typed_text, result = self.ask(card, "> ", lambda text: self.grade(card, text))
            if outcome is not None:
                return outcome if outcome == QUIT else None
        else:
            self.say(styled("space/enter: show answer · ?: keys", "dim"))
            while True:
                key = self.keys.key()
                if key == ENTER:
                    break
                if key == QUIT:
                    return QUIT
                if key in ("1", "2", "3", "4"):
                    self.say(styled("Show the answer first (space or enter), then rate it.", "dim"))
                    continue
                outcome = self.command(key, card)
                if outcome is not None:
                    return outcome if outcome == QUIT else None
        return self.reveal(card, shown_at, result, typed_text)

    def ask(
        self,
        card: StudyCard,
        prompt: str,
        grade: Callable[[str], Grade],
        hints: list[str] | None = None,
    ) -> tuple[str | None, str | None, Grade | None]:
        """Read one typed answer: (outcome, text, grade). A command key may end the card
        (outcome QUIT or "next"); an empty line skips (text None); unreadable text is
        explained and asked again."""
        while True:
            line = self.keys.line(prompt)
            if line is None:
                return QUIT, None, None
            command = line.strip().lower()
            if command in COMMAND_KEYS:
                outcome = self.command(command, card)
                if outcome is not None:
                    return outcome, None, None
                continue
            if not command:
                return None, None, None
            if command == "h" and hints is not None:
                self.say(styled(f"hint: {hints.pop(0)}" if hints else "No more hints.", "cyan"))
                continue
            result = grade(line.strip())
            if result.verdict == "unreadable":
                self.say(styled(result.message, "yellow"))
                continue
            return None, line.strip(), result

    def show_problem(self, card: StudyCard, shown_at: float) -> str | None:
        """An estimation problem: fresh numbers each review (seeded by card id and review
        count, so undo shows the same ones), each answer typed and graded, then the worked
        solution and the suggested rating."""
        from drill.problems import seed_for, suggested_rating

        template = self.template(card)
        if template is None:
            self.say(
                styled(f"Problem {card.id} is no longer in {card.row['path']}; skipping.", "yellow")
            )
            self.session.remove(card.id)
            return None
        problem = template.instance(seed_for(card.id, card.state.reps))
        self.say(styled(problem.title, "bold"))
        self.say(styled(problem.question))
        self.say(
            styled(
                "Type each answer and press enter (empty: skip · h: hint · q: quit · ?: keys).",
                "dim",
            )
        )
        typed: dict[str, str] = {}
        grades = {}
        hints = list(problem.hints)
        for name, expected in problem.answers.items():
            outcome, text, result = self.ask(card, f"{expected.prompt} ", expected.grade, hints)
            if outcome is not None:
                return outcome if outcome == QUIT else None
            if text is not None and result is not None:
                typed[name], grades[name] = text, result
                colour = {"right": "green", "close": "yellow"}.get(result.verdict, "red")
                self.say(styled(f"{result.message} (answer: {expected.text})", colour))
        self.say(styled("─" * 40, "dim"))
        for name, expected in problem.answers.items():
            if name not in grades:
                self.say(styled(f"{expected.prompt} {expected.text}"))
        for line in problem.solution:
            self.say(styled(line, "dim"))
        import json

        from drill.grading import worst

        rating = Rating(suggested_rating(grades)) if grades else None
        verdict = worst(list(grades.values())) if grades else None
        return self.rate(card, shown_at, rating, json.dumps(typed) if typed else None, verdict)

    def template(self, card: StudyCard) -> Any:
        """The problem template behind a card, read from its deck file (once per file)."""
        from pathlib import Path

        from drill.content import read_deck_file

        path = card.row["path"]
        if path not in self._templates:
            try:
                deck_file = read_deck_file(Path(path))
                self._templates[path] = {t.id: t for t in deck_file.templates}
            except OSError:
                self._templates[path] = {}
        return self._templates[path].get(card.id)

    def grade(self, card: StudyCard, typed: str) -> Grade:
        from drill.quantity import parse

        expected = parse(card.row["answer"])
        result = grade(typed, expected, card.row["tolerance"], answer_text=card.row["answer"])
        colour = {"right": "green", "close": "yellow"}.get(result.verdict, "red")
        if result.verdict != "unreadable":
            self.say(styled(result.message, f"bold {colour}"))
        return result

    def reveal(
        self, card: StudyCard, shown_at: float, result: Grade | None, typed: str | None
    ) -> str | None:

        self.say(styled("─" * 40, "dim"))
        self.say(styled(card.row["back"]))
        if card.row["kind"] == "number" and card.row["tolerance"] is not None:
            self.say(styled(f"(right within ±{percent(card.row['tolerance'])})", "dim"))
        if card.row["extra"]:
            self.say(styled(card.row["extra"], "italic"))
        suggested = Rating(result.suggested_rating) if result else None
        return self.rate(card, shown_at, suggested, typed, result.verdict if result else None)

    def rate(
        self,
        card: StudyCard,
        shown_at: float,
        suggested: Rating | None,
        typed: str | None,
        verdict: str | None,
    ) -> str | None:
        """The four ratings with their intervals; read the user's choice and record it."""
        from rich.text import Text

        now = self.now()
        options = self.options_for(card.deck)
        # SM-2 or FSRS, as the deck's preset says (drill.fsrs_scheduler)
        outcomes = next_states(card.state, now, options, seed=card.seed)
        suggested = suggested or Rating.GOOD
        line = Text()
        for rating, colour in zip(Rating, ("red", "yellow", "green", "blue"), strict=True):
            label = f"{rating.value} {rating.name.capitalize()}"
            interval = (
                "" if self.cram else " " + format_interval(outcomes[rating], now, options.scheduler)
            )
            line.append(
                label + interval, style=colour + (" bold underline" if rating == suggested else "")
            )
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
                outcome = self.command(key, card)
                if outcome is not None:
                    return outcome if outcome == QUIT else None
                continue
            answer_ms = min(int((time.monotonic() - shown_at) * 1000), MAX_ANSWER_MS)
            self.record(card, outcomes[rating], rating, now, answer_ms, typed, verdict)
            return None

    def record(
        self,
        card: StudyCard,
        after: CardState,
        rating: Rating,
        now: datetime,
        answer_ms: int,
        typed: str | None,
        verdict: str | None,
    ) -> None:
        try:
            review_id = self.store.record_answer(
                card.id,
                card.state,
                after,
                rating,
                now,
                answer_ms=answer_ms,
                typed_answer=typed,
                grade=verdict,
                cram=self.cram,
            )
        except StaleStateError:
            self.say(
                styled(
                    "This card was answered in another drill session meanwhile; skipping it.",
                    "yellow",
                )
            )
            self.session.remove(card.id)
            return
        self.history.append(("answer", review_id, card, rating))
        self.summary.answered += 1
        self.summary.again += rating == Rating.AGAIN
        if self.cram:
            self.session.remove(card.id)
            if rating == Rating.AGAIN:
                self.session.requeue_cram(card)
            return
        self.session.answered(card, after, now)
        if after.leech:
            action = "suspended" if after.suspended else "tagged leech"
            self.say(
                styled(
                    f"This card is a leech ({after.lapses} lapses): {action}. Consider rewriting "
                    f"it (e: where it lives).",
                    "bold magenta",
                )
            )

    # ------------------------------------------------------------------ commands

    def command(self, key: str, card: StudyCard) -> str | None:
        """Handle a non-answer key. Returns QUIT, "next" (leave this card), or None (stay)."""
        if key == "q":
            return QUIT
        if key == "?":
            self.say(styled(HELP, "dim"))
            return None
        if key == "e":
            self.say(f"{display_path_of(card.row['path'])}:{card.row['line']}")
            return None
        if key == "s":
            self.remember_flags("suspend", card)
            self.store.set_flags([card.id], suspended=1)
            self.session.remove(card.id)
            self.say(
                styled(
                    f"Suspended {card.id} (drill card unsuspend {card.id} brings it back).",
                    "yellow",
                )
            )
            return "next"
        if key == "b":
            config = self.options_for(card.deck).scheduler
            tomorrow = day_start(self.now(), config) + timedelta(days=1)
            self.remember_flags("bury", card)
            self.store.set_flags([card.id], buried_until=tomorrow)
            self.session.remove(card.id)
            self.say(styled(f"Buried {card.id} until tomorrow.", "yellow"))
            return "next"
        if key == "u":
            return self.undo(card)
        self.say(styled(f"Unknown key {key!r}; ? lists the keys.", "dim"))
        return None

    def remember_flags(self, action: str, card: StudyCard) -> None:
        row = self.store.card_row(card.id)
        before = {"suspended": row["suspended"], "buried_until": row["buried_until"]}
        self.history.append((action, before, card, None))

    def undo(self, current: StudyCard) -> str | None:
        """Take back the last answer, suspend or bury of this session; the card comes back."""
        if not self.history:
            self.say(styled("Nothing to undo in this session.", "dim"))
            return None
        action, data, card, rating = self.history.pop()
        if action == "answer":
            self.store.undo(data)
            self.summary.answered -= 1
            self.summary.again -= rating == Rating.AGAIN
            what = "the answer to"
        else:
            self.store.set_flags([card.id], **data)
            what = {"suspend": "suspending", "bury": "burying"}[action]
        restored = StudyCard(dict(self.store.card_row(card.id)), self.store.state(card.id))
        self.session.put_back(restored, current)
        self.say(styled(f"Undid {what} {card.id}.", "yellow"))
        return "next"

    # ------------------------------------------------------------------ endings

    def nothing_due(self, now: datetime) -> None:
        self.say("Nothing to study now.")
        self.say_next_due(now)
        if not self.cram:
            self.say(styled("To go through cards anyway: drill quiz --cram", "dim"))

    def say_next_due(self, now: datetime) -> None:
        upcoming = self.store.next_due(now)
        if upcoming is None:
            return
        local = upcoming.astimezone(now.tzinfo)
        wait = upcoming - now
        if wait < timedelta(hours=1):
            when = f"in {max(1, round(wait.total_seconds() / 60))} min ({local:%H:%M})"
        elif local.date() == now.date():
            when = f"today at {local:%H:%M}"
        elif local.date() == (now + timedelta(days=1)).date():
            when = f"tomorrow at {local:%H:%M}"
        else:
            when = f"on {local:%a %d %b %Y}"
        self.say(f"Next card due {when}.")

    def finish(self) -> None:
        s = self.summary
        elapsed = time.monotonic() - s.started
        minutes, seconds = divmod(int(elapsed), 60)
        again = f", again {s.again} ({s.again / s.answered:.0%})" if s.answered else ""
        self.say()
        self.say(
            styled(
                f"{s.answered} card{'s' if s.answered != 1 else ''} in "
                f"{minutes}m {seconds:02d}s{again}.",
                "bold",
            )
        )
        self.say_next_due(self.now())


def display_path_of(stored: str) -> str:
    from pathlib import Path

    return display_path(Path(stored))
