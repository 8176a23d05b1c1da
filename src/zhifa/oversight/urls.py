from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/new/", views.problem_create, name="problem_create"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem_edit"),
    path("problems/<int:pk>/act/", views.problem_act, name="problem_act"),
    path("problems/<int:pk>/extend/", views.problem_extend, name="problem_extend"),
    path("problems/<int:pk>/list-key/", views.problem_list_key, name="problem_list_key"),
    path("ledger/", views.listing_list, name="listing_list"),
    path("ledger/<int:pk>/", views.listing_detail, name="listing_detail"),
    path("evaluation/", views.round_list, name="round_list"),
    path("evaluation/new/", views.round_create, name="round_create"),
    path("evaluation/<int:pk>/", views.round_detail, name="round_detail"),
    path("evaluation/<int:pk>/rectification/", views.rectification, name="rectification"),
    path("evaluation/files/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("records/", views.record_list, name="record_list"),
    path("records/new/", views.record_create, name="record_create"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("powers/", views.power_list, name="power_list"),
    path("powers/new/", views.power_create, name="power_create"),
    path("powers/<int:pk>/", views.power_detail, name="power_detail"),
    path("powers/<int:pk>/edit/", views.power_edit, name="power_edit"),
    # Public (no sign-in): the published power and responsibility list.
    path("public/powers/", views.public_powers, name="public_powers"),
    path("public/powers/<int:pk>/", views.public_power_detail, name="public_power_detail"),
]
