"""What one delivery batch did (DeliveryReport, summed over a drain), and a batch between its
render and its sends (Ready), for outbox.delivery."""

from dataclasses import dataclass, field
from datetime import datetime

from hygiene.outbox.batch import Outcome
from hygiene.outbox.sending import BatchRun, Prepared


@dataclass
class DeliveryReport:
    outside_window: bool = False
    released: int = 0
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str, n: int = 1) -> None:
        if n:
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + n


@dataclass
class Ready:
    """A claimed batch, rendered, waiting for its sends."""

    report: DeliveryReport
    run: BatchRun
    prepared: list[Prepared]
    early: list[Outcome]  # decided without a send
    held: set[int]  # the rows whose lease batch.renew ran again in full…
    renewed_at: datetime  # …at this time


def add(total: DeliveryReport, report: DeliveryReport) -> None:
    total.outside_window = report.outside_window
    total.released += report.released
    total.claimed += report.claimed
    for outcome, n in report.outcomes.items():
        total.count(outcome, n)
