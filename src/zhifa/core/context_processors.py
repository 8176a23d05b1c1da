"""Navigation built from the installed apps: only what exists and what the user's roles may open."""

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from .roles import user_roles


def _resolve(name: str) -> str | None:
    # "ns:name arg" → reverse with one argument
    target, *args = name.split(" ")
    try:
        return reverse(target, args=args)
    except NoReverseMatch:
        return None


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": []}
    roles = user_roles(user)
    groups = []
    for dotted in settings.ZHIFA_APPS:
        config = apps.get_app_config(dotted.rsplit(".", 1)[-1])
        items = []
        for label, url_name, allowed in getattr(config, "nav", []):
            # Only entries the user's roles may open (an administrator is not an officer: no 实施行政强制措施 for them).
            if allowed and not (roles & set(allowed)):
                continue
            url = _resolve(url_name)
            if url:
                items.append({"label": label, "url": url, "active": request.path == url or (url != "/" and request.path.startswith(url))})
        if items:
            groups.append({"label": getattr(config, "nav_group", config.verbose_name), "items": items})
    return {"nav_groups": groups, "user_roles": roles}
