from django.urls import path

from . import views

app_name = "discretion"

urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("calculator/<str:kind>/", views.letter, name="letter"),
    path("items/", views.item_list, name="item_list"),
    path("items/<str:code>/", views.item_detail, name="item_detail"),
    path("editions/", views.edition_list, name="edition_list"),
    path("editions/<str:code>/", views.edition_detail, name="edition_detail"),
    path("editions/<str:code>/export.<str:fmt>", views.edition_export, name="edition_export"),
    path("editions/<str:code>/delete/", views.edition_delete, name="edition_delete"),
    path("lists/", views.lists, name="lists"),
    path("review/", views.review_catalogue, name="review"),
    path("overload/", views.overload, name="overload"),
    path("public/benchmarks/", views.public_benchmarks, name="public_benchmarks"),
    path("public/lists/", views.public_lists, name="public_lists"),
]
