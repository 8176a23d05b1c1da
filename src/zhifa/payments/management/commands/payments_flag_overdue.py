"""zhifa payments-flag-overdue: flag payment notices past their due date (run daily)."""

from django.core.management.base import BaseCommand

from zhifa.payments.services import payments_flag_overdue


class Command(BaseCommand):
    help = "标记逾期未缴的缴款通知（每日运行）"

    def handle(self, *args, **options):
        self.stdout.write(f"新标记逾期 {payments_flag_overdue()} 件")
