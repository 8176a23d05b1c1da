"""The register kit: one description per register gives the list (search, paging, XLSX export), detail, create
and edit pages and the keyset API list. Used by the domain apps (complaints, training) and by core's own
registers (``core.registers``: the descriptions; core's views add import and masking).

Writes still go through each app's services (``Register.create`` / ``Register.update``; a plain register row with
no workflow uses ``core.services.audited_create`` / ``audited_update``); the kit only parses, calls one service
and renders — the layering the project follows. ``own_organisation`` is the organisation a new row is registered
under.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from ninja import Query, Schema
from ninja.orm import create_schema

from zhifa.core import audit, xlsx
from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.pagination import keyset
from zhifa.core.roles import has_role
from zhifa.core.schemas import ErrorOut
from zhifa.core.selectors import get_scoped


@dataclass
class Register:
    """How one register is listed, shown, exported, edited and served by the API."""

    key: str
    title: str
    model: type[models.Model]
    selector: Callable  # (user, search="") -> QuerySet, jurisdiction applied
    columns: list[tuple[str, str]]
    detail: list[tuple[str, str]]
    search_hint: str = ""
    form: type[forms.Form] | None = None
    create: Callable | None = None  # (actor, data) -> obj
    update: Callable | None = None  # (actor, obj, data) -> obj
    initial: Callable | None = None  # (obj) -> dict for the edit form
    edit_roles: tuple[str, ...] = ()
    related: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)
    actions_template: str = ""
    api_fields: list[str] | None = None
    org_field: str = "organisation"
    extra_context: Callable | None = None  # (request, obj) -> dict for the detail page
    obj_editable: Callable | None = None  # (obj) -> bool: whether the edit form applies in the object's state
    # (obj) -> (person, what) when the detail shows a natural person's data (the view is recorded), else None
    personal: Callable | None = None
    personal_in_api: bool = True  # False when the API fields leave the personal data out

    def log_personal_view(self, request, obj) -> None:
        shown = self.personal(obj) if self.personal else None
        if shown and (self.personal_in_api or not request.path.startswith("/api/")):
            audit.log_personal_view(request, obj, person=shown[0], what=shown[1])

    def can_edit(self, user) -> bool:
        return bool(self.form) and has_role(user, *self.edit_roles)


def cell(obj, attr: str):
    """The display value of ``attr`` (dotted paths, callables, booleans as 是/否)."""
    value = obj
    for part in attr.split("."):
        value = getattr(value, part, "") if value is not None else ""
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return "" if value is None else value


def search_filter(qs, search: str, fields: list[str]):
    """``qs`` narrowed to rows where any of ``fields`` contains ``search`` (unchanged when the search is
    empty)."""
    if not search:
        return qs
    q = Q()
    for f in fields:
        q |= Q(**{f"{f}__contains": search})
    return qs.filter(q)


def form_errors_from(form, exc: Exception) -> None:
    if isinstance(exc, DomainError):
        form.add_error(None, exc.message)
    elif hasattr(exc, "message_dict"):
        for name, errs in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, "；".join(getattr(exc, "messages", [str(exc)])))


class RegisterSet:
    """The registers of one app: builds their URL patterns and API routes."""

    def __init__(self, namespace: str, registers: list[Register]):
        self.namespace = namespace
        self.registers = {r.key: r for r in registers}

    @staticmethod
    def get_object(reg: Register, user, pk: int):
        if not reg.org_field:  # a rule table shared by all jurisdictions
            return get_object_or_404(reg.selector(user), pk=pk)
        return get_scoped(reg.selector(user), user, reg.org_field, pk=pk)

    def get(self, key: str) -> Register:
        reg = self.registers.get(key)
        if reg is None:
            raise Http404
        return reg

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.namespace}:{name}", args=args)

    # --- views -------------------------------------------------------------------------------
    def list_view(self, request, key: str):
        reg = self.get(key)
        search = request.GET.get("q", "").strip()
        qs = reg.selector(request.user, search=search)
        if request.GET.get("format") == "xlsx":
            # The page's columns, the search applied; the export is recorded (lists hold personal data).
            columns = [(label, lambda obj, a=a: cell(obj, a)) for label, a in reg.columns]
            return xlsx.list_response(
                request.user,
                kind=f"{self.namespace}.{reg.key}",
                title=reg.title,
                qs=qs,
                columns=columns,
                filters={"关键词": search},
            )
        page = Paginator(qs, 30).get_page(request.GET.get("page"))
        rows = [{"obj": obj, "cells": [cell(obj, a) for _, a in reg.columns]} for obj in page]
        context = {
            "reg": reg,
            "ns": self.namespace,
            "page": page,
            "rows": rows,
            "search": search,
            "can_create": reg.create is not None and reg.can_edit(request.user),
        }
        template = "core/kit/_table.html" if request.htmx else "core/kit/list.html"
        return render(request, template, context)

    def detail_view(self, request, key: str, pk: int):
        reg = self.get(key)
        obj = self.get_object(reg, request.user, pk)
        fields = [(label, cell(obj, a)) for label, a in reg.detail]
        related = []
        for title, rel, cols in reg.related:
            items = list(getattr(obj, rel).all()[:100])
            related.append(
                {
                    "title": title,
                    "columns": [c[0] for c in cols],
                    "rows": [[cell(i, a) for _, a in cols] for i in items],
                }
            )
        context = {
            "reg": reg,
            "ns": self.namespace,
            "obj": obj,
            "fields": fields,
            "related": related,
            "events": audit.history(obj)[:50],
            "can_edit": reg.update is not None
            and reg.can_edit(request.user)
            and (reg.obj_editable is None or reg.obj_editable(obj)),
        }
        if reg.extra_context:
            context.update(reg.extra_context(request, obj))
        reg.log_personal_view(request, obj)
        return render(request, "core/kit/detail.html", context)

    def create_view(self, request, key: str):
        reg = self.get(key)
        if reg.create is None or not reg.can_edit(request.user):
            raise Http404
        form = reg.form(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                obj = reg.create(request.user, form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, f"已登记：{obj}")
                return redirect(f"{self.namespace}:detail", key, obj.pk)
        return render(
            request,
            "core/kit/form.html",
            {"form": form, "title": f"新增{reg.title}", "reg": reg, "ns": self.namespace},
        )

    def edit_view(self, request, key: str, pk: int):
        reg = self.get(key)
        if reg.update is None or not reg.can_edit(request.user):
            raise Http404
        obj = self.get_object(reg, request.user, pk)
        if reg.obj_editable is not None and not reg.obj_editable(obj):
            raise Http404
        initial = reg.initial(obj) if reg.initial else None
        form = reg.form(
            request.POST or None, request.FILES or None, user=request.user, initial=initial, instance_obj=obj
        )
        if request.method == "POST" and form.is_valid():
            try:
                reg.update(request.user, obj, form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, "已保存。")
                return redirect(f"{self.namespace}:detail", key, obj.pk)
        return render(
            request,
            "core/kit/form.html",
            {"form": form, "title": f"修改{reg.title}：{obj}", "reg": reg, "ns": self.namespace, "obj": obj},
        )

    def urlpatterns(self) -> list:
        lr = login_required
        return [
            path("r/<str:key>/", lr(self.list_view), name="list"),
            path("r/<str:key>/new/", lr(self.create_view), name="create"),
            path("r/<str:key>/<int:pk>/", lr(self.detail_view), name="detail"),
            path("r/<str:key>/<int:pk>/edit/", lr(self.edit_view), name="edit"),
        ]

    # --- API -----------------------------------------------------------------------------------
    def add_api(self, router) -> None:
        """A keyset list and a detail endpoint per register on ``router``."""

        for reg in self.registers.values():
            fields = reg.api_fields or [f.name for f in reg.model._meta.concrete_fields]
            out = create_schema(
                reg.model, name=f"{self.namespace.title()}{reg.model.__name__}Out", fields=fields
            )

            class PageOut(Schema):
                items: list[out]
                next_cursor: int | None = None

            PageOut.__name__ = f"{self.namespace.title()}{reg.model.__name__}Page"
            _add_routes(router, reg, out, PageOut, ErrorOut)


def _add_routes(router, reg: Register, out, page_out, error_out) -> None:
    slug = reg.key.replace("_", "-")

    @router.get(
        f"/{slug}/",
        response=page_out,
        summary=f"{reg.title}（列表）",
        operation_id=f"list_{reg.model._meta.label_lower.replace('.', '_')}",
    )
    def _list(
        request,
        q: str = Query("", max_length=100),
        after: int | None = None,
        limit: int = Query(50, ge=1, le=200),
    ):
        rows, cursor = keyset(reg.selector(request.user, search=q.strip()), after=after, limit=limit)
        return {"items": rows, "next_cursor": cursor}

    @router.get(
        f"/{slug}/{{item_id}}",
        response={200: out, 404: error_out},
        summary=f"{reg.title}详情",
        operation_id=f"get_{reg.model._meta.label_lower.replace('.', '_')}",
    )
    def _detail(request, item_id: int):
        obj = RegisterSet.get_object(reg, request.user, item_id)
        reg.log_personal_view(request, obj)
        return obj


class KitForm(forms.Form):
    """A form that knows the acting user (to limit choices to the jurisdiction) and the object being
    edited."""

    def __init__(self, *args, user=None, instance_obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance_obj = instance_obj
        for f in self.fields.values():
            if isinstance(f, forms.DateField):
                f.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            elif isinstance(f, forms.DateTimeField):
                f.widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        self.setup()

    def setup(self):
        """Override to narrow querysets to the user's jurisdiction."""


def own_organisation(user):
    """The organisation a new record is registered under: the acting user's own (refused when it has none)."""
    if user.organisation_id is None:
        raise DomainError("no_organisation", "您的账号未关联机构，无法登记。")
    return user.organisation


def require_role(user, *roles, message="您没有执行此操作的权限。") -> None:
    if user is not None and not has_role(user, *roles):
        raise NotPermitted("forbidden", message)
