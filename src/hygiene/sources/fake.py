"""FakeSource: a directory made of a list (tests, benchmarks). It can also be made to fail."""

from collections.abc import Iterable, Iterator

from hygiene.sources.base import Closing, Observation, SourceError


class FakeSource(Closing):
    def __init__(
        self, name: str, entries: Iterable[Observation] = (), *, error: SourceError | None = None
    ) -> None:
        self.name = name
        self.entries = list(entries)
        self.error = error
        self.calls = 0

    def observe(self) -> Iterator[Observation]:
        self.calls += 1
        if self.error is not None:
            raise self.error
        yield from self.entries
