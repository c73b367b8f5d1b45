"""Estimation problems: templates in deck files, instances drawn from a seed, graded answers.

`drill.problems.model` is the pure part (templates, instances, grading), and this package's
API; reading templates from a deck file's YAML is `drill.problems.reader` (the content
layer), and `drill.content.load_problems` loads every template under some folders."""

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
