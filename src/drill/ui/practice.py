"""`drill problem practice`: problems one answer at a time, graded, then the worked solution.
No scheduling, nothing saved; one answer per line, so it works through a pipe."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from drill import grading
from drill.grading import Grade
from drill.problems import RATING_NAMES, ProblemTemplate, suggested_rating


def practice(
    templates: Sequence[ProblemTemplate],
    count: int,
    seed: int | None,
    readline: Callable[[], str],
    echo: Callable[..., None],
    echo_input: bool = False,
) -> tuple[int, int]:
    """An interactive practice run: `count` problems drawn from `templates` (a local
    Random(seed); None for a random run), each answer asked in turn and graded, then the
    worked solution. `readline` returns "" at end of input, which ends the run cleanly.
    Returns (problems finished, problems with every answer right)."""
    rng = random.Random(seed)
    order = list(templates)
    rng.shuffle(order)
    done = all_right = 0
    echo(
        "Type each answer with its unit (40 /s, 3 TB, 2 h); ? shows a hint, q stops, an empty line "
        "skips, end of input (Ctrl-D) stops."
    )
    for number in range(count):
        template = order[number % len(order)]
        instance = template.instance(rng.randrange(2**31))
        echo("")
        echo(
            f"Problem {number + 1} of {count}: {instance.title}  "
            f"[{instance.id} --seed {instance.seed}]"
        )
        echo(instance.question)
        hints = list(instance.hints)
        grades: list[Grade] = []
        skipped = False
        answers = list(instance.answers.values())
        for i, answer in enumerate(answers, 1):
            while True:
                echo(f"  {i}/{len(answers)} {answer.prompt} > ", nl=False)
                line = readline()
                if not line or line.strip().lower() == "q":  # end of input, or q as in the quiz
                    echo("")
                    echo(
                        f"Stopped. {done} problem{'s' if done != 1 else ''} done, "
                        f"{all_right} all right."
                    )
                    return done, all_right
                typed = line.strip()
                if echo_input:
                    echo(typed)
                if typed == "?":
                    echo(f"    hint: {hints.pop(0)}" if hints else "    no more hints")
                    continue
                if not typed:
                    skipped = True
                    echo(f"    skipped: the answer is {answer.text}")
                    break
                g = answer.grade(typed)
                if g.verdict == grading.UNREADABLE:
                    echo(f"    {g.message}; try again")
                    continue
                grades.append(g)
                echo(f"    {g.message}. Answer: {answer.text}")
                break
        echo("  Worked solution:")
        for line in instance.solution:
            echo(f"    {line}")
        rating = grading.AGAIN if skipped or not grades else suggested_rating(grades)
        done += 1
        all_right += rating == grading.GOOD
        verdict = "skipped some" if skipped else grading.worst(grades)
        echo(f"  Result: {verdict} (suggested rating: {RATING_NAMES[rating]})")
    echo("")
    echo(f"Done: {done} problem{'s' if done != 1 else ''}, {all_right} all right.")
    return done, all_right
