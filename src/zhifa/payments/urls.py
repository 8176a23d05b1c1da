from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/plan/", views.plan_apply, name="plan_apply"),
    path("plans/<int:plan_id>/decide/", views.plan_decide, name="plan_decide"),
    path("<int:pk>/reminder/", views.reminder, name="reminder"),
    path("<int:pk>/enforcement/", views.enforcement, name="enforcement"),
    path("pay/<str:code>/", views.pay_page, name="pay"),
    path("pay/<str:code>/qr.png", views.pay_qr, name="pay_qr"),
    path("pay/<str:code>/simulate/", views.pay_simulate, name="pay_simulate"),
]
