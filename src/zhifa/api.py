"""The REST API (django-ninja) under /api/v1/, OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs.

Each domain app in settings.ZHIFA_APPS that has an ``api`` module with a ``router`` is mounted at
``/api/v1/<app label>/``. Errors are answered as ``{"code": "<english_code>", "message": "<中文说明>"}``.
"""

from functools import wraps
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404
from django.urls import include, path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from zhifa.core.auth import ApiTokenAuth
from zhifa.core.errors import DomainError


def _docs_access(view):
    """The schema and the docs describe every endpoint: in production only for a signed-in user (a browser
    session; anonymous requests go to the sign-in page)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.ZHIFA_API_DOCS_PUBLIC or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    return wrapper


api = NinjaAPI(
    title="zhifa 交通运输行政执法综合管理平台 API",
    version="1",
    description="REST API. Authenticate with a session (browser) or `Authorization: Bearer <token>`. "
    "Errors: `{code, message}` with an English code and a Chinese message.",
    auth=[ApiTokenAuth(), django_auth],
    urls_namespace="api",
    docs_decorator=_docs_access,
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    text = "；".join(f"{m}" for msgs in messages.values() for m in msgs)
    return api.create_response(request, {"code": "invalid", "message": text, "fields": messages}, status=422)


@api.exception_handler(NinjaValidationError)
def _schema_error(request, exc: NinjaValidationError):
    return api.create_response(
        request, {"code": "invalid_request", "message": "请求格式不正确", "errors": exc.errors}, status=422
    )


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request, exc):
    # A number or text the database cannot hold (e.g. an id beyond 64 bits) is bad input, not a server fault.
    return api.create_response(request, {"code": "out_of_range", "message": "数值或文本超出允许范围"}, status=422)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": "对象不存在或无权访问"}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(
        request, {"code": "forbidden", "message": str(exc) or "无权执行此操作"}, status=403
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"code": "unauthenticated", "message": "请先登录"}, status=401)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(
        request, {"code": "http_error", "message": str(exc)}, status=exc.status_code
    )


def _mount_routers() -> None:
    for dotted in settings.ZHIFA_WORK_ORDER:
        if find_spec(f"{dotted}.api") is None:
            continue
        module = import_module(f"{dotted}.api")
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{dotted.rsplit('.', 1)[-1]}/", router)


_mount_routers()


def urls():
    """The API's URL configuration for ``path("api/v1/", …)``: django-ninja's patterns (one per path, 180 in
    one list, tried one by one) grouped by their section (``cases/``, ``permits/`` …), so a request is matched
    against its section's patterns only (a case's detail tried ~40 patterns, an integration's ~180). The same
    patterns, names and namespace; within a section the order is ninja's, and no pattern begins with a
    parameter, so every path resolves to the same view as before."""
    patterns, app_name, namespace = api.urls
    result, sections = [], {}
    for pattern in patterns:
        route = str(pattern.pattern)
        section, slash, rest = route.partition("/")
        if not slash or "<" in section or not hasattr(pattern, "callback"):
            result.append(pattern)
            continue
        if section not in sections:
            sections[section] = []
            result.append(path(f"{section}/", include(sections[section])))
        sections[section].append(path(rest, pattern.callback, pattern.default_args, name=pattern.name))
    return result, app_name, namespace
