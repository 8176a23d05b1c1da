from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """执法队伍 (training): training hours, exams, equipment, social supervisors, certificate alerts."""

    name = "zhifa.training"
    label = "training"
    verbose_name = "执法队伍"
    nav: list = []
