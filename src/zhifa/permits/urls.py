from django.urls import path

from . import views

app_name = "permits"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_create, name="create"),
    path("items/", views.item_list, name="items"),
    path("statistics/", views.statistics, name="statistics"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.application_action, name="action"),
]
