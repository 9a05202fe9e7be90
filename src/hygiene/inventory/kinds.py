"""Account kinds as people write them: a kind's name, its label, an alias, or nothing at all.

A spreadsheet's kind cell matches without regard to case or diacritics ("Nhắn tin", "nhan tin",
"MESSAGING" and a configured alias "chat" are one kind). A blank cell is inferred from the system
name (Zalo → messaging, Facebook → social, …), falling back to `other`. Pure: no settings, no I/O.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from hygiene.inventory.values import FieldError, fold_ascii
from hygiene.labels import KindPolicy

FALLBACK = "other"
# Most specific first: "Facebook Messenger" is messaging, "Email công vụ" is email.
_INFERRED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("messaging", re.compile(r"zalo|messenger|telegram|viber|whatsapp|signal|skype|line\b")),
    ("social", re.compile(r"facebook|tiktok|youtube|instagram|twitter|linkedin|threads|\bx\b")),
    ("email", re.compile(r"e-?mail|gmail|outlook|hotmail|yahoo|thu dien tu|zimbra|\bmail")),
    (
        "government",
        re.compile(r"dich vu cong|quan ly van ban|mot cua|chinh quyen|cong vu|vnpt ioffice|egov"),
    ),
)


@lru_cache(maxsize=4096)  # a file holds few distinct kinds, systems and headers
def fold(value: str) -> str:
    """Case-, diacritics- and spacing-insensitive form: "  Nhắn  Tin " → "nhan tin"."""
    return " ".join(fold_ascii(value).casefold().replace("_", " ").split())


class Labelled(KindPolicy, Protocol):
    """What a policy offers here (hygiene.settings.Policy): its labels, and its aliases."""

    @property
    def aliases(self) -> list[str]: ...


@dataclass(frozen=True)
class KindSpec:
    name: str
    label_vi: str = ""
    label_en: str = ""
    aliases: Sequence[str] = ()


@dataclass(frozen=True)
class KindNames:
    """The configured kinds and every spelling that names one of them."""

    names: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)  # kind → Vietnamese label
    spellings: Mapping[str, str] = field(default_factory=dict)  # folded spelling → kind

    @classmethod
    def of(cls, specs: Iterable[KindSpec | str]) -> "KindNames":
        chosen = [KindSpec(s) if isinstance(s, str) else s for s in specs]
        spellings: dict[str, str] = {}
        for spec in chosen:  # names win over labels, labels over aliases
            for spelling in (*spec.aliases, spec.label_en, spec.label_vi, spec.name):
                if spelling.strip():
                    spellings[fold(spelling)] = spec.name
        labels = {s.name: s.label_vi for s in chosen if s.label_vi}
        return cls(tuple(s.name for s in chosen), labels, spellings)

    @classmethod
    def from_policies(cls, policies: Mapping[str, Labelled]) -> "KindNames":
        return cls.of(
            KindSpec(name, p.label_vi, p.label_en, tuple(p.aliases)) for name, p in policies.items()
        )

    def accepted(self) -> str:
        """What the error message lists: `email (Thư điện tử), messaging (Nhắn tin), …`."""
        return ", ".join(
            f"{name} ({self.labels[name]})" if name in self.labels else name for name in self.names
        )

    def match(self, value: object) -> str:
        found = self.spellings.get(fold(str(value or "")))
        if found is None:
            raise FieldError("kind.invalid", allowed=self.accepted())
        return found

    def infer(self, system: str) -> str:
        """The kind of a blank cell, from the system's name; `other` when nothing fits."""
        folded = fold(system)
        for kind, pattern in _INFERRED:
            if kind in self.names and pattern.search(folded):
                return kind
        if FALLBACK in self.names:
            return FALLBACK
        raise FieldError("kind.cannot_infer", allowed=self.accepted())
