"""The breach half of a strength check: how many known leaks a password appears in, and which
context rules it breaks. The password is hashed (SHA-1, as the corpus is) in memory and
forgotten; nothing here writes, logs or sends anything, and the only file read is the index.

Entry points call `check` beside `hygiene.policy.strength.evaluate` and show `lines()`.
"""

from dataclasses import dataclass
from pathlib import Path

from hygiene import i18n
from hygiene.breach.context import Context, refusals
from hygiene.breach.index import BreachIndex


@dataclass(frozen=True)
class BreachVerdict:
    leaks: int | None  # None: no index configured, so the corpus was not consulted
    refused: tuple[str, ...]  # context rules broken (keys of breach.context.*)

    @property
    def acceptable(self) -> bool:
        return not self.leaks and not self.refused

    def lines(self, locale: str) -> list[str]:
        """What a person reads, in their language; empty when there is nothing to say."""
        out = []
        if self.leaks:
            count = f"{self.leaks:,}".replace(",", "." if locale == "vi" else ",")
            out.append(i18n.t("breach.check.found", locale, count=count))
        elif self.leaks == 0:
            out.append(i18n.t("breach.check.not_found", locale))
        out += [i18n.t(f"breach.context.{rule}", locale) for rule in self.refused]
        if not self.acceptable:
            out.append(i18n.t("breach.check.choose_another", locale))
        return out


def check(password: str, *, index: Path | None, context: Context) -> BreachVerdict:
    """Look the password up in the index (when configured) and apply the context rules."""
    leaks = None
    if index is not None:
        with BreachIndex(index) as opened:
            leaks = opened.count(password)
    return BreachVerdict(leaks=leaks, refused=refusals(password, context))
