"""`drill problem practice`: problems one answer at a time, graded, then the worked solution.
No scheduling, nothing saved; one answer per line, so it works through a pipe. A loop over
drill.services.practice.PracticeRun: it shows each attempt and passes on what is typed."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from drill.problems import RATING_NAMES, ProblemError, ProblemTemplate, assume
from drill.problems.attempt import clock_text
from drill.services.practice import PracticeRun

STOP = object()  # end of input, or q


def practice(
    templates: Sequence[ProblemTemplate],
    count: int,
    seed: int | None,
    readline: Callable[[], str],
    echo: Callable[..., None],
    echo_input: bool = False,
    *,
    assume: bool = False,
    timed: bool = False,
    timer: Callable[[], float] | None = None,
) -> tuple[int, int]:
    """An interactive practice run: `count` problems drawn from `templates` (a local
    Random(seed); None for a random run), each answer asked in turn and graded, then the
    worked solution. `assume`: the user proposes the inputs first; `timed`: a countdown.
    `readline` returns "" at end of input, which ends the run cleanly. Returns (problems
    finished, problems with every answer right)."""
    extra = {"timer": timer} if timer is not None else {}
    run = PracticeRun(templates, count, seed, assume=assume, timed=timed, **extra)
    echo(
        "Type each answer with its unit (40 /s, 3 TB, 2 h); ? shows a hint, q stops, an empty line "
        "skips, end of input (Ctrl-D) stops."
    )
    if assume:
        echo(
            "Assumption mode: the inputs are hidden. Propose each one (a number with its unit); "
            "the problem is then worked out from yours."
        )
    while (attempt := run.next()) is not None:
        if _one(attempt, run, readline, echo, echo_input) is STOP:
            echo("")
            echo(
                f"Stopped. {run.done} problem{'s' if run.done != 1 else ''} done, "
                f"{run.all_right} all right."
            )
            return run.done, run.all_right
        run.finished(attempt)
    echo("")
    echo(f"Done: {run.done} problem{'s' if run.done != 1 else ''}, {run.all_right} all right.")
    return run.done, run.all_right


def _one(attempt, run: PracticeRun, readline, echo, echo_input: bool) -> object | None:
    echo("")
    echo(
        f"Problem {run.number} of {run.count}: {attempt.title}  "
        f"[{attempt.template.id} --seed {attempt.seed}]"
    )
    echo(attempt.question)
    hints = list(attempt.template.hints)

    def ask(prompt: str) -> str | object:
        """One line typed, after a prompt (with the countdown in timed mode); a hint on ?."""
        while True:
            indent = prompt[: len(prompt) - len(prompt.lstrip())]
            shown = (
                f"{indent}[{attempt.countdown()}] {prompt.lstrip()}" if attempt.timed else prompt
            )
            echo(shown, nl=False)
            line = readline()
            if not line or line.strip().lower() == "q":  # end of input, or q as in the quiz
                return STOP
            typed = line.strip()
            if echo_input:
                echo(typed)
            if typed == "?":
                echo(f"    hint: {hints.pop(0)}" if hints else "    no more hints")
                continue
            return typed

    while attempt.assume and attempt.instance is None:
        params = attempt.to_assume()
        for i, param in enumerate(params, 1):
            while True:
                typed = ask(f"  assume {i}/{len(params)} {param.question} > ")
                if typed is STOP:
                    return STOP
                assert isinstance(typed, str)
                if not typed:
                    typed = param.format(param.default)
                    attempt.skip(param.name)
                    echo(f"    skipped: using a typical value, {typed}")
                try:
                    grade = attempt.assume_input(param.name, typed)
                except ProblemError as err:
                    echo(f"    {err}; try again")
                    continue
                echo(f"    {assume.message(grade)}")
                break
        try:
            instance = attempt.begin()
        except ProblemError as err:
            echo(f"    Those numbers cannot be worked out ({err}); assume them again.")
            continue
        echo(f"  With your numbers: {instance.question}")
    steps = attempt.steps
    for i, step in enumerate(steps, 1):
        if step.options:
            echo(f"  {i}/{len(steps)} {step.prompt}")
            for n, option in enumerate(step.options, 1):
                echo(f"      {n}) {option}")
            prompt = "      > "
        else:
            prompt = f"  {i}/{len(steps)} {step.prompt} > "
        while True:
            typed = ask(prompt)
            if typed is STOP:
                return STOP
            assert isinstance(typed, str)
            if not typed:
                attempt.skip(step.name)
                echo(f"    skipped: the answer is {step.text}")
                break
            grade = attempt.answer(step.name, typed)
            if grade.verdict == "unreadable":
                echo(f"    {grade.message}; try again")
                continue
            echo(f"    {grade.message}. Answer: {step.text}")
            break
    attempt.finish()
    if attempt.timed:
        budget = clock_text(attempt.budget)
        echo(
            f"  Time: {clock_text(attempt.elapsed)}, over the {budget} budget (rating at most Hard)"
            if attempt.over_time
            else f"  Time: {clock_text(attempt.elapsed)} of {budget}"
        )
    off = attempt.assumptions_off()
    if off:
        echo("  Assumptions beyond 10x of the reference range:")
        for name, grade in off:
            echo(f"    {name}: {grade.detail}")
    echo("  Worked solution:")
    for line in attempt.begin().worked:
        echo(f"    {line}")
    verdict = "skipped some" if attempt.skipped else attempt.verdict
    echo(f"  Result: {verdict} (suggested rating: {RATING_NAMES[attempt.rating]})")
    return None
