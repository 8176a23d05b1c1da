"""zhifa db-roles --app-role NAME [--print] — on PostgreSQL, give the application's role what it needs and no more.

Run as the owner role (the one that runs `zhifa migrate` and owns every table) or a superuser, after each
migration. The application role gets SELECT/INSERT/UPDATE/DELETE on the tables and the sequences it needs, but on
the full-process record (`core_event`) only SELECT and INSERT: no UPDATE, DELETE or TRUNCATE, and — not being the
owner — no ALTER TABLE (it cannot switch the append-only triggers off). See docs/deployment.md."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

from zhifa.core.models import Event

APPEND_ONLY = [Event._meta.db_table]


def grant_statements(*, app_role: str, owner: str, database: str, schema: str = "public") -> list[sql.Composable]:
    app, own, sch = sql.Identifier(app_role), sql.Identifier(owner), sql.Identifier(schema)
    statements = [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), app),
        sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(sch),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sch, app),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(sch, app),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(sch, app),
        # Tables created by later migrations (run by the owner) get the same grants.
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}").format(own, sch, app),
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}").format(own, sch, app),
    ]
    for table in APPEND_ONLY:
        tbl = sql.Identifier(schema, table)
        statements += [
            sql.SQL("REVOKE ALL ON {} FROM PUBLIC").format(tbl),
            sql.SQL("REVOKE ALL ON {} FROM {}").format(tbl, app),
            sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(tbl, app),
        ]
    return statements


class Command(BaseCommand):
    help = "PostgreSQL：为应用数据库角色授予最小权限（全过程记录表只可读与追加）"

    def add_arguments(self, parser):
        parser.add_argument("--app-role", required=True, help="the role the web and worker processes connect as")
        parser.add_argument("--schema", default="public")
        parser.add_argument("--print", action="store_true", dest="print_only", help="print the SQL instead of running it")

    def handle(self, *args, app_role, schema, print_only, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("数据库角色分离只适用于 PostgreSQL（SQLite 没有数据库角色）。")
        with connection.cursor() as cur:
            cur.execute("SELECT current_user, current_database()")
            owner, database = cur.fetchone()
            cur.execute("SELECT tableowner FROM pg_tables WHERE schemaname = %s AND tablename = %s", [schema, APPEND_ONLY[0]])
            row = cur.fetchone()
            cur.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [app_role])
            role = cur.fetchone()
        if row is None:
            raise CommandError("未找到全过程记录表：请先以所有者角色运行 zhifa migrate。")
        if role is None:
            raise CommandError(f"数据库角色 {app_role} 不存在：请先创建（见 docs/deployment.md）。")
        table_owner = row[0]
        if app_role in (owner, table_owner) or role[0]:
            raise CommandError(f"应用角色 {app_role} 不能是表的所有者或超级用户：否则可以关闭全过程记录的只追加触发器。")
        statements = grant_statements(app_role=app_role, owner=table_owner, database=database, schema=schema)
        if print_only:
            for statement in statements:
                self.stdout.write(statement.as_string(connection.connection) + ";")
            return
        with transaction.atomic(), connection.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
        self.stdout.write(f"已为 {app_role} 授予最小权限：{APPEND_ONLY[0]} 仅可读取与追加；表的所有者为 {table_owner}。")
