from django.urls import path

from . import views

app_name = "credit"

urlpatterns = [
    path("", views.grade_list, name="grades"),
    path("recompute/", views.recompute, name="recompute"),
    path("parties/<int:party_id>/", views.party_credit, name="party"),
    path("dishonesty/", views.dishonesty_list, name="dishonesty"),
    path("dishonesty/<int:pk>/", views.dishonesty_detail, name="dishonesty_detail"),
    path("dishonesty/<int:pk>/<str:step>/", views.dishonesty_step, name="dishonesty_step"),
    path("publications/", views.publication_list, name="publications"),
    path("publications/<int:pk>/repair/", views.repair_on_behalf, name="repair_on_behalf"),
    path("repairs/", views.repair_list, name="repairs"),
    path("repairs/<int:pk>/decide/", views.repair_decide, name="repair_decide"),
    path("public/repair-guide/", views.public_guide, name="public_guide"),
    path("public/repair/", views.public_repair, name="public_repair"),
]
