from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("bodies/", views.bodies, name="bodies"),
    path("basis/", views.basis, name="basis"),
    path("process/", views.process, name="process"),
    path("rights/", views.rights, name="rights"),
    path("decisions/", views.decisions, name="decisions"),
    path("pay/", views.pay, name="pay"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("office/", views.office_list, name="office_list"),
    path("office/<int:pk>/", views.office_detail, name="office_detail"),
    path("office/<int:pk>/<str:action>/", views.office_action, name="office_action"),
    path("office/export/", views.export, name="export"),
    path("office/export/preview/", views.export_preview, name="export_preview"),
    path("office/export/<int:pk>/", views.export_batch, name="export_batch"),
]
