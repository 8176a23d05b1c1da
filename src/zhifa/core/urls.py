from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("menu/", views.menu, name="menu"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/2fa/", views.login_2fa, name="login_2fa"),
    path("account/2fa/", views.account_2fa, name="account_2fa"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("registers/parties/new/", views.party_create, name="party_create"),
    path("registers/vehicles/new/", views.vehicle_create, name="vehicle_create"),
    path("registers/officers/<int:pk>/certificate/", views.officer_certificate, name="officer_certificate"),
    path("registers/<str:key>/import/", views.register_import, name="register_import"),
    path("registers/<str:key>/", views.register_list, name="register_list"),
    path("registers/<str:key>/<int:pk>/", views.register_detail, name="register_detail"),
    path("history/<str:subject_type>/<str:subject_id>/", views.history, name="history"),
    path("audit/", views.audit_log, name="audit_log"),
    path("calendar/", views.calendar_view, name="calendar"),
]
