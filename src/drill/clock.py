""" "Now", injected. Every command takes the time from here, so `DRILL_NOW` can move it:
users and tests simulate days (`DRILL_NOW=2026-12-01T09:00 drill quiz`)."""

from __future__ import annotations

import os
from datetime import datetime

ENV = "DRILL_NOW"


class ClockError(ValueError):
    pass


def parse_moment(text: str) -> datetime:
    """An ISO 8601 moment; without an offset it is local time."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ClockError(
            f"{ENV}={text!r} is not an ISO 8601 time (e.g. 2026-12-01T09:00 or "
            "2026-12-01T09:00:00+01:00)"
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


def now() -> datetime:
    """The current moment, aware, in local time; `DRILL_NOW` overrides it."""
    fixed = os.environ.get(ENV)
    if fixed:
        return parse_moment(fixed)
    return datetime.now().astimezone()
