"""The office's own time zone, for what people read (business hours, times on pages).

Stored times are UTC; a clerk in Denver reads "8:14 PM MST", not
``2026-11-04T03:14:07.123456Z``. One setting, ``VOTETRAIL_TIMEZONE`` (an IANA
name, default America/Denver), so the alerts' business hours and every page agree.
"""

from __future__ import annotations

import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from votetrail.errors import ConfigurationError

DEFAULT = "America/Denver"


def zone() -> ZoneInfo:
    name = os.environ.get("VOTETRAIL_TIMEZONE", DEFAULT)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(f"VOTETRAIL_TIMEZONE {name!r} is not a known time zone") from None


__all__ = ["DEFAULT", "zone"]
