"""zhifa import-work-orders FILE --user USERNAME [--channel 12345|12328] — import a hotline platform's XLSX export of
work orders into the user's organisation (e.g. the daily file dropped by the 12345 platform). Prints each refused row
with its row number; exits with status 1 when any row was refused."""

from django.core.management.base import BaseCommand, CommandError

from zhifa.complaints import services
from zhifa.complaints.models import Channel
from zhifa.core.errors import DomainError
from zhifa.core.models import User


class Command(BaseCommand):
    help = "导入热线平台导出的工单表（.xlsx）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="登记人用户名（工单导入其所属机构）")
        parser.add_argument("--channel", default=Channel.HOTLINE_12345, choices=[Channel.HOTLINE_12345, Channel.HOTLINE_12328])

    def handle(self, *args, file, user, channel, **opts):
        actor = User.objects.filter(username=user, is_active=True).select_related("organisation").first()
        if actor is None or actor.organisation_id is None:
            raise CommandError(f"用户 {user} 不存在或未关联机构。")
        try:
            with open(file, "rb") as fh:
                result = services.complaint_import_xlsx(actor=actor, organisation=actor.organisation, file=fh, default_channel=channel)
        except (OSError, DomainError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from exc
        self.stdout.write(f"共读取 {result.rows} 行：受理 {len(result.created)} 件，错误 {len(result.errors)} 行。")
        for c in result.created:
            self.stdout.write(f"  {c.external_id} → {c.number} {c.organisation}{'（' + c.assigned_officer.name + '）' if c.assigned_officer_id else ''}")
        for row, message in result.errors:
            self.stderr.write(f"  第 {row} 行：{message}")
        if result.errors:
            raise SystemExit(1)
