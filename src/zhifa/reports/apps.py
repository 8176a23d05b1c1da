from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """统计与报告 (reports)."""

    name = "zhifa.reports"
    label = "reports"
    verbose_name = "统计与报告"
    nav: list = []
