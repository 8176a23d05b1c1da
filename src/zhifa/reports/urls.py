from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("records/<str:key>/", views.records, name="records"),
    path("annual/", views.annual_report, name="annual"),
]
