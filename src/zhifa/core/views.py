"""Officer UI for the core: sign-in, dashboard, registers, history, the calendar and the audit log."""

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import audit, cards, legal_calendar, selectors, services, totp, xlsx
from .errors import DomainError
from .forms import LoginForm, PartyForm, VehicleForm, WorkingDaysForm
from .kit import cell
from .models import Driver, Event, Officer, Party, User, Vehicle
from .registers import REGISTERS
from .roles import Role, has_role


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if totp.totp_required(user):
            # Password accepted; the session is not signed in until the second factor is given.
            self.request.session["pending_2fa_user"] = user.pk
            self.request.session["pending_2fa_next"] = self.get_success_url()
            return redirect("core:login_2fa")
        return super().form_valid(form)


def login_2fa(request):
    user_id = request.session.get("pending_2fa_user")
    if not user_id:
        return redirect("core:login")
    user = User.objects.filter(pk=user_id, is_active=True).first()
    error = ""
    if request.method == "POST" and user is not None:
        try:
            if totp.second_factor_verify(user=user, code=request.POST.get("code", "")):
                next_url = request.session.pop("pending_2fa_next", "/")
                request.session.pop("pending_2fa_user", None)
                auth_login(request, user, backend="zhifa.core.auth.LockoutModelBackend")
                return redirect(next_url if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) else "/")
            error = "动态口令或恢复码不正确或已使用，请输入手机上当前显示的6位数字或一个未用过的恢复码。"
        except DomainError as exc:  # locked after too many wrong codes
            error = exc.message
    return render(request, "core/login_2fa.html", {"error": error})


@login_required
def account_2fa(request):
    device = totp.device_for(request.user)
    error = ""
    codes: list[str] = []  # recovery codes, shown once right after they are made
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "begin":
                device = totp.totp_begin(user=request.user)
            elif action == "confirm":
                codes = totp.totp_confirm(user=request.user, code=request.POST.get("code", ""))
                device = totp.device_for(request.user)
                messages.success(request, "已启用动态口令二次验证。请抄写或打印下面的恢复码并妥善保管。")
            elif action == "renew":
                codes = totp.recovery_codes_renew(user=request.user, code=request.POST.get("code", ""))
                messages.success(request, "已生成新的恢复码，原恢复码作废。")
            elif action == "disable":
                totp.totp_disable(actor=request.user, user=request.user, password=request.POST.get("password", ""),
                                  code=request.POST.get("code", ""))
                messages.success(request, "已停用动态口令。")
                return redirect("core:account_2fa")
        except DomainError as exc:
            error = exc.message
    qr = totp.provisioning_qr_data_uri(device) if device and not device.confirmed else ""
    left = totp.recovery_codes_left(request.user) if device and device.confirmed else 0
    return render(request, "core/account_2fa.html", {"device": device, "qr": qr, "error": error, "codes": codes, "codes_left": left})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        with transaction.atomic():
            audit.record(actor=self.request.user, action="user.password_change", subject=self.request.user, summary="修改登录密码")
        messages.success(self.request, "密码已修改。")
        return response

    def get_success_url(self):
        return "/"


@login_required
def dashboard(request):
    widgets, computed_at = cards.cards_for(request)
    return render(request, "core/dashboard.html", {"widgets": widgets, "today": timezone.localdate(), "computed_at": computed_at,
                                                   "cache_seconds": settings.DASHBOARD_CACHE_SECONDS,
                                                   "refresh_seconds": cards.refresh_seconds()})


@login_required
def menu(request):
    """全部功能: every page the user's roles may open, by area, with a search over the entries' names."""
    from .context_processors import nav_entries

    q = request.GET.get("q", "").strip()[:40]
    groups = nav_entries(request)
    if q:
        groups = [{**g, "items": g["items"] if q in g["label"] else [i for i in g["items"] if q in i["label"]]} for g in groups]
        groups = [g for g in groups if g["items"]]
    return render(request, "core/menu.html", {"groups": groups, "q": q})


@login_required
def register_list(request, key: str):
    register = REGISTERS.get(key)
    if register is None:
        raise Http404
    search = request.GET.get("q", "").strip()
    qs = register.selector(request.user, search=search)
    if request.GET.get("format") == "xlsx":
        # The same columns as the page (identifiers masked as on the page), with the search applied.
        return xlsx.list_response(request.user, kind=f"core.{key}", title=register.title, qs=qs, columns=register.columns,
                                  filters={"关键词": search})
    from .imports import IMPORT_ROLES

    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [{"obj": obj, "cells": [cell(obj, attr) for _, attr in register.columns]} for obj in page]
    context = {"register": register, "page": page, "rows": rows, "search": search, "can_create": key in {"parties", "vehicles"} and has_role(request.user, Role.OFFICER, Role.ADMIN),
               "can_import": key in IMPORT_ROLES and has_role(request.user, *IMPORT_ROLES[key]) and request.user.organisation_id is not None}
    template = "core/_register_table.html" if request.htmx else "core/register_list.html"
    return render(request, template, context)


