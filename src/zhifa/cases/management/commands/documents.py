"""zhifa documents retry [--minutes N] [--max-attempts N] [--limit N]

Makes again the case papers not made: pending rows whose task was lost (the web process's render thread
stopped, a broker message dropped) and failed rows, once they are ``--minutes`` old (default 10) and were
tried fewer than ``--max-attempts`` times (default 3). Celery beat runs the same sweep every 10 minutes
(``cases.retry_documents``); this command is for a deployment without beat (cron) or after an incident."""

from django.core.management.base import BaseCommand

from zhifa.cases.tasks import RETRY_AFTER_MINUTES, RETRY_MAX_ATTEMPTS, retry_documents

WORDS = {"ready": "已生成", "failed": "仍未能生成", "done": "已由其他进程处理",
         "skipped": "无需生成（已缴清或撤销）"}


class Command(BaseCommand):
    help = "重新生成未能生成或长时间仍在生成中的案件文书"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        retry = sub.add_parser("retry", help="重新生成未能生成或生成中超时的文书")
        retry.add_argument("--minutes", type=int, default=RETRY_AFTER_MINUTES,
                           help="生成中或上次生成超过多少分钟（默认10）")
        retry.add_argument("--max-attempts", type=int, default=RETRY_MAX_ATTEMPTS,
                           help="已生成次数少于此数的才重试（默认3）")
        retry.add_argument("--limit", type=int, default=500, help="本次最多处理的文书数（默认500）")

    def handle(self, *args, action, **opts):
        outcome = retry_documents(older_than_minutes=opts["minutes"], max_attempts=opts["max_attempts"],
                                  limit=opts["limit"])
        if not outcome:
            self.stdout.write("没有需要重新生成的文书。")
            return
        self.stdout.write("；".join(f"{WORDS.get(k, k)} {n} 份" for k, n in sorted(outcome.items())))
