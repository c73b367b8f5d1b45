"""Estimation problems: templates in deck files, instances drawn from a seed, graded answers.

`drill.problems.model` is the pure part (templates, instances, grading); reading templates
from a deck file's YAML is `drill.problems.reader`, loaded when first asked for (the module
`__getattr__` below, as py-fsrs loads its optimizer), so the model never depends on the
content layer."""

from typing import Any

from drill.problems.model import *  # noqa: F403 - the model is the package's API
from drill.problems.model import (  # noqa: F401 - names the package has always had
    RATING_NAMES,
    ProblemError,
    ProblemInstance,
    ProblemTemplate,
    find_template,
    seed_for,
    suggested_rating,
)

_READER = ("load_problems", "read_templates")


def __getattr__(name: str) -> Any:
    if name in _READER:
        from drill.problems import reader

        return getattr(reader, name)
    raise AttributeError(f"module 'drill.problems' has no attribute {name!r}")
