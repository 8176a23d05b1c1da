from django.urls import path

from . import views
from .registers import REGISTERS

app_name = "complaints"

urlpatterns = [
    *REGISTERS.urlpatterns(),
    path("c/<int:pk>/<str:action>/", views.complaint_action, name="complaint_action"),
    path("m/<int:pk>/<str:action>/", views.mediation_action, name="mediation_action"),
    path("import/", views.complaint_import, name="import"),
    path("bulk/assign/", views.complaint_bulk_assign, name="bulk_assign"),
    path("analysis/", views.analysis, name="analysis"),
    path("notices/", views.notices, name="notices"),
    path("public/", views.public_new, name="public_new"),
    path("public/track/", views.public_track, name="public_track"),
]
