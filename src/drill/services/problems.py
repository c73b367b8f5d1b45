"""`drill problem ...`: estimation problems outside the schedule: list, show, check."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from drill.model import Collection
from drill.services.errors import DrillError, NotFound, UsageError


def templates(
    collection: Collection,
    deck: str | None = None,
    *,
    studied: bool = False,
    ids: Sequence[str] = (),
) -> list[Any]:
    """Problem templates, of a deck and its children; `studied`: the unsuspended ones. With
    `ids`, those problems (suspended or not: they were asked for by name), NotFound for an
    id no deck has."""
    from drill.model import deck_matches

    if ids:
        by_id = {t.id: t for t in collection.templates}
        return [_template(by_id, i) for i in dict.fromkeys(ids)]
    found = [
        t
        for t in collection.templates
        if (deck is None or deck_matches(t.deck, deck)) and not (studied and t.suspended)
    ]
    if not found and (deck is not None or studied):
        raise DrillError("no problems match")
    return found


def instance(collection: Collection, problem_id: str, seed: int | None, params: Mapping[str, str]):
    """The problem with this id, drawn with `seed` (None: its default numbers), with
    `params` (name -> text) set. NotFound / UsageError for an unknown id, param or value."""
    from drill.problems import ProblemError

    template = _template({t.id: t for t in collection.templates}, problem_id)
    try:
        return template.instance(seed, dict(params))
    except ProblemError as err:
        raise UsageError(str(err)) from None


def _template(by_id: Mapping[str, Any], problem_id: str) -> Any:
    """The template with this id; NotFound, with a did-you-mean, for an unknown one."""
    from drill.names import did_you_mean

    if problem_id not in by_id:
        raise NotFound(
            f"no problem with id '{problem_id}'{did_you_mean(problem_id, by_id)} "
            "(drill problem list shows them)"
        )
    return by_id[problem_id]


@dataclass(frozen=True)
class Graded:
    instance: Any  # drill.problems.ProblemInstance
    grades: dict[str, Any]  # name -> drill.grading.Grade
    verdict: str
    rating: str  # Again, Hard or Good

    @property
    def right(self) -> bool:
        from drill import grading

        return self.verdict == grading.RIGHT

    def expected_text(self, name: str) -> str:
        answer = self.instance.answers.get(name)
        return answer.text if answer is not None else self.instance.decision.answer

    def to_json(self) -> dict[str, Any]:
        """Each answer graded; the decision (as `--answer decision=2` gives it) has the same
        row, its values being option numbers and its texts the options."""
        rows = {}
        decision = self.instance.decision
        for name, g in self.grades.items():
            answer = self.instance.answers.get(name)
            if answer is not None:
                given = (
                    None
                    if g.given is None
                    else {"value": g.given.value, "unit": g.given.unit, "text": g.given.format()}
                )
                expected = answer.to_json()
            else:
                given = (
                    None
                    if g.given is None
                    else {
                        "value": g.given.value,
                        "unit": "",
                        "text": decision.options[int(g.given.value) - 1],
                    }
                )
                expected = {"value": decision.index + 1, "unit": "", "text": decision.answer}
            rows[name] = {
                "verdict": g.verdict,
                "typed": g.typed,
                "given": given,
                "expected": expected,
                "message": g.message,
            }
        return {
            "id": self.instance.id,
            "seed": self.instance.seed,
            "answers": rows,
            "verdict": self.verdict,
            "rating": self.rating,
        }


def grade(problem: Any, typed: Mapping[str, str]) -> Graded:
    from drill import grading
    from drill.problems import RATING_NAMES, ProblemError, suggested_rating

    if not typed:
        names = [*problem.answers, *(["decision"] if problem.decision is not None else [])]
        raise UsageError(f"give answers as --answer name=VALUE (answers: {', '.join(names)})")
    try:
        grades = problem.grade(dict(typed))
    except ProblemError as err:
        raise UsageError(str(err)) from None
    return Graded(
        problem,
        grades,
        grading.worst(list(grades.values())),
        RATING_NAMES[suggested_rating(grades)],
    )
