from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """执法文书 (documents): the standard forms as PDF/DOCX, numbering per agency and year."""

    name = "zhifa.documents"
    label = "documents"
    verbose_name = "执法文书"
    nav = [("执法文书", "documents:list", None)]
    nav_group = "文书与案卷"
