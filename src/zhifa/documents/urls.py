from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/pdf/", views.document_pdf, name="pdf"),
    path("<int:pk>/docx/", views.document_docx, name="docx"),
    path("subject/<str:label>/<str:subject_id>/", views.subject_documents, name="subject"),
    path("casefile/<int:case_id>/", views.casefile_download, name="casefile"),
]
