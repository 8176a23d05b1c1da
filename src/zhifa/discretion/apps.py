from django.apps import AppConfig


class DiscretionConfig(AppConfig):
    """裁量基准 (discretion): violation catalogue, benchmark editions, the four lists, legal-review catalogue."""

    name = "zhifa.discretion"
    label = "discretion"
    verbose_name = "裁量基准"
    nav = [
        ("裁量计算器", "discretion:calculator", None, ("officer", "reviewer")),
        ("违法行为事项", "discretion:item_list", None),
        ("四张清单", "discretion:lists", None),
        ("裁量基准版本", "discretion:edition_list", None, ("admin",)),
        ("法制审核目录", "discretion:review", None, ("reviewer",)),
        ("超限认定标准", "discretion:overload", None),
    ]
    nav_group = "裁量基准"
