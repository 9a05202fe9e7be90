"""What every directory adapter yields, the protocol it follows and how it fails.

SourceError            base: `code` names a message; never carries a secret
├── SourceUnavailable  the directory did not answer (network, timeout, 5xx, 429): retried
└── SourceRefused      the directory answered no (bad bind, missing right, bad base):
                       not retried until the next scheduled run; the admin must act
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from hygiene.errors import HygieneError


@dataclass(frozen=True)
class Observation:
    """One directory entry, as the directory sees it now. Times are aware UTC.

    `expires_at` is the directory's own computed expiry (None when it computes none, or the
    password never expires: `never_expires`). `mfa` and `disabled` are None where unknown.
    `dn` is the entry's own name in the directory (an LDAP DN, a Graph object id), which other
    entries' `manager` points to; `employee_id`, `unit` (department) and `phone` feed
    `hygiene sources import`.
    """

    identity: str
    email: str | None = None
    password_changed_at: datetime | None = None
    expires_at: datetime | None = None
    never_expires: bool = False
    disabled: bool | None = None
    mfa: bool | None = None
    manager: str | None = None
    display_name: str | None = None
    dn: str | None = None
    employee_id: str | None = None
    unit: str | None = None
    phone: str | None = None


class SourceError(HygieneError):
    code = "sources.error"
    retryable = False


class SourceUnavailable(SourceError):
    code = "sources.unavailable"
    retryable = True


class SourceRefused(SourceError):
    code = "sources.refused"


class Source(Protocol):
    """A read-only view of one directory. `observe()` streams every user entry (paged)."""

    name: str

    def observe(self) -> Iterator[Observation]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...


class Closing:
    """Context-manager behaviour for adapters: `with build(...) as source:` closes it."""

    def close(self) -> None:
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def mask(value: str | None) -> str:
    """An identity as shown in a sample: first and last character, the domain kept."""
    if not value:
        return ""
    local, at, domain = value.partition("@")
    shown = local[0] + "•" * max(len(local) - 2, 1) + (local[-1] if len(local) > 1 else "")
    return f"{shown}{at}{domain}"
