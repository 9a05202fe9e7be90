"""Who manages whom in a directory's answer, and so who heads each unit: the manager that the
unit's members point to who is in the unit themself and whose own manager is not (the top of the
unit's chain). The import (sources.importer) marks them unit head.
"""

from collections import defaultdict
from dataclasses import dataclass

from hygiene.sources.base import Observation


@dataclass(frozen=True)
class Entry:
    """One entry of the answer: its position (from 1), what was seen, its match key, its unit."""

    line: int
    seen: Observation
    key: str | None
    unit: str


class Directory:
    """The entries, and who manages whom: a manager value is matched against each entry's DN,
    identity and mail, case-insensitively."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.by_ref: dict[str, int] = {}
        for index, entry in enumerate(entries):
            for ref in (entry.seen.dn, entry.seen.identity, entry.seen.email):
                if ref:
                    self.by_ref.setdefault(ref.strip().lower(), index)

    def manager(self, index: int) -> int | None:
        value = self.entries[index].seen.manager
        found = self.by_ref.get(value.strip().lower()) if value else None
        return None if found == index else found

    def heads(self) -> dict[str, list[int]]:
        """unit → its heads (more than one is a row error, as two "có" in a spreadsheet)."""
        managers: dict[str, set[int]] = defaultdict(set)
        for index, entry in enumerate(self.entries):
            boss = self.manager(index)
            if boss is not None and entry.unit and self.entries[boss].unit == entry.unit:
                managers[entry.unit].add(boss)
        heads: dict[str, list[int]] = {}
        for unit, bosses in managers.items():
            tops = []
            for boss in sorted(bosses):
                above = self.manager(boss)
                if above is None or self.entries[above].unit != unit:
                    tops.append(boss)
            if tops:
                heads[unit] = tops
        return heads
