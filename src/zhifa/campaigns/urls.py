from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.operation_list, name="list"),
    path("new/", views.operation_create, name="create"),
    path("<int:pk>/", views.operation_detail, name="detail"),
    path("<int:pk>/edit/", views.operation_edit, name="edit"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:pk>/<str:action>/", views.operation_action, name="action"),
    path("departments/", views.departments, name="departments"),
    path("departments/<int:pk>/toggle/", views.department_toggle, name="department_toggle"),
]
