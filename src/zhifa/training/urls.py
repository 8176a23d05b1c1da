from django.urls import path

from . import views
from .registers import REGISTERS

app_name = "training"

urlpatterns = [
    *REGISTERS.urlpatterns(),
    path("hours/", views.hours, name="hours"),
    path("events/<int:pk>/attendance/", views.event_attendance, name="event_attendance"),
    path("exams/<int:pk>/score/", views.exam_score, name="exam_score"),
    path("equipment/<int:pk>/<str:action>/", views.equipment_action, name="equipment_action"),
]
