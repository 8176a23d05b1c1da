from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Organisations, officers, parties, vehicles; the full-process record; the legal calendar; roles."""

    name = "zhifa.core"
    label = "core"
    verbose_name = "基础数据"
    # (label, url name, roles allowed or None for every signed-in user); see core.context_processors.
    nav = [
        ("工作台", "core:dashboard", None, ("officer", "reviewer", "head", "supervisor", "admin")),
        ("执法主体", "core:register_list organisations", None, ("admin",)),
        ("执法人员", "core:register_list officers", None, ("admin",)),
        ("当事人", "core:register_list parties", None),
        ("车辆", "core:register_list vehicles", None),
        ("驾驶员", "core:register_list drivers", None),
        ("运输企业", "core:register_list companies", None),
        ("货运源头单位", "core:register_list sources", None),
        ("工作日历", "core:calendar", None, ("admin",)),
        ("全过程记录", "core:audit_log", ("supervisor", "admin", "head"), ("supervisor", "admin")),
    ]
    nav_group = "基础数据"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401 — registers the deployment checks
        from .cards import prepare_on_login

        user_logged_in.connect(prepare_on_login, dispatch_uid="zhifa-cards-prepare-on-login")
