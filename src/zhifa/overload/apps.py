from django.apps import AppConfig


class OverloadConfig(AppConfig):
    """超限超载治理 (overload)."""

    name = "zhifa.overload"
    label = "overload"
    verbose_name = "超限超载治理"
    nav = [
        ("超限违法行为", "overload:list", None),
        ("号牌待核查", "overload:review", None, ("officer",)),
        ("检测站点与设备", "overload:stations", None),
        ("称重数据导入", "overload:batches", None),
        ("一超四罚", "overload:four", None),
    ]
    nav_group = "超限非现场执法"

    def ready(self):
        # The credit grade counts 一超四罚 triggers; credit does not import overload, overload tells it how to count.
        from zhifa.credit.selectors import register_trigger_counter

        from .selectors import four_penalty_trigger_counts

        register_trigger_counter(four_penalty_trigger_counts)
