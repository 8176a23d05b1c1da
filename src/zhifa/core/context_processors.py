"""Navigation built from the installed apps: only what exists and what the user's roles may open.

Each app declares its entries as ``(label, url name, roles allowed, roles whose home it is)`` (the last two may be
None/absent: everyone / no one). The sidebar shows the user's own work — the entries whose home roles include one
of theirs (an officer: my cases, clocks, inbox, the field forms; a reviewer: the legal-review queue; a head: the
approvals; a supervisor: the oversight registers) — plus the area of the page being read; everything else the user
may open is one search or one click away on 全部功能 (core:menu). A url name may carry a query (``cases:list?status=x``)
and an argument after a space (``core:register_list parties``)."""

from urllib.parse import parse_qsl

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from .roles import Role, user_roles

# A user holding several roles (a head is also an officer) is at home in the most specific duty: the head's
# approvals, the reviewer's queue; the officer's pages stay on 全部功能.
HOME_ORDER = (Role.HEAD, Role.REVIEWER, Role.SUPERVISOR, Role.ADMIN, Role.OFFICER)


def home_role(roles) -> str | None:
    return next((r for r in HOME_ORDER if r in roles), None)


def _resolve(name: str) -> str | None:
    # "ns:name arg?query" → reverse with one argument, the query kept
    name, _, query = name.partition("?")
    target, *args = name.split(" ")
    try:
        url = reverse(target, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def _active(request, url: str) -> bool:
    path, _, query = url.partition("?")
    if query:  # a queue (a filtered list) is current only with its filter
        return request.path == path and all(request.GET.get(k) == v for k, v in parse_qsl(query))
    return request.path == path or (path != "/" and request.path.startswith(path))


def nav_entries(request) -> list[dict]:
    """Every entry the user may open, grouped by area: ``[{"label", "items": [{label, url, active, home}]}]``; ``home``
    marks the entries of the user's home role (:func:`home_role`)."""
    return [{"label": group_label,
             "items": [{"label": label, "url": url, "active": _active(request, url), "home": home}
                       for label, url, home in items]}
            for group_label, items in _entries_for(user_roles(request.user))]


# The entries of each set of roles, with their URLs, kept by the process: they depend only on the code (the
# apps' ``nav`` in the order of the work, the URLconf) and on the prefix the site is served under. Only
# whether an entry is the current page is computed per request. Reversing every entry was a tenth of the CPU
# of a case page.
_entries_kept: dict[tuple, tuple] = {}


def _entries_for(roles: frozenset) -> tuple:
    key = (roles, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF,
           tuple(settings.ZHIFA_WORK_ORDER))
    kept = _entries_kept.get(key)
    if kept is None:
        kept = _entries_kept[key] = _entries(roles)
    return kept


def _entries(roles: frozenset) -> tuple:
    """((group label, ((label, url, home), …)), …) for these roles, in the order of the work."""
    home_of = home_role(roles)
    groups, index = [], {}
    for dotted in settings.ZHIFA_WORK_ORDER:
        config = apps.get_app_config(dotted.rsplit(".", 1)[-1])
        for label, url_name, allowed, *home in getattr(config, "nav", []):
            # Only entries the user's roles may open (an administrator is not an officer: no 实施行政强制措施 for them).
            if allowed and not (roles & set(allowed)):
                continue
            url = _resolve(url_name)
            if not url:
                continue
            group_label = getattr(config, "nav_group", config.verbose_name)
            if group_label not in index:
                index[group_label] = []
                groups.append((group_label, index[group_label]))
            index[group_label].append((label, url, bool(home and home[0] and home_of in home[0])))
    return tuple((label, tuple(items)) for label, items in groups)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_home": [], "nav_current": None}
    groups = nav_entries(request)
    home, seen = [], set()
    for group in groups:
        for item in group["items"]:
            if item["home"] and item["url"] not in seen:
                seen.add(item["url"])
                home.append(item)
    if not home:  # a user without a role's home (no role yet): the whole menu
        home = [item for group in groups for item in group["items"]]
    # When a queue entry and its whole list are both home entries, only the more specific one is current.
    if any(i["active"] and "?" in i["url"] for i in home):
        for i in home:
            i["active"] = i["active"] and "?" in i["url"]
    current = None
    if not any(i["active"] for i in home):
        # The page's own area stays in reach (its neighbours), without the other areas' entries.
        current = next((g for g in groups if any(i["active"] for i in g["items"])), None)
    menu_url = reverse("core:menu")
    return {"nav_home": home, "nav_current": current, "nav_menu_active": request.path == menu_url, "menu_url": menu_url,
            "user_roles": user_roles(user)}
