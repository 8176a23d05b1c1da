"""Core registers: organisations (jurisdictions), users and officers, parties, vehicles, drivers, transport
companies and source units; the full-process record; evidence files; the legal calendar.

Split by responsibility: ``people`` (organisations, users and their sign-in
factors and tokens, officers), ``registers`` (parties, firms, vehicles, drivers, source units), ``record``
(the full-process record, evidence files) and ``reference`` (the legal calendar, number counters and
layouts). Every name is re-exported here, so ``from zhifa.core.models import X`` keeps working; the app
label and the migrations are unchanged."""

from ..identifiers import PLATE_COLOURS  # re-exported: read beside the vehicle register
from .people import ApiToken, Officer, Organisation, RecoveryCode, TotpDevice, User
from .record import AuditHead, Event, EvidenceFile
from .reference import CalendarDay, CalendarYear, DataVersion, NumberCounter, NumberFormat
from .registers import Driver, Party, SourceUnit, TransportCompany, Vehicle

__all__ = [
    "PLATE_COLOURS",
    "ApiToken",
    "Officer",
    "Organisation",
    "RecoveryCode",
    "TotpDevice",
    "User",
    "Driver",
    "Party",
    "SourceUnit",
    "TransportCompany",
    "Vehicle",
    "AuditHead",
    "Event",
    "EvidenceFile",
    "CalendarDay",
    "CalendarYear",
    "DataVersion",
    "NumberCounter",
    "NumberFormat",
]
