"""Request middleware: binds a request id and client address for the full-process record (and, for a read, one
snapshot of the reference data's version tokens), and sets the security headers (CSP) every response
carries."""

import uuid
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

from . import context, versions

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)


def client_ip(request) -> str:
    """The client's address: the socket peer, or — when the peer is a trusted reverse proxy (``TRUSTED_PROXIES``) —
    the right-most address in X-Forwarded-For that is not itself a trusted proxy (the left part is client-supplied
    and can be forged)."""
    peer = request.META.get("REMOTE_ADDR", "")
    trusted = set(settings.TRUSTED_PROXIES)
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:45]
    return hops[0][:45] if hops else peer


READS = ("GET", "HEAD", "OPTIONS")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        ip = client_ip(request)
        token = context.bind(request_id=request_id, ip_address=ip)
        try:
            if request.method in READS:
                # One query for the version tokens of the calendar, the roles, the organisation tree … instead
                # of one per use; a read changes none of them (core.versions).
                with versions.snapshot():
                    response = self.get_response(request)
            else:
                response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class HtmxLoginMiddleware:
    """A request made by HTMX (an act's form, the documents block polling) after the session has ended is sent
    to the login page as a whole page (``HX-Redirect``), back to the page the user was on, instead of the
    login form being swapped into a fragment of that page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code != 302:
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login:
            return response
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = current.path if current.path.startswith("/") and not current.path.startswith("//") else "/"
        if current.query:
            back += "?" + current.query
        return HttpResponseClientRedirect(f"{login}?{urlencode({REDIRECT_FIELD_NAME: back})}")


class DomainErrorMiddleware:
    """A refusal raised by a service and not handled by the view (missing rule data, a move no longer
    allowed) is shown to the user as a page with the Chinese reason and its status, never as a server error.
    Nothing was changed: services raise before they write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from .errors import DomainError

        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        public = not getattr(request, "user", None) or not request.user.is_authenticated
        return render(request, "core/domain_error.html", {"error": exception, "public": public}, status=exception.status)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API docs page (Swagger UI) loads its own inline script; everything else runs under a strict CSP.
        if not request.path.startswith("/api/v1/docs"):
            response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "geolocation=(self), camera=(self), microphone=(self)")
        if settings.PRODUCTION:
            response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
