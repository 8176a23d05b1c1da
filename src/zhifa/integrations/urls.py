from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("", views.console, name="console"),
    path("export/", views.console_export, name="export"),
    path("m/<int:pk>/", views.message_detail, name="message"),
    path("m/<int:pk>/resend/", views.message_resend, name="resend"),
    path("reconciliations/", views.reconciliations, name="reconciliations"),
    path("reconciliations/<int:pk>/", views.reconciliation_detail, name="reconciliation"),
]
