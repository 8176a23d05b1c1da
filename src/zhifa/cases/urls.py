from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("mine/", views.my_cases, name="mine"),
    path("at-risk/", views.at_risk, name="at_risk"),
    path("bulk/notify/", views.bulk_notify, name="bulk_notify"),
    path("new/", views.lead_new, name="lead_new"),
    path("simplified/", views.simplified_new, name="simplified_new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.case_act, name="act"),
    path("<int:pk>/act/<str:action>/form/", views.case_act_form, name="act_form"),
    path("<int:pk>/documents/", views.case_documents, name="documents"),
    path("<int:pk>/documents/<int:document_id>/retry/", views.case_document_retry, name="document_retry"),
    path("<int:pk>/transcripts/new/", views.transcript_new, name="transcript_new"),
    path("<int:pk>/evidence/new/", views.evidence_new, name="evidence_new"),
    path("<int:pk>/evidence/<int:item_id>/file/", views.evidence_file, name="evidence_file"),
    path("<int:pk>/evidence/register/", views.evidence_register, name="evidence_register"),
    path("<int:pk>/preservations/<int:preservation_id>/", views.preservation_act, name="preservation_act"),
]
