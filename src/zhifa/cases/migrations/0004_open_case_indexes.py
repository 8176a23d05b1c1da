"""Indexes for the at-risk lists and the dashboard card at a million cases (docs/performance.md): the open cases
of a unit (partial index), and an officer's cases by officer (covering index on the many-to-many table, so "my
cases" is an index-only scan instead of one heap fetch per case the officer ever handled)."""

from django.db import migrations, models

OFFICER_CASE_INDEX = "case_officers_officer_case_idx"


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0003_list_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(condition=models.Q(("status__in", ("lead", "opened", "investigated", "legal_review", "reviewed", "notified", "hearing", "heard", "decided", "execution", "executed"))), fields=["organisation", "id"], name="case_open_org_idx"),
        ),
        # The auto-created through table has no Meta of its own; SQLite and PostgreSQL share this syntax.
        migrations.RunSQL(
            f'CREATE INDEX IF NOT EXISTS {OFFICER_CASE_INDEX} ON "cases_case_officers" ("officer_id", "case_id")',
            f"DROP INDEX IF EXISTS {OFFICER_CASE_INDEX}",
        ),
    ]
