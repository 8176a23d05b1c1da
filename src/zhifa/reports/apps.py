from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """统计与报告 (reports): statistics dashboards and the annual enforcement report generated from data."""

    name = "zhifa.reports"
    label = "reports"
    verbose_name = "统计与报告"
    nav = [
        ("统计分析", "reports:dashboard", None, ("head", "supervisor")),
        ("年度执法报告", "reports:annual", ("head", "admin", "supervisor")),
    ]
    nav_group = "统计与报告"
