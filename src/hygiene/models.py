"""Every table model, imported in one place so SQLModel.metadata is complete (Alembic, tests)."""

from hygiene.audit.models import AuditEvent
from hygiene.inventory.models import Account, Official, Unit

__all__ = ["Account", "AuditEvent", "Official", "Unit"]
