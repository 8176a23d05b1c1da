"""Enforcement cases (行政处罚案件): the case with its decision as plain fields, its status history,
transcripts, evidence, legal reviews, hearings, clock suspensions and extensions.

Field names here are a published interface (documents, payments, portal and overload read them; see
docs/cases.md). States change only through ``services`` following ``workflow.TRANSITIONS``.

Split by responsibility: ``case`` (the case, its penalty lines, the four
lists applied, its steps), ``records`` (legal reviews, transcripts, evidence, corrections, documents),
``periods`` (suspensions, extensions, clock flags, procedure periods) and ``execution`` (evidence
preservation, execution acts). Every name is re-exported here, so ``from zhifa.cases.models import X``
keeps working; the app label and the migrations are unchanged."""

from .case import (
    CASE_NUMBERS,
    CLOCK_FIELDS,
    MONEY,
    Case,
    CaseQuerySet,
    ListApplication,
    PenaltyLine,
    StatusChange,
)
from .execution import EvidencePreservation, ExecutionAct, PreservationStep
from .periods import ClockFlag, ClockSuspension, Extension, ProcedurePeriod
from .records import CaseDocument, Correction, EvidenceItem, LegalReview, Transcript

__all__ = [
    "CASE_NUMBERS",
    "CLOCK_FIELDS",
    "Case",
    "CaseQuerySet",
    "ListApplication",
    "MONEY",
    "PenaltyLine",
    "StatusChange",
    "PreservationStep",
    "CaseDocument",
    "Correction",
    "EvidenceItem",
    "LegalReview",
    "Transcript",
    "ClockFlag",
    "ClockSuspension",
    "Extension",
    "ProcedurePeriod",
    "EvidencePreservation",
    "ExecutionAct",
]
