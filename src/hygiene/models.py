"""Every table model, imported in one place so SQLModel.metadata is complete (Alembic, tests)."""

from hygiene.acks.models import Acknowledgement
from hygiene.advisories.audience_models import AdvisoryUnit
from hygiene.advisories.models import Advisory
from hygiene.audit.models import AuditEvent, AuditHead, AuditVerification
from hygiene.channels.models import ChannelToken
from hygiene.devices.models import Device, ProbeReport
from hygiene.exposures.models import Exposure, ExposureMatch
from hygiene.incidents.models import IncidentNote, IncidentReport
from hygiene.inventory.models import Account, Official, Unit
from hygiene.outbox.models import DeliveryAttempt, Message
from hygiene.portal.models import PortalCode
from hygiene.reports.models import (
    AdvisoryAck,
    ComplianceSnapshot,
    TallyAck,
    TallyClock,
    TallyDue,
    TallyOfficial,
    TallyPolicy,
    TallyUnit,
)
from hygiene.restore.models import BackupMarker
from hygiene.sources.models import SourceEntry, SourceRun
from hygiene.users.models import ApiToken, ConsoleUser, Throttle, WebSession

__all__ = [
    "Account",
    "Acknowledgement",
    "Advisory",
    "AdvisoryAck",
    "AdvisoryUnit",
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "AuditVerification",
    "BackupMarker",
    "ChannelToken",
    "ComplianceSnapshot",
    "ConsoleUser",
    "DeliveryAttempt",
    "Device",
    "Exposure",
    "ExposureMatch",
    "IncidentNote",
    "IncidentReport",
    "Message",
    "Official",
    "PortalCode",
    "ProbeReport",
    "SourceEntry",
    "SourceRun",
    "TallyAck",
    "TallyClock",
    "TallyDue",
    "TallyOfficial",
    "TallyPolicy",
    "TallyUnit",
    "Throttle",
    "Unit",
    "WebSession",
]
