from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/<str:action>/", views.plan_action, name="plan_action"),
    path("draws/<int:pk>/verify/", views.draw_verify, name="draw_verify"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/follow-up/", views.inspection_follow_up, name="inspection_follow_up"),
    path("inspections/<int:pk>/open-case/", views.inspection_open_case, name="inspection_open_case"),
    path("inspections/<int:pk>/rectification-notice/", views.rectification_notice, {"kind": "inspection"}, name="inspection_notice"),
    path("warnings/<int:pk>/rectification-notice/", views.rectification_notice, {"kind": "warning"}, name="warning_notice"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/bulk/close/", views.warning_bulk_close, name="warnings_bulk_close"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("leads/", views.lead_list, name="leads"),
    path("public/results/", views.public_results, name="public_results"),
    path("public/results/<int:pk>/", views.public_plan, name="public_plan"),
    path("public/risk-points/", views.public_risk_points, name="public_risk_points"),
]
