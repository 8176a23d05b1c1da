from django.urls import path

from . import views

app_name = "coercion"

urlpatterns = [
    path("", views.measure_list, name="list"),
    path("new/", views.measure_new, name="new"),
    path("<int:pk>/", views.measure_detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.measure_act, name="act"),
]
