"""Admin of the training app; saves and deletes are recorded (core AuditedAdmin)."""

from django.contrib import admin

from zhifa.core.admin import AuditedAdmin

from .models import (
    Attendance,
    CertificateReview,
    Equipment,
    EquipmentAssignment,
    Exam,
    ExamScore,
    HoursRequirement,
    SocialSupervisor,
    SupervisorFeedback,
    TrainingEvent,
)


@admin.register(HoursRequirement)
class HoursRequirementAdmin(AuditedAdmin):
    list_display = ["effective_from", "min_hours", "confirmed", "citation"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["officer"]


@admin.register(TrainingEvent)
class TrainingEventAdmin(AuditedAdmin):
    list_display = ["title", "category", "start_on", "hours", "organisation"]
    list_filter = ["category"]
    search_fields = ["title"]
    inlines = [AttendanceInline]


class ScoreInline(admin.TabularInline):
    model = ExamScore
    extra = 0
    raw_id_fields = ["officer"]


@admin.register(Exam)
class ExamAdmin(AuditedAdmin):
    list_display = ["title", "held_on", "pass_score", "organisation"]
    inlines = [ScoreInline]


@admin.register(CertificateReview)
class CertificateReviewAdmin(AuditedAdmin):
    list_display = ["officer", "year", "reviewed_on", "result", "training_hours"]
    list_filter = ["year", "result"]
    raw_id_fields = ["officer"]


class AssignmentInline(admin.TabularInline):
    model = EquipmentAssignment
    extra = 0
    raw_id_fields = ["officer"]


@admin.register(Equipment)
class EquipmentAdmin(AuditedAdmin):
    list_display = ["asset_number", "kind", "model_name", "status", "organisation"]
    list_filter = ["kind", "status"]
    search_fields = ["asset_number", "model_name", "serial"]
    inlines = [AssignmentInline]


@admin.register(SocialSupervisor)
class SocialSupervisorAdmin(AuditedAdmin):
    list_display = ["name", "employer", "appointed_on", "term_ends_on", "active", "organisation"]
    search_fields = ["name", "employer"]


@admin.register(SupervisorFeedback)
class SupervisorFeedbackAdmin(AuditedAdmin):
    list_display = ["supervisor", "kind", "received_on", "responded_on", "organisation"]
    list_filter = ["kind"]
    raw_id_fields = ["supervisor"]
