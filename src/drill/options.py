"""Study options: Anki's defaults, overridden by the user config file and per deck file.

In a deck file (applies to that deck) or under `options:` in the config file (applies to every
deck):

    options:
      new_per_day: 10
      reviews_per_day: 100
      learning_steps: 1m 10m 1h      # or a list: [1m, 10m, 1h]
      relearning_steps: 10m
      graduating_interval: 1         # days
      easy_interval: 4               # days
      starting_ease: 2.5
      easy_bonus: 1.3
      hard_interval: 1.2             # multiplier
      interval_modifier: 1.0
      new_interval: 0.0              # after a lapse, times the old interval
      minimum_interval: 1            # days, after a lapse
      maximum_interval: 36500        # days
      leech_threshold: 8             # lapses; 0 turns leech detection off
      leech_action: tag              # or suspend
      fuzz: true
      bury_siblings: true            # the other cards of a note answered today wait a day
      scheduler: sm2                 # or fsrs (see drill.fsrs_scheduler)
      desired_retention: 0.9         # fsrs: the chance of recall to schedule for
      fsrs_parameters: [0.212, ...]  # fsrs: 21 weights, as `drill optimize` prints them

The day boundary and the learn-ahead limit are the same for every deck, as in Anki, so they
are only read from the config file: `next_day_starts_at: 4` (hour), `learn_ahead: 20m`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from drill.scheduler import SchedulerConfig


class OptionError(ValueError):
    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


@dataclass(frozen=True)
class Option:
    name: str
    kind: str  # "int", "float", "steps", "minutes", "choice", "bool", "hour", "floats"
    target: str  # the SchedulerConfig field, or "" for a DeckOptions field
    help: str
    low: float = 0
    high: float = float("inf")
    choices: tuple[str, ...] = ()
    global_only: bool = False
    attr: str = ""  # the DeckOptions field, when it is not named as the option


# FSRS-6 has 21 parameters; these are py-fsrs 6's accepted ranges (fsrs.scheduler
# LOWER_BOUNDS_PARAMETERS / UPPER_BOUNDS_PARAMETERS), copied so that reading options never
# imports fsrs; tests/test_fsrs.py checks them against the installed package.
FSRS_PARAMETER_BOUNDS: tuple[tuple[float, float], ...] = tuple(
    zip(
        (0.001, 0.001, 0.001, 0.001, 1.0, 0.001, 0.001, 0.001, 0.0, 0.0, 0.001)
        + (0.001, 0.001, 0.001, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.1),
        (100.0, 100.0, 100.0, 100.0, 10.0, 4.0, 4.0, 0.75, 4.5, 0.8, 3.5)
        + (5.0, 0.25, 0.9, 4.0, 1.0, 6.0, 2.0, 2.0, 0.8, 0.8),
        strict=True,
    )
)
SCHEDULERS = ("sm2", "fsrs")


OPTIONS: dict[str, Option] = {
    o.name: o
    for o in [
        Option("new_per_day", "int", "", "new cards introduced per day, per deck", 0, 9999),
        Option("reviews_per_day", "int", "", "reviews per day, per deck", 0, 99999),
        Option("learning_steps", "steps", "learning_steps", "learning steps (e.g. 1m 10m)"),
        Option("relearning_steps", "steps", "relearning_steps", "relearning steps (e.g. 10m)"),
        Option(
            "graduating_interval",
            "int",
            "graduating_interval",
            "days, after the last learning step",
            1,
            36500,
        ),
        Option("easy_interval", "int", "easy_interval", "days, after Easy on a new card", 1, 36500),
        Option("starting_ease", "float", "starting_ease", "ease of a new card", 1.31, 5.0),
        Option("easy_bonus", "float", "easy_bonus", "extra multiplier for Easy", 1.0, 5.0),
        Option("hard_interval", "float", "hard_multiplier", "multiplier for Hard", 0.5, 1.3),
        Option(
            "interval_modifier", "float", "interval_modifier", "multiplies every interval", 0.5, 2.0
        ),
        Option(
            "new_interval",
            "float",
            "lapse_multiplier",
            "after a lapse, times the old interval",
            0.0,
            1.0,
        ),
        Option(
            "minimum_interval", "int", "minimum_lapse_interval", "days, after a lapse", 1, 36500
        ),
        Option("maximum_interval", "int", "maximum_interval", "days", 1, 36500),
        Option("leech_threshold", "int", "leech_threshold", "lapses; 0 turns it off", 0, 999),
        Option(
            "leech_action",
            "choice",
            "leech_action",
            "what happens to a leech",
            choices=("tag", "suspend"),
        ),
        Option("fuzz", "bool", "fuzz", "spread review intervals a little, as Anki does"),
        Option(
            "bury_siblings",
            "bool",
            "",
            "after a card is answered, the other cards of its note wait until tomorrow",
        ),
        Option(
            "scheduler",
            "choice",
            "",
            "sm2 (Anki's SM-2, the default) or fsrs (FSRS, through py-fsrs)",
            choices=SCHEDULERS,
            attr="algorithm",
        ),
        Option(
            "desired_retention",
            "float",
            "",
            "fsrs: the chance of recall to schedule reviews for",
            0.7,
            0.99,
        ),
        Option(
            "fsrs_parameters",
            "floats",
            "",
            "fsrs: the model's 21 weights (drill optimize fits them to your reviews)",
        ),
        Option(
            "next_day_starts_at",
            "hour",
            "rollover_hour",
            "hour (0-23) the day starts",
            0,
            23,
            global_only=True,
        ),
        Option(
            "learn_ahead",
            "minutes",
            "learn_ahead_minutes",
            "show learning cards this early when nothing else is due",
            0,
            1440,
            global_only=True,
        ),
    ]
}

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m|h|d)$")
_MINUTES = {"s": 1 / 60, "m": 1.0, "h": 60.0, "d": 1440.0}


def _duration_minutes(text: str) -> float:
    m = _DURATION.match(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a duration such as 30s, 1m, 10m, 1h or 1d")
    return float(m.group(1)) * _MINUTES[m.group(2)]


def parse_value(name: str, raw: Any, *, in_deck: bool) -> Any:
    """Validate one option value (YAML source text or a list of texts); OptionError if bad."""
    option = OPTIONS.get(name)
    if option is None:
        import difflib

        close = difflib.get_close_matches(name, list(OPTIONS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise OptionError(name, f"unknown option '{name}'{hint}; options: {', '.join(OPTIONS)}")
    if in_deck and option.global_only:
        raise OptionError(
            name, f"`{name}` is the same for every deck: set it in the config file, not in a deck"
        )
    try:
        return _convert(option, raw)
    except ValueError as err:
        raise OptionError(name, f"`{name}`: {err}") from None


def _convert(option: Option, raw: Any) -> Any:
    if option.kind == "steps":
        items = raw if isinstance(raw, list) else str(raw).split()
        steps = tuple(_duration_minutes(str(item)) for item in items)
        if option.name == "learning_steps" and not steps:
            raise ValueError("needs at least one step (e.g. 1m 10m)")
        if any(step <= 0 for step in steps):
            raise ValueError("steps must be longer than zero")
        return steps
    if option.kind == "floats":
        return _fsrs_parameters(raw)
    if isinstance(raw, list):
        raise ValueError("expected one value, found a list")
    text = str(raw).strip()
    if option.kind == "minutes":
        value: Any = _duration_minutes(text)
    elif option.kind == "bool":
        lowered = text.lower()
        if lowered not in ("true", "false", "yes", "no", "on", "off"):
            raise ValueError(f"expected true or false, found '{text}'")
        return lowered in ("true", "yes", "on")
    elif option.kind == "choice":
        if text not in option.choices:
            raise ValueError(f"expected one of {', '.join(option.choices)}, found '{text}'")
        return text
    elif option.kind in ("int", "hour"):
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"expected a whole number, found '{text}'") from None
    else:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"expected a number, found '{text}'") from None
    if not option.low <= value <= option.high:
        raise ValueError(f"{value} is outside {option.low:g}..{option.high:g} ({option.help})")
    return value


def _fsrs_parameters(raw: Any) -> tuple[float, ...]:
    items = raw if isinstance(raw, list) else str(raw).replace(",", " ").split()
    values = []
    for item in items:
        try:
            values.append(float(str(item).strip()))
        except ValueError:
            raise ValueError(f"expected numbers, found '{item}'") from None
    if len(values) != len(FSRS_PARAMETER_BOUNDS):
        raise ValueError(
            f"expected {len(FSRS_PARAMETER_BOUNDS)} numbers (FSRS-6), found {len(values)}"
        )
    for index, (value, (low, high)) in enumerate(zip(values, FSRS_PARAMETER_BOUNDS, strict=True)):
        if not low <= value <= high:
            raise ValueError(f"parameter {index} = {value:g} is outside {low:g}..{high:g}")
    return tuple(values)


@dataclass(frozen=True)
class DeckOptions:
    """Everything that decides how one deck is studied.

    `algorithm` is the `scheduler` option ("sm2" or "fsrs"); `scheduler` holds the SM-2
    preset, whose steps, maximum interval and fuzz FSRS uses too. `fsrs_parameters` None
    means py-fsrs's defaults."""

    new_per_day: int = 20
    reviews_per_day: int = 200
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    algorithm: str = "sm2"
    desired_retention: float = 0.9
    fsrs_parameters: tuple[float, ...] | None = None
    bury_siblings: bool = True

    def with_values(self, values: dict[str, Any]) -> DeckOptions:
        """These options with validated `values` (option name -> converted value) applied."""
        quiz: dict[str, Any] = {
            OPTIONS[k].attr or k: tuple(v) if OPTIONS[k].kind == "floats" else v
            for k, v in values.items()
            if not OPTIONS[k].target
        }
        sched: dict[str, Any] = {
            OPTIONS[k].target: tuple(v) if OPTIONS[k].kind == "steps" else v
            for k, v in values.items()
            if OPTIONS[k].target
        }
        return replace(self, **quiz, scheduler=replace(self.scheduler, **sched))

    def describe(self) -> dict[str, Any]:
        """Option name -> value in effect, for `drill config show`."""
        out: dict[str, Any] = {}
        for name, option in OPTIONS.items():
            if option.target:
                value = getattr(self.scheduler, option.target)
            else:
                value = getattr(self, option.attr or name)
            if option.kind == "floats":
                value = "default" if value is None else list(value)
            elif option.kind == "steps":
                value = " ".join(_format_minutes(v) for v in value)
            elif option.kind == "minutes":
                value = _format_minutes(value)
            out[name] = value
        return out


