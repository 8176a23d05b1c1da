"""zhifa demo — create or reuse the embedded database, load the demo when empty, print the demo accounts and
serve the platform on 127.0.0.1:8000. Served with DEBUG off (as a visitor would meet it: Chinese error pages, no
technical 404 listing every URL pattern); WhiteNoise serves the static files from the apps (``--debug`` for
Django's debug pages while developing)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from zhifa.core.demo import ACCOUNTS, DEMO_PASSWORD
from zhifa.core.models import Organisation, User


class Command(BaseCommand):
    help = "启动演示：建库、载入演示数据、打印演示账号并在 127.0.0.1:8000 提供服务"

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="prepare the database and exit")
        parser.add_argument("--debug", action="store_true", help="serve with DEBUG on (developers only)")

    def handle(self, *args, addr, no_serve, debug=False, **opts):
        call_command("migrate", interactive=False, verbosity=0)
        if not Organisation.objects.exists():
            self.stdout.write("正在生成演示数据……")
            call_command("demo_data", stdout=self.stdout)
        else:
            self.stdout.write(f"使用已有数据库。演示账号（密码均为 {DEMO_PASSWORD}）：")
            users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).select_related("organisation")}
            for username, *_ in ACCOUNTS:
                if username in users:
                    u = users[username]
                    roles = "、".join(sorted(u.groups.values_list("name", flat=True)))
                    self.stdout.write(f"  {username:<14} {roles:<24} {u.organisation}")
        if no_serve:
            return
        self.stdout.write(self.style.SUCCESS(f"平台地址：http://{addr}/   公开门户：http://{addr}/portal/   API 文档：http://{addr}/api/v1/docs"))
        # The handler (and WhiteNoise, which reads its settings then) is built when runserver starts serving.
        settings.DEBUG = debug
        call_command("runserver", addr, use_reloader=False)
