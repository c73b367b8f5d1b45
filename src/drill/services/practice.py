"""`drill problem practice`: problems outside the schedule, one attempt after another.
Nothing is saved. The terminal loop (drill.ui.practice) shows what a run gives."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from drill import grading


class PracticeRun:
    """`count` problems drawn from `templates` in a shuffled order (a local Random(seed);
    None for a random run), each an Attempt (drill.problems.attempt) in the run's modes."""

    def __init__(
        self,
        templates: Sequence[Any],  # drill.problems.ProblemTemplate
        count: int,
        seed: int | None,
        *,
        assume: bool = False,
        timed: bool = False,
        timer: Callable[[], float] = time.monotonic,
    ):
        self.rng = random.Random(seed)
        self.order = list(templates)
        self.rng.shuffle(self.order)
        self.count = count
        self.assume = assume
        self.timed = timed
        self.timer = timer
        self.number = 0  # problems started
        self.done = 0  # problems finished
        self.all_right = 0  # finished with a suggested rating of Good

    def next(self) -> Any | None:
        """The next attempt (drill.problems.attempt.Attempt), or None when the run is over."""
        from drill.problems.attempt import Attempt

        if self.number >= self.count:
            return None
        template = self.order[self.number % len(self.order)]
        self.number += 1
        return Attempt(
            template,
            self.rng.randrange(2**31),
            self.timer,
            assume=self.assume,
            timed=self.timed,
        )

    def finished(self, attempt: Any) -> None:
        """Count a finished attempt."""
        self.done += 1
        self.all_right += attempt.rating == grading.GOOD
