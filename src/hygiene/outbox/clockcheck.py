"""This host's clock compared with the database's.

Leases are measured on the database's clock (outbox.service), so skew cannot make two instances
send one message; what still follows this host's clock is when a retry is due, the send window
and planning days. The deliverer measures the difference at start and on every tick and reports
it (health.DeliveryHealth: a warning in the log beyond `delivery.max_clock_skew_seconds`, and
/healthz, /metrics). SQLite has no clock of its own: it runs on this host, so there is nothing
to compare (None).
"""

from datetime import datetime

from sqlalchemy import Engine, func, select

from hygiene.clock import Clock, as_utc


def skew_seconds(engine: Engine, clock: Clock) -> float | None:
    """This host's time minus the database server's, in seconds (None on SQLite)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        before = clock.now()
        server: datetime = connection.execute(select(func.clock_timestamp())).scalar_one()
        after = clock.now()
        connection.rollback()
    local = before + (after - before) / 2
    return (local - as_utc(server)).total_seconds()
