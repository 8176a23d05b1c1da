"""Root URL configuration. Each domain app in settings.ZHIFA_APPS that has a ``urls`` module is mounted at
``/<app label>/`` under its own namespace; the REST API lives under ``/api/v1/``."""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from zhifa import api

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url=static("core/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls()),
    path("", include("zhifa.core.urls")),
]

for dotted in settings.ZHIFA_APPS:
    label = dotted.rsplit(".", 1)[-1]
    if label == "core" or find_spec(f"{dotted}.urls") is None:
        continue
    module = import_module(f"{dotted}.urls")
    prefix = getattr(module, "URL_PREFIX", f"{label}/")
    urlpatterns.append(path(prefix, include(module)))

admin.site.site_header = "交通运输行政执法综合管理平台 · 管理后台"
admin.site.site_title = "zhifa 管理后台"
admin.site.index_title = "数据与配置管理"
