"""One error root for everything a user can fix. The CLI catches DrillError in exactly one
place and prints its problems (`path:line: message`) then `drill: message`, and exits with
its code: 1 for a failure, 2 for a mistake in how the command was called."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only a type here: `drill --help` should not load the content model
    from drill.model import Problem

FAILED = 1
USAGE = 2


class DrillError(Exception):
    """Something the user can fix: a message, the problems behind it, an exit code."""

    exit_code = FAILED

    def __init__(
        self, message: str, problems: Iterable[Problem] = (), exit_code: int | None = None
    ):
        super().__init__(message)
        self.message = message
        self.problems = sorted(problems)
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return "\n".join([*(str(p) for p in self.problems), self.message])


class UsageError(DrillError):
    """The command was called wrongly: an option that does not fit, a missing argument."""

    exit_code = USAGE


class NotFound(DrillError):
    """A deck, card, note or problem named on the command line does not exist."""

    exit_code = USAGE

    @classmethod
    def named(cls, what: str, name: str, known: Iterable[str], *, tail: str = "") -> NotFound:
        """`no deck named 'Sytem Design' (did you mean 'System Design'?); <tail>`"""
        from drill.names import did_you_mean

        message = f"no {what} named '{name}'{did_you_mean(name, list(known), cutoff=0.5)}"
        return cls(message + (f"; {tail}" if tail else ""))


def problems_message(problems: list[Any], where: str = "the decks") -> str:
    from drill.names import plural

    return f"{plural(len(problems), 'problem')} in {where}"
