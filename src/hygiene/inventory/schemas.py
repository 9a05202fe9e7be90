"""Validated input models (not tables). Pass a ValidationContext as pydantic's `context`."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from hygiene import reasons
from hygiene.inventory import values
from hygiene.inventory.kinds import KindNames


@dataclass(frozen=True)
class ValidationContext:
    """`kinds`: KindNames.from_policies(settings.policies) (labels and aliases accepted), or
    plain kind names."""

    today: date
    kinds: KindNames | Sequence[str]
    default_locale: str = "vi"

    @property
    def kind_names(self) -> KindNames:
        if isinstance(self.kinds, KindNames):
            return self.kinds
        return KindNames.of(self.kinds)


def _ctx(info: ValidationInfo) -> ValidationContext:
    if not isinstance(info.context, ValidationContext):
        raise TypeError("validate with context=ValidationContext(...)")
    return info.context


class FieldProblem(TypedDict):
    field: str
    code: str
    params: dict[str, Any]


def problems_of(exc: ValidationError) -> list[FieldProblem]:
    """Turn pydantic's errors into (field, message code, params) in the reader's terms."""
    out: list[FieldProblem] = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "?"
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, values.FieldError):
            out.append({"field": field, "code": cause.code, "params": cause.params})
        elif error["type"] == "missing":
            out.append({"field": field, "code": "value.required", "params": {}})
        else:
            words = reasons.phrase(error)
            out.append({"field": field, "code": words.key, "params": dict(words.params)})
    return out


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OfficialFields(_Strict):
    employee_id: str
    full_name: str
    unit: str
    email: str | None = None
    phone: str | None = None
    locale: str = ""

    @field_validator("employee_id", mode="before")
    @classmethod
    def _employee_id(cls, v: object) -> str:
        return values.employee_id(v)

    @field_validator("full_name", "unit", mode="before")
    @classmethod
    def _names(cls, v: object) -> str:
        return values.text(v, max_length=200)

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, v: object) -> str | None:
        return values.email(v)

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, v: object) -> str | None:
        return values.phone(v)

    @field_validator("locale", mode="before")
    @classmethod
    def _locale(cls, v: object, info: ValidationInfo) -> str:
        return values.locale(v, default=_ctx(info).default_locale)


class AccountFields(_Strict):
    system: str
    # Blank: inferred from the system name, and then an existing account keeps its stored kind.
    kind: str = Field("", validate_default=True)
    login: str = ""
    last_rotated: date | None = None
    mfa: bool = False

    @field_validator("system", mode="before")
    @classmethod
    def _system(cls, v: object) -> str:
        return values.text(v, max_length=100)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: object, info: ValidationInfo) -> str:
        names = _ctx(info).kind_names
        if str(v or "").strip():
            return names.match(v)
        return names.infer(str(info.data.get("system", "")))

    @field_validator("login", mode="before")
    @classmethod
    def _login(cls, v: object) -> str:
        return values.text(v, max_length=254, required=False)

    @field_validator("last_rotated", mode="before")
    @classmethod
    def _last_rotated(cls, v: object, info: ValidationInfo) -> date | None:
        return values.parse_date(v, today=_ctx(info).today)

    @field_validator("mfa", mode="before")
    @classmethod
    def _mfa(cls, v: object) -> bool:
        return values.yes_no(v)


class InventoryRow(OfficialFields, AccountFields):
    """One spreadsheet row: an official and one of their accounts. `unit_head` (có/không)
    says whether the official heads their unit; blank leaves the unit's head as stored."""

    unit_head: bool | None = None

    @field_validator("unit_head", mode="before")
    @classmethod
    def _unit_head(cls, v: object) -> bool:
        return values.yes_no(v)


class OfficialCreate(OfficialFields):
    preferred_channels: str = "email,sms"
    anti_phishing_phrase: str | None = None

    @field_validator("preferred_channels", mode="before")
    @classmethod
    def _channels(cls, v: object) -> str:
        names = [part.strip().lower() for part in str(v or "").split(",") if part.strip()]
        unknown = [n for n in names if n not in {"email", "sms", "zalo"}]
        if unknown or not names:
            raise values.FieldError("channels.invalid")
        return ",".join(dict.fromkeys(names))

    @field_validator("anti_phishing_phrase", mode="before")
    @classmethod
    def _phrase(cls, v: object) -> str | None:
        return values.text(v, max_length=100, required=False) or None


class AccountCreate(AccountFields):
    employee_id: str
