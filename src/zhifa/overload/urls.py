from django.urls import path

from . import views

app_name = "overload"

urlpatterns = [
    path("", views.violation_list, name="list"),
    path("review/", views.violation_list, {"queue": "review"}, name="review"),
    path("violations/<int:pk>/", views.violation_detail, name="violation"),
    path("bulk/open/", views.bulk_open, name="bulk_open"),
    path("bulk/review/", views.bulk_review, name="bulk_review"),
    path("violations/<int:pk>/media/<int:n>/", views.violation_media, name="violation_media"),
    path("violations/<int:pk>/<str:action>/", views.violation_action, name="violation_action"),
    path("stations/", views.station_list, name="stations"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/<int:pk>/report/", views.batch_report, name="batch_report"),
    path("four/", views.four_penalty, name="four"),
    path("four/scan/", views.four_penalty_scan, name="four_scan"),
    path("four/<int:pk>/notice/", views.trigger_notice, name="trigger_notice"),
    # Public (no sign-in): remote handling for the vehicle owner.
    path("remote/", views.remote_start, name="remote"),
    path("remote/case/", views.remote_case, name="remote_case"),
    path("remote/media/<int:n>/", views.remote_media, name="remote_media"),
    path("remote/leave/", views.remote_leave, name="remote_leave"),
]
