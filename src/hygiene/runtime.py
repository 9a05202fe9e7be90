"""What a running process knows about itself, for /healthz and /metrics.

The scheduler and delivery loop write here; the web app reads. Nothing here decides anything: the
database stays the source of truth.
"""

from dataclasses import dataclass, field
from datetime import datetime

from hygiene.outbox.health import DeliveryHealth


@dataclass
class Runtime:
    started_at: datetime
    scheduler_enabled: bool = False
    scheduler_running: bool = False
    last_plan_at: datetime | None = None
    last_plan_seconds: float | None = None
    last_deliver_at: datetime | None = None
    channel_errors: dict[str, str] = field(default_factory=dict)  # channel -> why it is down
    channels: list[str] = field(default_factory=list)
    delivery: DeliveryHealth = field(default_factory=DeliveryHealth)  # written by the deliverer
