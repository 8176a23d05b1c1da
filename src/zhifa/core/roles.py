"""Roles. A user's roles are Django groups named by these codes; the public has no account."""

from django.db import models

from .versions import Memo


class Role(models.TextChoices):
    OFFICER = "officer", "执法人员"
    REVIEWER = "reviewer", "法制审核人员"
    HEAD = "head", "负责人"
    SUPERVISOR = "supervisor", "法制监督人员"
    ADMIN = "admin", "系统管理员"


# Each user's group names, kept by the process while no group and no membership changes (core.versions: the
# database changes the token with the write, so a role given or taken applies from the next request on).
_kept = Memo("roles")


def user_roles(user) -> frozenset[str]:
    """The role codes of ``user``, cached on the instance for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_zhifa_roles", None)
    if cached is None:
        cached = _kept.get(user.pk, lambda: frozenset(user.groups.values_list("name", flat=True)))
        if user.is_superuser:
            cached = cached | {Role.ADMIN}
        user._zhifa_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))
