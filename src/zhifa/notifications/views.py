from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors, services
from .kinds import KINDS, OFFICER_KINDS
from .models import Preference


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox_for(request.user, unread_only=unread_only), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
def open_item(request, pk: int):
    """Open a notification: mark it read and go to what it is about (a page of this site only)."""
    n = get_object_or_404(selectors.inbox_for(request.user), pk=pk)
    services.mark_read(user=request.user, ids=[n.pk])
    if n.url and url_has_allowed_host_and_scheme(n.url, allowed_hosts={request.get_host()}) and n.url.startswith("/"):
        return redirect(n.url)
    return redirect("notifications:inbox")


@require_POST
@login_required
def read_all(request):
    count = services.mark_read(user=request.user)
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    saved = {p.kind: p for p in Preference.objects.filter(user=request.user)}
    rows = [{"kind": k, "email": saved[k.code].email if k.code in saved else k.email, "sms": saved[k.code].sms if k.code in saved else k.sms}
            for k in OFFICER_KINDS]
    if request.method == "POST":
        choices = {k.code: (f"email_{k.code}" in request.POST, f"sms_{k.code}" in request.POST) for k in OFFICER_KINDS}
        services.preferences_set(user=request.user, choices=choices)
        messages.success(request, "通知设置已保存。")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"rows": rows, "kinds": KINDS,
                                                               "email": request.user.email, "phone": getattr(request.user, "phone", "")})
