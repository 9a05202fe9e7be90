"""Directory time formats, to aware UTC datetimes. Pure functions.

Windows FILETIME   100-ns ticks since 1601-01-01 (pwdLastSet, msDS-UserPasswordExpiry…);
                   0 means "must change at next logon", 0x7FFFFFFFFFFFFFFF means never
GeneralizedTime    20240131235959Z or 20240131235959.123Z (pwdChangedTime, krb*, zimbra*)
ISO 8601           2024-01-31T23:59:59Z (Graph, Google)
"""

import re
from datetime import UTC, datetime, timedelta

NEVER = 0x7FFFFFFFFFFFFFFF
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
_GENERALIZED = re.compile(r"^(\d{14})(?:[.,]\d+)?(Z|[+-]\d{4})?$")


def filetime(value: object) -> datetime | None:
    """None for 0, for "never" and for anything unreadable."""
    ticks = _as_int(value)
    if ticks is None or ticks <= 0 or ticks >= NEVER:
        return None
    return _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)


def is_never(value: object) -> bool:
    return _as_int(value) == NEVER


def _as_int(value: object) -> int | None:
    if isinstance(value, datetime):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def generalized(value: object) -> datetime | None:
    """GeneralizedTime (or a datetime ldap3 already parsed) as aware UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    found = _GENERALIZED.match(str(value or "").strip())
    if not found:
        return None
    digits, zone = found.groups()
    parsed = datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        parsed -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    return parsed


def iso(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