def _format_minutes(minutes: float) -> str:
    for unit, size in (("d", 1440.0), ("h", 60.0), ("m", 1.0)):
        if minutes >= size and minutes % size == 0:
            return f"{int(minutes // size)}{unit}"
    return f"{round(minutes * 60)}s"


def deck_chain(deck: str) -> list[str]:
    """A deck and its parents: `A::B::C` -> [`A::B::C`, `A::B`, `A`]."""
    parts = deck.split("::")
    return ["::".join(parts[:i]) for i in range(len(parts), 0, -1)]


class DailyLimits:
    """What is left today of each deck's limits (new cards, reviews). As in Anki, a card
    counts against its own deck and every parent: System Design's 20 new cards a day cover
    all of its subdecks, so twelve subdecks do not mean 240 new cards."""

    def __init__(self, options_for: Callable[[str], DeckOptions], done: dict[str, tuple[int, int]]):
        self.options_for = options_for
        self.left: dict[str, dict[str, int]] = {"new": {}, "review": {}}
        for deck, (new_done, reviews_done) in done.items():
            self.take("new", deck, new_done)
            self.take("review", deck, reviews_done)

    def _left(self, limit: str, deck: str) -> int:
        if deck not in self.left[limit]:
            options = self.options_for(deck)
            self.left[limit][deck] = (
                options.new_per_day if limit == "new" else options.reviews_per_day
            )
        return self.left[limit][deck]

    def available(self, limit: str, deck: str) -> int:
        return max(0, min(self._left(limit, name) for name in deck_chain(deck)))

    def take(self, limit: str, deck: str, n: int = 1) -> None:
        for name in deck_chain(deck):
            self.left[limit][name] = self._left(limit, name) - n


def resolver(
    config_values: dict[str, Any], deck_values: dict[str, dict[str, Any]]
) -> Callable[[str], DeckOptions]:
    """options_for(deck): Anki's defaults, then the config file's options, then the deck
    file's own. The empty name gives the config-wide options (day start, learn-ahead)."""
    base = DeckOptions().with_values(config_values)
    cache: dict[str, DeckOptions] = {}

    def options_for(deck: str) -> DeckOptions:
        if deck not in cache:
            cache[deck] = base.with_values(deck_values.get(deck, {}))
        return cache[deck]

    return options_for
