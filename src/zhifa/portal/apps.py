from django.apps import AppConfig


class PortalConfig(AppConfig):
    """公开门户 (portal)."""

    name = "zhifa.portal"
    label = "portal"
    verbose_name = "公开门户"
    nav: list = []
