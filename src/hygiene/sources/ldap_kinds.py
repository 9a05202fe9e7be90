"""What each LDAP directory kind calls things: the filter, the attributes to request by name,
and how one entry becomes an Observation. Pure functions of the entry's attribute values.

Active Directory / Samba AD
    pwdLastSet (FILETIME; 0 = must change at next logon), msDS-UserPasswordExpiryTimeComputed
    (constructed: only returned when asked for; honours fine-grained policies;
    0x7FFFFFFFFFFFFFFF = never expires), userAccountControl bit 0x2 (disabled).
OpenLDAP ppolicy
    pwdChangedTime and pwdAccountLockedTime are operational: returned only when named.
    A lock time of 000001010000Z is an administrative lock (disabled).
FreeIPA / MIT Kerberos LDAP
    krbLastPwdChange, krbPasswordExpiration (GeneralizedTime), nsAccountLock (TRUE = disabled),
    ipaUserAuthType containing "otp" (MFA on).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from hygiene.sources import timeparse
from hygiene.sources.base import Observation

Values = Mapping[str, Sequence[Any]]
UF_ACCOUNTDISABLE = 0x2
UF_DONT_EXPIRE_PASSWD = 0x10000
ADMIN_LOCK = "000001010000Z"


def first(entry: Values, name: str) -> Any:
    for key, values in entry.items():
        if key.lower() == name.lower():
            if isinstance(values, list | tuple):
                return values[0] if values else None
            return values
    return None


def every(entry: Values, name: str) -> list[str]:
    for key, values in entry.items():
        if key.lower() == name.lower():
            items = values if isinstance(values, list | tuple) else [values]
            return [str(v) for v in items]
    return []


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
    return text.strip() or None


class _Person(TypedDict):
    employee_id: str | None
    unit: str | None
    phone: str | None


def _person(entry: Values, employee: str, unit: str, fallback: str) -> _Person:
    """What `sources import` needs besides the evidence: employee id, unit, mobile phone."""
    return {
        "employee_id": _text(first(entry, employee)),
        "unit": _text(first(entry, unit)) or _text(first(entry, fallback)),
        "phone": _text(first(entry, "mobile")) or _text(first(entry, "telephoneNumber")),
    }


def _ad_person(entry: Values) -> _Person:
    found = _person(entry, "employeeID", "department", "physicalDeliveryOfficeName")
    found["employee_id"] = found["employee_id"] or _text(first(entry, "employeeNumber"))
    return found


def active_directory(entry: Values) -> Observation | None:
    identity = _text(first(entry, "sAMAccountName"))
    if identity is None:
        return None
    control = int(str(first(entry, "userAccountControl") or 0))
    expiry = first(entry, "msDS-UserPasswordExpiryTimeComputed")
    return Observation(
        identity=identity,
        email=_text(first(entry, "mail")) or _text(first(entry, "userPrincipalName")),
        password_changed_at=timeparse.filetime(first(entry, "pwdLastSet")),
        expires_at=timeparse.filetime(expiry),
        never_expires=timeparse.is_never(expiry) or bool(control & UF_DONT_EXPIRE_PASSWD),
        disabled=bool(control & UF_ACCOUNTDISABLE),
        manager=_text(first(entry, "manager")),
        display_name=_text(first(entry, "displayName")),
        **_ad_person(entry),
    )


def openldap(entry: Values) -> Observation | None:
    identity = _text(first(entry, "uid"))
    if identity is None:
        return None
    locked = _text(first(entry, "pwdAccountLockedTime"))
    return Observation(
        identity=identity,
        email=_text(first(entry, "mail")),
        password_changed_at=timeparse.generalized(first(entry, "pwdChangedTime")),
        disabled=locked == ADMIN_LOCK,
        manager=_text(first(entry, "manager")),
        display_name=_text(first(entry, "displayName")) or _text(first(entry, "cn")),
        **_person(entry, "employeeNumber", "departmentNumber", "ou"),
    )


def freeipa(entry: Values) -> Observation | None:
    identity = _text(first(entry, "uid"))
    if identity is None:
        return None
    lock = (_text(first(entry, "nsAccountLock")) or "").upper()
    auth_types = [t.lower() for t in every(entry, "ipaUserAuthType")]
    return Observation(
        identity=identity,
        email=_text(first(entry, "mail")),
        password_changed_at=timeparse.generalized(first(entry, "krbLastPwdChange")),
        expires_at=timeparse.generalized(first(entry, "krbPasswordExpiration")),
        disabled=lock == "TRUE",
        mfa=True if "otp" in auth_types else None,
        manager=_text(first(entry, "manager")),
        display_name=_text(first(entry, "displayName")) or _text(first(entry, "cn")),
        **_person(entry, "employeeNumber", "departmentNumber", "ou"),
    )


PERSON = ("employeeNumber", "departmentNumber", "ou", "mobile", "telephoneNumber")
AD_PERSON = (
    "employeeID",
    "employeeNumber",
    "department",
    "physicalDeliveryOfficeName",
    "mobile",
    "telephoneNumber",
)


@dataclass(frozen=True)
class Dialect:
    filter: str
    attributes: tuple[str, ...]
    parse: Callable[[Values], Observation | None]


DIALECTS = {
    "ad": Dialect(
        "(&(objectClass=user)(!(objectClass=computer)))",
        (
            "sAMAccountName",
            "userPrincipalName",
            "mail",
            "displayName",
            "manager",
            "pwdLastSet",
            "msDS-UserPasswordExpiryTimeComputed",
            "userAccountControl",
            *AD_PERSON,
        ),
        active_directory,
    ),
    "openldap": Dialect(
        "(|(objectClass=inetOrgPerson)(objectClass=posixAccount))",
        (
            "uid",
            "mail",
            "cn",
            "displayName",
            "manager",
            "pwdChangedTime",
            "pwdAccountLockedTime",
            *PERSON,
        ),
        openldap,
    ),
    "freeipa": Dialect(
        "(objectClass=krbPrincipalAux)",
        (
            "uid",
            "mail",
            "cn",
            "displayName",
            "manager",
            "krbLastPwdChange",
            "krbPasswordExpiration",
            "nsAccountLock",
            "ipaUserAuthType",
            *PERSON,
        ),
        freeipa,
    ),
}
