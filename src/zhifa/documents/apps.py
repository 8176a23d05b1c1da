from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """执法文书 (documents): the standard forms as PDF/DOCX, numbering per agency and year."""

    name = "zhifa.documents"
    label = "documents"
    verbose_name = "执法文书"
    nav = [("执法文书", "documents:list", None)]
    nav_group = "文书与案卷"

    def ready(self):
        # A document kind in a recorded change reads as its title (询问笔录), not its code: core's history
        # formatter takes the labels from here (core does not import the documents app).
        from zhifa.core.history import register_value_labels

        from .kinds import KINDS

        register_value_labels("kind", {code: kind.title for code, kind in KINDS.items()})