@login_required
def register_import(request, key: str):
    """Import a register kept in Excel (parties, vehicles, companies, officers): a template to fill, then the upload;
    row-numbered errors."""
    from .imports import IMPORT_ROLES, IMPORTS

    if key not in IMPORTS or not has_role(request.user, *IMPORT_ROLES[key]) or request.user.organisation_id is None:
        raise Http404
    run, columns, required, example = IMPORTS[key]
    register = REGISTERS[key]
    if request.GET.get("template"):
        return xlsx.template_response(f"{register.title}导入模板", columns, [c for c in required], example)
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 Excel（.xlsx）文件。")
        else:
            try:
                result = run(actor=request.user, organisation=request.user.organisation, file=upload)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                if not result.errors:
                    messages.success(request, f"已导入{register.title} {result.created} 条。")
                    return redirect("core:register_list", key)
    required_labels = [label for label, k in columns.items() if k in required]
    return render(request, "core/register_import.html", {"register": register, "columns": list(columns), "required": required_labels,
                                                         "result": result})


@login_required
def register_detail(request, key: str, pk: int):
    register = REGISTERS.get(key)
    if register is None:
        raise Http404
    obj = selectors.get_scoped(register.selector(request.user), request.user, pk=pk) if key != "organisations" else _org(request, pk)
    fields = [(label, cell(obj, attr)) for label, attr in register.detail]
    related = []
    for title, rel, cols in register.related:
        items = list(getattr(obj, rel).all()[:50])
        related.append({"title": title, "columns": [c[0] for c in cols], "rows": [[cell(i, a) for _, a in cols] for i in items]})
    # Viewing a person's data unmasked is itself recorded (who looked at whom).
    if isinstance(obj, Party):
        audit.log_personal_view(request, obj, person=obj.name, what="当事人信息")
    elif isinstance(obj, Driver):
        audit.log_personal_view(request, obj, person=obj.name, what="驾驶员信息")
    elif isinstance(obj, Vehicle) and obj.owner.kind == Party.Kind.PERSON:
        audit.log_personal_view(request, obj, person=obj.owner.name, what=f"车辆 {obj.plate} 的所有人")
    return render(request, "core/register_detail.html", {"register": register, "obj": obj, "fields": fields, "related": related,
                                                          "events": audit.history(obj)[:50]})


def _org(request, pk):
    return selectors.organisations_for(request.user).filter(pk=pk).first() or _raise404()


def _raise404():
    raise Http404


@login_required
def party_create(request):
    form = PartyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            party = services.party_create(actor=request.user, organisation=request.user.organisation, **form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已登记当事人 {party.name}")
            return redirect("core:register_detail", "parties", party.pk)
    return render(request, "core/form.html", {"form": form, "title": "登记当事人", "back": "core:register_list", "back_arg": "parties"})


@login_required
def vehicle_create(request):
    form = VehicleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        ident = data.pop("owner_identifier").strip().upper()
        owner = selectors.parties_for(request.user).filter(id_number=ident).first() or selectors.parties_for(request.user).filter(credit_code=ident).first()
        if owner is None:
            form.add_error("owner_identifier", "未找到该证件号码的当事人，请先登记当事人。")
        else:
            try:
                vehicle = services.vehicle_create(actor=request.user, organisation=request.user.organisation, owner=owner, **data)
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已登记车辆 {vehicle.plate}")
                return redirect("core:register_detail", "vehicles", vehicle.pk)
    return render(request, "core/form.html", {"form": form, "title": "登记车辆", "back": "core:register_list", "back_arg": "vehicles"})


@login_required
def history(request, subject_type: str, subject_id: str):
    """The full-process record of one object, shown only if the user may see the object itself."""
    try:
        model = apps.get_model(subject_type)
    except (LookupError, ValueError):
        raise Http404 from None
    qs = model._default_manager.all()
    org_field = selectors.organisation_path(model)
    if org_field:
        try:
            obj = selectors.get_scoped(qs, request.user, org_field, pk=subject_id)
        except (ValueError, ValidationError):
            raise Http404 from None
    elif has_role(request.user, Role.ADMIN, Role.SUPERVISOR):
        obj = qs.filter(pk=subject_id).first() or _raise404()
    else:
        raise Http404
    return render(request, "core/history.html", {"obj": obj, "events": audit.history(obj)})


@login_required
def audit_log(request):
    if not has_role(request.user, Role.SUPERVISOR, Role.ADMIN, Role.HEAD):
        raise Http404
    org_ids = list(selectors.organisations_for(request.user).values_list("pk", flat=True))
    qs = Event.objects.order_by("-seq")
    if not (request.user.is_superuser and request.user.organisation_id is None):
        qs = qs.filter(organisation_id__in=org_ids)
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    result = None
    if request.method == "POST" and has_role(request.user, Role.SUPERVISOR, Role.ADMIN):
        result = audit.verify()
    return render(request, "core/audit_log.html", {"page": page, "action": action, "result": result})


@login_required
def calendar_view(request):
    form = WorkingDaysForm(request.GET or None)
    answer = None
    if form.is_bound and form.is_valid():
        answer = legal_calendar.add_working_days(form.cleaned_data["start"], form.cleaned_data["days"])
    today = timezone.localdate()
    years = [legal_calendar.year_status(y) for y in range(today.year - 1, today.year + 2)]
    return render(request, "core/calendar.html", {"form": form, "answer": answer, "years": years})


@require_POST
@login_required
def officer_certificate(request, pk: int):
    officer = selectors.get_scoped(Officer.objects.all(), request.user, pk=pk)
    try:
        services.officer_update(actor=request.user, officer=officer, cert_status=request.POST.get("cert_status", ""))
    except (DomainError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "；".join(exc.messages))
    else:
        messages.success(request, "执法证状态已更新。")
    return redirect("core:register_detail", "officers", pk)
