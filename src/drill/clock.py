""" "Now", injected. Every command takes the time from here, so `DRILL_NOW` can move it:
users and tests simulate days (`DRILL_NOW=2026-12-01T09:00 drill quiz`)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, tzinfo

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


def local_zone() -> tzinfo:
    """The system's time zone with its daylight-saving rules, as the C library applies them
    (TZ, else /etc/localtime), moment by moment. Not `datetime.now().astimezone().tzinfo`:
    that is today's fixed offset, which puts summer moments an hour off when read in winter.
    (Not zoneinfo either: importing it costs `drill due` 2 ms, for the same answers.)"""
    return SYSTEM_ZONE


class _SystemZone(tzinfo):
    """The C library's local time: the UTC offset in force at each moment."""

    def fromutc(self, dt: datetime) -> datetime:
        import time

        stamp = (dt.replace(tzinfo=None) - datetime(1970, 1, 1)).total_seconds()
        local = time.localtime(stamp)
        return datetime(*local[:6], microsecond=dt.microsecond, tzinfo=self)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        import time

        if dt is None:
            return timedelta(seconds=-time.timezone)
        stamp = time.mktime((*dt.timetuple()[:8], -1))
        return timedelta(seconds=time.localtime(stamp).tm_gmtoff)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        import time

        return time.tzname[0]

    def __repr__(self) -> str:
        return "SYSTEM_ZONE"


SYSTEM_ZONE = _SystemZone()
