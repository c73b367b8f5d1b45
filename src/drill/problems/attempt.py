"""One problem being worked through, in the quiz or in `drill problem practice`: what to
ask in order, each reply graded as it is typed, and the time taken. Pure: the time comes
from an injected timer (seconds, any origin).

In assumption mode the inputs come first: the scenario is shown without its numbers, the
user proposes each input (graded against the template's reference range), and the problem
is then computed from those. Then every answer, then the decision. In timed mode the
countdown is the template's time budget (3 minutes unless it says otherwise); the time
recorded is from the question to the last reply, and going over the budget caps the
suggested rating at Hard.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drill import grading
from drill.problems.decision import DECISION_NAME

if TYPE_CHECKING:
    from drill.grading import Grade
    from drill.problems.model import Param, ProblemInstance, ProblemTemplate
    from drill.quantity import Quantity


@dataclass(frozen=True)
class Step:
    """One thing to answer: an answer's prompt, or the decision with its options."""

    name: str
    prompt: str
    text: str  # the right answer, as text
    options: tuple[str, ...] = ()  # a decision's choices, asked by number or text


def clock_text(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Attempt:
    def __init__(
        self,
        template: ProblemTemplate,
        seed: int | None,
        timer: Callable[[], float],
        *,
        assume: bool = False,
        timed: bool = False,
        drawn: ProblemInstance | None = None,
    ):
        self.template = template
        self.seed = seed
        self.timer = timer
        self.assume = assume and bool(template.assumed_params)
        self.timed = timed
        # The problem as drawn: its given params, and the answers when nothing is assumed.
        self.drawn = drawn if drawn is not None else template.instance(seed)
        self.instance: ProblemInstance | None = None if self.assume else self.drawn
        self.assumed: dict[str, Quantity] = {}
        self.assumption_typed: dict[str, str] = {}
        self.assumption_grades: dict[str, Grade] = {}
        self.typed: dict[str, str] = {}
        self.grades: dict[str, Grade] = {}
        self.skipped: list[str] = []
        self.started = timer()
        self.finished: float | None = None

    # ----------------------------------------------------------------------- asking

    @property
    def title(self) -> str:
        return self.template.title

    @property
    def question(self) -> str:
        """What is shown first: the question, or in assumption mode the scenario."""
        if self.assume:
            return self.template.render_scenario(self.drawn.names)
        return self.drawn.question

    def to_assume(self) -> list[Param]:
        """The inputs still to assume, in order (none outside assumption mode)."""
        if not self.assume:
            return []
        return [p for p in self.template.assumed_params if p.name not in self.assumed]

    def assume_input(self, name: str, text: str) -> Grade:
        """Record an assumption and grade it. ProblemError when it cannot be read."""
        q, grade = self.template.read_assumption(name, text)
        self.assumed[name] = q
        self.assumption_typed[name] = text
        self.assumption_grades[name] = grade
        return grade

    def begin(self) -> ProblemInstance:
        """The problem to answer: computed from the assumptions in assumption mode.
        ProblemError when the assumptions cannot be computed (they are then forgotten,
        to be asked again)."""
        from drill.problems.model import ProblemError

        if self.instance is None:
            try:
                self.instance = self.template.with_assumptions(self.seed, self.assumed)
            except ProblemError:
                self.assumed.clear()
                self.assumption_typed.clear()
                self.assumption_grades.clear()
                raise
        return self.instance

    @property
    def steps(self) -> list[Step]:
        instance = self.begin()
        steps = [Step(a.name, a.prompt, a.text) for a in instance.answers.values()]
        if instance.decision is not None:
            d = instance.decision
            steps.append(Step(DECISION_NAME, d.prompt, d.answer, d.options))
        return steps

    def answer(self, name: str, text: str) -> Grade:
        """Grade a reply to a step; kept unless it could not be read (then ask again)."""
        instance = self.begin()
        grade = instance.grade({name: text})[name]
        if grade.verdict != grading.UNREADABLE:
            self.typed[name] = text
            self.grades[name] = grade
        return grade

    def skip(self, name: str) -> None:
        self.skipped.append(name)

    def finish(self) -> None:
        """The last reply is in: the time stops (once)."""
        if self.finished is None:
            self.finished = self.timer()

    # ----------------------------------------------------------------------- time

    @property
    def elapsed(self) -> float:
        end = self.finished if self.finished is not None else self.timer()
        return max(0.0, end - self.started)

    @property
    def elapsed_ms(self) -> int:
        return int(self.elapsed * 1000)

    @property
    def budget(self) -> float:
        return self.template.budget

    @property
    def over_time(self) -> bool:
        return self.timed and self.elapsed > self.budget

    def countdown(self) -> str:
        """`2:41 left`, or `time is up: 0:12 over`."""
        left = self.budget - self.elapsed
        if left >= 0:
            return f"{clock_text(left)} left"
        return f"time is up: {clock_text(-left)} over"

    # ----------------------------------------------------------------------- the result

    @property
    def verdict(self) -> str:
        """The worst grade of the answers, the decision and the assumptions; `skipped`
        when anything was skipped or nothing answered."""
        if self.skipped or not self.grades:
            return "skipped"
        return grading.worst([*self.grades.values(), *self.assumption_grades.values()])

    @property
    def rating(self) -> int:
        """The suggested rating: Again for anything skipped, else by the worst grade,
        and at most Hard when a timed attempt went over its budget."""
        if self.skipped or not self.grades:
            return grading.AGAIN
        rating = grading.suggested_rating([*self.grades.values(), *self.assumption_grades.values()])
        if self.over_time and rating == grading.GOOD:
            return grading.HARD
        return rating

    def assumptions_off(self) -> list[tuple[str, Grade]]:
        """The assumptions beyond 10x of their reference range."""
        return [(n, g) for n, g in self.assumption_grades.items() if g.verdict != grading.RIGHT]

    def typed_json(self) -> str | None:
        """What was typed, for the review log: the answers by name, and in assumption
        mode the assumptions under `assumed`."""
        typed: dict[str, object] = dict(self.typed)
        if self.assumption_typed:
            typed["assumed"] = dict(self.assumption_typed)
        return json.dumps(typed) if typed else None
