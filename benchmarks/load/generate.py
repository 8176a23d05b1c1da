"""Generate a load-test database: 1,000,000 cases with their history on PostgreSQL, in minutes.

    .venv/bin/python benchmarks/load/generate.py --reset            # zhifa_load on the local server, 1M cases
    .venv/bin/python benchmarks/load/generate.py --cases 20000 --database-url postgres://postgres@127.0.0.1:5432/zhifa_small --reset

Steps: create the database (``--reset`` drops it first; ``test`` and ``test_*`` are refused, other engineers' test
runs use them), ``migrate``, the core demo registers (``demo-data --only core``), ten more counties with their
brigades, heads, reviewers and officers, then parties, vehicles and the cases with everything the case pages read:
handling officers, status history (``StatusChange``), transcripts, evidence items, issued-document metadata and
the full-process record (``core.Event``), written with ``COPY`` on parallel connections.

Every case follows the procedure of ``cases.workflow`` (simplified: on-spot decision → paid → closed → archived;
ordinary: lead → opened → … → archived, with side exits), cut at ``--today``: recent cases are still open.
The record's hash chain continues from the existing head with ``zhifa.core.audit.canonical`` (the project's own
chain computation) and each event is keyed with ``zhifa.core.audit.event_mac`` under the configured
``AUDIT_HMAC_KEY`` (run the generator with the deployment's key), so ``zhifa audit verify`` accepts it. The same ``--seed`` and ``--today`` give the same data.

The load-test accounts (username, password, API token, unit) are written to ``var/load-users.json`` for ``run.py``.
"""

import argparse
import bisect
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zhifa_load"
TZ = ZoneInfo("Asia/Shanghai")
YEARS = 6  # cases are registered over the six years before --today

# Ten more counties of 南阳市 (code, name, short name for document prefixes).
EXTRA_COUNTIES = [
    ("411302", "宛城区", "宛城"), ("411303", "卧龙区", "卧龙"), ("411323", "西峡县", "西"), ("411324", "镇平县", "镇"),
    ("411325", "内乡县", "内"), ("411326", "淅川县", "淅"), ("411327", "社旗县", "社"), ("411328", "唐河县", "唐"),
    ("411329", "新野县", "新"), ("411330", "桐柏县", "桐"),
]
PLACES = ["G312国道", "G207国道", "S231省道", "S331省道", "沪陕高速", "二广高速", "宁西铁路货场", "客运站出口", "物流园区", "县城东环路",
          "城区中心街", "工业园区路口", "镇政府门前", "农贸市场", "高速收费站"]
FACTS = ["未按规定携带道路运输证从事货物运输", "擅自改变客运班线经营", "未取得道路运输经营许可从事网约车经营", "驾驶员未按规定携带从业资格证",
         "车辆超限运输", "未按规定进行车辆年度审验", "客车超员载客", "危险货物运输车辆未按规定悬挂标志", "出租汽车拒载", "擅自停放在公路用地"]
PERSON_WEIGHT = 0.82


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument("--today", type=date.fromisoformat, default=date.today(), help="anchor date (default: today)")
    p.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    p.add_argument("--users-file", default=str(ROOT / "var" / "load-users.json"))
    return p.parse_args(argv)


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name or name in {"test", "postgres", "template0", "template1"} or name.startswith("test_"):
        raise SystemExit(f"refusing to use database {name!r}: choose a database of its own (e.g. zhifa_load)")
    return name


def prepare_database(url: str, *, reset: bool) -> None:
    import psycopg

    name = database_name(url)
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    import django

    django.setup()
    from zhifa.cases.models import Case
    from zhifa.core.models import Organisation

    if Case.objects.exists():
        raise SystemExit("the database already holds cases: run with --reset to start again")
    if not Organisation.objects.exists():
        subprocess.run([*manage, "demo_data", "--only", "core"], env=env, check=True, stdout=subprocess.DEVNULL)


# --- COPY writers -------------------------------------------------------------------------------------------------

def _json(v) -> str:
    return json.dumps(v, ensure_ascii=False)


# Text goes to COPY as is: the generator's own strings never hold a tab, newline or backslash (checked in main).
ENCODERS = {type(None): lambda v: "\\N", str: lambda v: v, bool: lambda v: "t" if v else "f", int: str, Decimal: str,
            datetime: datetime.isoformat, date: date.isoformat, dict: _json, list: _json}


def enc(v) -> str:
    encoder = ENCODERS.get(type(v))
    if encoder is None:  # choices enums and other subclasses
        encoder = next(e for t, e in ENCODERS.items() if t is not Raw and isinstance(v, t))
        v = v.value if hasattr(v, "value") else v
    return encoder(v)


class Raw(str):
    """A value already in COPY text form (e.g. a cached JSON document)."""


ENCODERS[Raw] = str


class Writer:
    """One table's COPY on a connection of its own, so every table streams at the same time (bounded memory).
    Columns not given take the model field's default; the connection skips FK triggers (replica role): the
    generator builds consistent rows, and the deferred checks of millions of rows would not fit in memory."""

    def __init__(self, url: str, model, *, with_id: bool = False, table: str | None = None, columns: list[str] | None = None):
        import psycopg
        from psycopg.copy import QueuedLibpqWriter

        self.conn = psycopg.connect(url)
        self.conn.execute("SET session_replication_role = replica")
        self.conn.execute("SET synchronous_commit = off")
        if columns is None:
            fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
            columns = [f.column for f in fields]
            self.template = [enc(self._default(f)) for f in fields]
        else:
            self.template = ["\\N"] * len(columns)
        self.table = table or model._meta.db_table
        self.columns = columns
        self.index = {c: i for i, c in enumerate(columns)}
        # Also accept attnames (party_id) and names (party) for FK columns.
        self.rows = 0
        self.buffer: list[str] = []
        self.size = 0
        self._cursor = self.conn.cursor()
        cols = ", ".join(f'"{c}"' for c in columns)
        # A writer thread sends the data, so the generator builds rows while the server ingests them.
        self._copy_cm = self._cursor.copy(f'COPY "{self.table}" ({cols}) FROM STDIN', writer=QueuedLibpqWriter(self._cursor))
        self.copy = self._copy_cm.__enter__()

    @staticmethod
    def _default(field):
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        if field.get_internal_type() in {"CharField", "TextField"}:
            return ""
        return None

    def add(self, values: dict) -> None:
        row = self.template[:]
        index = self.index
        for k, v in values.items():
            row[index[k]] = enc(v)
        line = "\t".join(row) + "\n"
        self.buffer.append(line)
        self.size += len(line)
        self.rows += 1
        if self.size > 1 << 20:
            self.flush()

    def add_row(self, row: list) -> None:
        """A row in column order (fast path for the narrow tables)."""
        self.buffer.append("\t".join(map(enc, row)) + "\n")
        self.size += 64
        self.rows += 1
        if self.size > 1 << 20:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.copy.write("".join(self.buffer))
            self.buffer, self.size = [], 0

    def close(self) -> None:
        self.flush()
        self._copy_cm.__exit__(None, None, None)
        self.conn.commit()
        self.conn.close()


def without_indexes(url: str, tables: list[str]) -> list[str]:
    """Drop the unique constraints and plain indexes of ``tables`` for the bulk load (primary keys stay); return the
    statements that put them back."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        constraints = conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND contype = 'u'", [tables]).fetchall()
        for table, name, _ in constraints:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        indexes = conn.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
               WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""", [tables]).fetchall()
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
    return [d for _, d in indexes] + [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in constraints]


def rebuild(url: str, statements: list[str], tables: list[str]) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        for statement in statements:
            conn.execute(statement)
        for t in tables:
            conn.execute(f'SELECT setval(pg_get_serial_sequence(%s, %s), (SELECT COALESCE(MAX(id), 1) FROM "{t}"))', [t, "id"])
            conn.execute(f'ANALYZE "{t}"')


# --- the world: units, accounts, parties, vehicles -----------------------------------------------------------------


def extra_units(ctx, today: date, password_hash: str, seed: int) -> list[dict]:
    """Ten more counties (bureau → brigade → squad), each with a head, a legal reviewer and eight officers; and the
    load-test accounts of every unit with an API token derived from the seed."""
    from django.contrib.auth.models import Group

    from zhifa.core.auth import token_hash
    from zhifa.core.demo import ORG_CODE_CHARS
    from zhifa.core.identifiers import credit_code_check_char
    from zhifa.core.models import ApiToken, Officer, Organisation, User
    from zhifa.core.roles import Role

    rng = ctx.rng
    city = ctx.orgs["city"]
    groups = {r.value: Group.objects.get_or_create(name=r.value)[0] for r in Role}
    accounts: list[dict] = []
    cert = Officer.objects.count() + 1000

    def agency_code(region: str) -> str:
        """An agency's unified social credit code (机关 11…, GB 32100 check character), as the demo's units carry: the
        双公示 rows name the deciding body and its code."""
        first17 = "11" + region + "".join(rng.choice(ORG_CODE_CHARS) for _ in range(9))
        return first17 + credit_code_check_char(first17)

    def person(org, username, name, roles, position, legal=False):
        nonlocal cert
        user = User.objects.create(username=username, full_name=name, organisation=org, password=password_hash)
        user.groups.set([groups[r] for r in roles])
        cert += 1
        Officer.objects.create(organisation=org, name=name, user=user, position=position, cert_number=f"{org.region_code}{cert:06d}",
                               cert_issued_on=today - timedelta(days=rng.randint(400, 2400)),
                               cert_expires_on=today + timedelta(days=rng.randint(400, 1600)), legal_qualification=legal,
                               phone=f"139{rng.randint(10000000, 99999999)}", gender=rng.choice("男男男女"))
        return user

    brigades = []
    for region, name, short in EXTRA_COUNTIES:
        county = Organisation.objects.create(code=region, name=f"{name}交通运输局", kind="county", parent=city, region_code=region,
                                             doc_prefix=f"{short}交罚", credit_code=agency_code(region))
        brigade = Organisation.objects.create(code=f"{region}DD", name=f"{name}交通运输综合行政执法大队", kind="brigade", parent=county,
                                              region_code=region, doc_prefix=f"豫R{short}交罚", credit_code=agency_code(region))
        squad = Organisation.objects.create(code=f"{region}ZD1", name=f"{name}执法大队第一中队", kind="squad", parent=brigade,
                                            region_code=region)
        person(county, f"load_{region}_head", f"{name}局长", [Role.HEAD, Role.OFFICER], "局长", legal=True)
        person(county, f"load_{region}_reviewer", ctx.person_name(), [Role.REVIEWER, Role.OFFICER], "法制审核员", legal=True)
        for n in range(8):
            person(brigade if n < 4 else squad, f"load_{region}_o{n}", ctx.person_name(), [Role.OFFICER], "执法队员")
        brigades.append(brigade)
    # Every brigade of the demo tree holds cases too.
    brigades += [ctx.orgs["nz_brigade"], ctx.orgs["fc_brigade"], ctx.orgs["city_brigade"]]

    def token(username: str) -> str:
        return "zf_load_" + hashlib.sha256(f"{seed}:{username}".encode()).hexdigest()[:40]

    users = User.objects.select_related("organisation").prefetch_related("groups")
    wanted = [u for u in users if u.username.startswith("load_")]
    wanted += [u for u in users if u.username in {"officer", "officer2", "head", "reviewer", "fc_officer", "fc_officer2", "supervisor"}]
    for user in wanted:
        key = token(user.username)
        ApiToken.objects.create(user=user, name="负载测试", key_hash=token_hash(key))
        accounts.append({"username": user.username, "password": "zhifa-demo-2026", "token": key,
                         "roles": sorted(g.name for g in user.groups.all()), "organisation": user.organisation.code,
                         "organisation_path": user.organisation.path})
    return brigades, accounts


def main(argv=None) -> None:
    args = parse_args(argv)
    started = time.monotonic()
    prepare_database(args.database_url, reset=args.reset)

    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from zhifa.cases.models import Case, CaseDocument, EvidenceItem, StatusChange, Transcript
    from zhifa.core import audit
    from zhifa.core.demo import DEMO_PASSWORD, context_from_db, make_credit_code, make_id_number
    from zhifa.core.models import AuditHead, Event, Officer, Party, User, Vehicle
    from zhifa.core.roles import Role
    from zhifa.discretion.models import ViolationItem

    rng = random.Random(args.seed)
    ctx = context_from_db(seed=args.seed, today=args.today, scale=1)
    with transaction.atomic():
        brigades, accounts = extra_units(ctx, args.today, make_password(DEMO_PASSWORD), args.seed)
    Path(args.users_file).parent.mkdir(parents=True, exist_ok=True)
    Path(args.users_file).write_text(json.dumps({"database_url": args.database_url, "accounts": accounts}, ensure_ascii=False, indent=1))
    print(f"units and accounts: {len(brigades)} brigades, {len(accounts)} load-test accounts ({time.monotonic() - started:.0f}s)")

    url = args.database_url
    n_cases = args.cases
    weights = [rng.uniform(0.5, 1.5) for _ in brigades]
    cum = [sum(weights[: i + 1]) for i in range(len(weights))]
    share = [w / cum[-1] for w in weights]

    # Officers (with users) and heads of each brigade's subtree: the handling officers and approvers of its cases.
    officers_by_brigade, heads_by_brigade = {}, {}
    all_officers = list(Officer.objects.select_related("organisation", "user").filter(is_active=True, cert_status="valid",
                                                                                     cert_expires_on__gt=args.today))
    head_users = list(User.objects.filter(groups__name=Role.HEAD).select_related("organisation"))
    reviewer_users = list(User.objects.filter(groups__name=Role.REVIEWER).select_related("organisation"))
    reviewers_by_brigade = {}
    for b in brigades:
        officers_by_brigade[b.pk] = [o for o in all_officers if o.organisation.path.startswith(b.path)] or \
            [o for o in all_officers if o.organisation.path.startswith(b.parent.path)]
        county_path = b.parent.path if b.parent_id and b.parent.kind == "county" else b.path
        heads = [u for u in head_users if county_path.startswith(u.organisation.path)]
        heads_by_brigade[b.pk] = heads or head_users[:1]
        reviewers_by_brigade[b.pk] = next((u for u in reviewer_users if county_path.startswith(u.organisation.path)), reviewer_users[0])

    # Parties and vehicles per brigade.
    t0 = time.monotonic()
    seen_ids = set(Party.objects.values_list("id_number", flat=True)) | set(Party.objects.values_list("credit_code", flat=True))
    seen_plates = set(Vehicle.objects.values_list("plate", flat=True))
    party_id = (Party.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    vehicle_id = (Vehicle.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    parties_by_brigade, vehicles_by_brigade, org_codes = {}, {}, {}
    pw = Writer(url, Party, with_id=True)
    vw = Writer(url, Vehicle, with_id=True)
    created = datetime(args.today.year - YEARS, 1, 1, 9, tzinfo=TZ)
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    for b, s in zip(brigades, share, strict=True):
        n_parties = max(50, int(n_cases * s * 0.4))
        plist, vlist = [], []
        for _ in range(n_parties):
            person = rng.random() < PERSON_WEIGHT
            if person:
                while True:
                    ident = make_id_number(rng, b.region_code or "411300", date(rng.randint(1960, 2002), rng.randint(1, 12), rng.randint(1, 28)))
                    if ident not in seen_ids:
                        break
                name = ctx.person_name()
                row = {"id": party_id, "organisation_id": b.pk, "kind": "person", "name": name, "id_number": ident,
                       "phone": f"13{rng.randint(100000000, 999999999)}", "address": f"河南省南阳市{rng.choice(PLACES)}{rng.randint(1, 300)}号",
                       "created_at": created}
            else:
                while True:
                    ident = make_credit_code(rng, b.region_code or "411300")
                    if ident not in seen_ids:
                        break
                name = rng.choice(ctx_firm_words()) + rng.choice(ctx_firm_words()) + rng.choice(["物流有限公司", "运输有限公司", "货运有限公司"])
                row = {"id": party_id, "organisation_id": b.pk, "kind": "organisation", "name": name, "credit_code": ident,
                       "legal_representative": ctx.person_name(), "phone": f"0377-{rng.randint(60000000, 69999999)}", "created_at": created}
            seen_ids.add(ident)
            if not person:
                org_codes[party_id] = ident
            pw.add(row)
            plist.append((party_id, name, person))
            # Most parties own a vehicle (goods vehicles for organisations, a car or truck for persons).
            if rng.random() < 0.7:
                while True:
                    plate = "豫R·" + "".join(rng.choice(letters) for _ in range(5))
                    if plate not in seen_plates:
                        break
                seen_plates.add(plate)
                axles = rng.choice([2, 2, 3, 4, 5, 6])
                vw.add({"id": vehicle_id, "organisation_id": b.pk, "plate": plate, "plate_colour": "yellow" if axles > 2 or not person else "blue",
                        "vehicle_type": "重型半挂牵引车" if axles > 3 else "轻型厢式货车", "is_goods_vehicle": True, "is_combination": axles > 3,
                        "axle_count": axles, "single_drive_axle": False, "owner_id": party_id, "company_id": None,
                        "transport_cert_number": f"411300{rng.randint(100000, 999999)}", "transport_cert_status": "valid",
                        "registered_on": created.date()})
                vlist.append((vehicle_id, party_id, name, person, plate))
                vehicle_id += 1
            party_id += 1
        parties_by_brigade[b.pk], vehicles_by_brigade[b.pk] = plist, vlist
    pw.close()
    vw.close()
    print(f"parties {pw.rows:,}, vehicles {vw.rows:,} ({time.monotonic() - t0:.0f}s)")

    # Catalogue text may hold line breaks: flattened, since COPY text is written without escaping.
    items = [(code, flat(name), flat(basis), pk) for code, name, basis, pk in
             ViolationItem.objects.filter(active=True).values_list("code", "name", "penalty_basis", "pk")]
    head = AuditHead.objects.filter(pk=1).first()
    seq0, prev_hash = (head.seq, head.hash) if head else (0, audit.GENESIS)
    case_id0 = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    transcript_id0 = (Transcript.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    from zhifa.credit.models import CreditPublication
    from zhifa.payments.models import Payment, PaymentNotice
    from zhifa.portal.models import ExportBatch, ExportItem, Publication

    big = [Case._meta.db_table, StatusChange._meta.db_table, Transcript._meta.db_table, EvidenceItem._meta.db_table,
           CaseDocument._meta.db_table, Event._meta.db_table, Case.officers.through._meta.db_table, Transcript.officers.through._meta.db_table,
           PaymentNotice._meta.db_table, Payment._meta.db_table, Publication._meta.db_table, CreditPublication._meta.db_table,
           ExportItem._meta.db_table, ExportBatch._meta.db_table]
    definitions = without_indexes(url, big)
    t0 = time.monotonic()
    gen = CaseGenerator(args, rng, ctx, brigades, cum, parties_by_brigade, vehicles_by_brigade, officers_by_brigade,
                        heads_by_brigade, reviewers_by_brigade, items, seq0, prev_hash, case_id0, transcript_id0, url)
    gen.org_codes = org_codes
    gen.run(n_cases)
    print(f"cases {gen.cases.rows:,}, status changes {gen.changes.rows:,}, events {gen.events.rows:,}, transcripts {gen.transcripts.rows:,}, "
          f"evidence {gen.evidence.rows:,}, documents {gen.documents.rows:,}, payment notices {gen.notices.rows:,}, "
          f"payments {gen.payments.rows:,}, publications {gen.publications.rows:,}, credit publications {gen.credit_pubs.rows:,}, "
          f"双公示 items {gen.export_items.rows:,} in {gen.batches_written:,} batches ({time.monotonic() - t0:.0f}s)")
    t0 = time.monotonic()
    rebuild(url, definitions, big + [Party._meta.db_table, Vehicle._meta.db_table])
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": gen.seq, "hash": gen.prev_hash})
    print(f"indexes rebuilt and analysed ({time.monotonic() - t0:.0f}s); audit head #{gen.seq} {gen.prev_hash[:16]}…")
    t0 = time.monotonic()
    from django.db import connection

    from zhifa.cases.clocks import refresh_due_all

    due = refresh_due_all()  # the open cases' nearest deadlines (Case.clock_due_on), computed by the clocks themselves
    with connection.cursor() as cursor:
        # Visibility maps set, as autovacuum keeps them on a register in use: the at-risk list and "my cases" then
        # read their indexes alone (index-only scans), which a freshly loaded table does not allow.
        for table in (Case._meta.db_table, Case.officers.through._meta.db_table):
            cursor.execute(f'VACUUM ANALYZE "{table}"')
    print(f"nearest deadlines of {due:,} open cases ({time.monotonic() - t0:.0f}s)")
    print(f"done in {time.monotonic() - started:.0f}s; accounts in {args.users_file}")


def flat(text: str) -> str:
    return " ".join(text.replace("\\", "/").split())


def ctx_firm_words():
    from zhifa.core.demo import FIRM_WORDS

    return FIRM_WORDS


class CaseGenerator:
    """Walks each case through the procedure (see ``zhifa.cases.workflow``) and streams every row it leaves."""

    def __init__(self, args, rng, ctx, brigades, cum, parties, vehicles, officers, heads, reviewers, items, seq0, prev_hash,
                 case_id0, transcript_id0, url):
        from zhifa.cases.models import Case, CaseDocument, EvidenceItem, StatusChange, Transcript
        from zhifa.core.audit import canonical, current_key, event_mac
        from zhifa.core.models import Event, Officer

        self.canonical = canonical
        # Events are keyed like record() keys them (HMAC under settings.AUDIT_HMAC_KEY); the generated case rows are
        # not digested (row_digest ''), so `audit verify` checks their chain and signatures, not their rows.
        self.key_id, self.event_mac = current_key()[0], event_mac
        self._digests, self._json = {}, {}
        self.rng, self.ctx, self.brigades, self.cum = rng, ctx, brigades, cum
        self.parties, self.vehicles, self.officers, self.heads, self.items = parties, vehicles, officers, heads, items
        self.seq, self.prev_hash = seq0, prev_hash
        self.case_id, self.transcript_id = case_id0, transcript_id0
        self.today = args.today
        self.cert_numbers = dict(Officer.objects.filter(user__isnull=False).values_list("user_id", "cert_number"))
        self.reviewers = reviewers
        self.now = datetime(args.today.year, args.today.month, args.today.day, 12, tzinfo=TZ)
        self.start = args.today - timedelta(days=365 * YEARS)
        self.numbers: dict[tuple, int] = {}
        self.decisions: dict[tuple, int] = {}
        self.cases = Writer(url, Case, with_id=True)
        self.case_officers = Writer(url, None, table=Case.officers.through._meta.db_table, columns=["case_id", "officer_id"])
        self.changes = Writer(url, StatusChange)
        self.transcripts = Writer(url, Transcript, with_id=True)
        self.transcript_officers = Writer(url, None, table=Transcript.officers.through._meta.db_table, columns=["transcript_id", "officer_id"])
        self.evidence = Writer(url, EvidenceItem)
        self.documents = Writer(url, CaseDocument)
        self.events = Writer(url, Event)
        self.writers = [self.cases, self.case_officers, self.changes, self.transcripts, self.transcript_officers, self.evidence,
                        self.documents, self.events]
        self._init_publication(url)

    def _init_publication(self, url) -> None:
        """What the execution and publication services leave beside a decision: the payment notice (罚缴分离, 行政处罚法
        Art. 67) and its payment, the portal publication (事后公开, 国办发〔2018〕118号), the credit app's publication and the
        双公示 export state — their rules read once from the database (publication deadline, severity tiers, the
        credit-repair regime's publication periods, the legal calendar) and applied per decision from memory."""
        from zhifa.core import legal_calendar
        from zhifa.core.models import Organisation
        from zhifa.credit import selectors as credit_selectors
        from zhifa.credit.models import CreditPublication, RepairRegime
        from zhifa.credit.services import add_months
        from zhifa.payments.models import Payment, PaymentNotice
        from zhifa.portal.models import ExportBatch, ExportItem, Publication, PublicationRule, SeverityRule

        def next_id(model):
            return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

        from zhifa.cases.models import Case
        from zhifa.cases.rules import HEARING_NOTICE_WORKING_DAYS
        from zhifa.core.identifiers import PLATE_IN_TEXT
        from zhifa.portal import pipeline
        from zhifa.portal.deident import mask_name
        from zhifa.portal.services import PLATE_REMOVED
        from zhifa.portal.sources import penalty_category

        self.hearing_days = HEARING_NOTICE_WORKING_DAYS
        self.plates, self.plate_removed, self.mask_name, self.pipeline = PLATE_IN_TEXT, PLATE_REMOVED, mask_name, pipeline
        self.categories = {k: penalty_category(k) for k in Case.PenaltyKind.values}
        self.kind_labels = dict(Case.PenaltyKind.choices)
        self.calendar = legal_calendar.calendar()
        self._working, self._days = {}, {}
        self.pub_rules = list(PublicationRule.objects.filter(kind="penalty").order_by("effective_from"))
        self.severity_versions = sorted(set(SeverityRule.objects.values_list("effective_from", flat=True)))
        self._severity: dict[tuple, str] = {}
        self.SeverityRule = SeverityRule
        self.regimes = list(RepairRegime.objects.order_by("effective_from"))
        self._periods = {}
        self.repair_period, self.add_months = credit_selectors.repair_period, add_months
        self.bodies = {o.pk: o.enforcement_body() for o in Organisation.objects.filter(pk__in=[b.pk for b in self.brigades])}
        self.notice_id, self.publication_id, self.batch_id = next_id(PaymentNotice), next_id(Publication), next_id(ExportBatch)
        self.notices = Writer(url, PaymentNotice, with_id=True)
        self.payments = Writer(url, Payment)
        self.publications = Writer(url, Publication, with_id=True)
        self.credit_pubs = Writer(url, CreditPublication)
        self.export_items = Writer(url, ExportItem)
        self.writers += [self.notices, self.payments, self.publications, self.credit_pubs, self.export_items]
        self.ExportBatch, self.url = ExportBatch, url
        self.batches: dict[tuple, dict] = {}  # (unit, day) → the day's 双公示 batch and its counts
        self.batches_written = 0
        self.reminders: dict[int, int] = {}
        self.org_codes: dict[int, str] = {}  # organisations' credit codes (the portal names them), set by main()

    def run(self, n: int) -> None:
        days = (self.today - self.start).days
        per_day = [0] * days
        # Slightly more cases in later years (more officers, more off-site detection).
        for _ in range(n):
            per_day[min(days - 1, int(days * (self.rng.random() ** 0.85)))] += 1
        done = 0
        for d, count in enumerate(per_day):
            day = self.start + timedelta(days=d)
            seconds = sorted(self.rng.randint(8 * 3600, 18 * 3600) for _ in range(count))
            for s in seconds:
                self.one(datetime(day.year, day.month, day.day, tzinfo=TZ) + timedelta(seconds=s))
                done += 1
                if done % 100_000 == 0:
                    print(f"  {done:,} cases", flush=True)
        for w in self.writers:
            w.close()
        self.write_batches()

    # -- helpers
    def at(self, after: datetime, lo: int, hi: int) -> datetime:
        """A working-hours moment ``lo``–``hi`` days after ``after`` (later the same day when it falls on it)."""
        r = self.rng.random()
        days = lo + int(r * (hi - lo + 1))
        if days == 0:
            return after + timedelta(seconds=300 + int(r * 997 * 5) % 5400)
        d = (after + timedelta(days=days)).replace(hour=8, minute=0, second=0, microsecond=0)
        return d + timedelta(milliseconds=int(self.rng.random() * 36_000_000))

    def event(self, *, case_id, label, org, actor, action, summary, changes, when):
        self.seq += 1
        when = when.replace(microsecond=when.microsecond // 1000 * 1000)
        values = {
            "seq": self.seq, "occurred_at": when.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": actor.pk if actor else None, "actor_name": actor.display_name if actor else "系统",
            "officer_number": self.cert_numbers.get(actor.pk, "") if actor else "",
            "organisation_id": org.pk, "organisation_name": org.name, "subject_type": "cases.case", "subject_id": str(case_id),
            "subject_label": label, "action": action, "summary": summary, "changes": changes, "before_digest": "",
            "after_digest": self.digest(changes), "request_id": "", "ip_address": "", "prev_hash": self.prev_hash,
        }
        h = hashlib.sha256(self.prev_hash.encode() + self.canonical(values)).hexdigest()
        values["occurred_at"], values["hash"], values["changes"] = when, h, self.json(changes)
        values["row_digest"], values["key_id"], values["mac"] = "", self.key_id, self.event_mac(self.key_id, h, "")
        self.events.add_row([values[c] for c in self.events.columns])
        self.prev_hash = h

    def digest(self, changes: dict) -> str:
        key = tuple(changes.get("status") or ())
        if key not in self._digests:
            self._digests[key] = hashlib.sha256(self.canonical(changes)).hexdigest() if changes else ""
        return self._digests[key]

    def json(self, changes: dict) -> Raw:
        key = tuple(changes.get("status") or ())
        if key not in self._json:
            self._json[key] = Raw(json.dumps(changes, ensure_ascii=False))
        return self._json[key]

    def one(self, registered: datetime) -> None:
        rng = self.rng
        b = self.brigades[bisect.bisect_left(self.cum, rng.random() * self.cum[-1])]
        case_id = self.case_id
        self.case_id += 1
        year = registered.year
        key = (b.pk, year)
        self.numbers[key] = self.numbers.get(key, 0) + 1
        number = f"{b.code}-{year}-{self.numbers[key]:05d}"
        vehicle_id, plate = None, ""
        if rng.random() < 0.65 and self.vehicles[b.pk]:
            vehicle_id, party_id, party_name, person, plate = rng.choice(self.vehicles[b.pk])
        else:
            party_id, party_name, person = rng.choice(self.parties[b.pk])
        code, vname, basis, item_pk = rng.choice(self.items)
        officers = rng.sample(self.officers[b.pk], 2) if len(self.officers[b.pk]) >= 2 else self.officers[b.pk] * 2
        officer_user = officers[0].user
        head = rng.choice(self.heads[b.pk])
        label = f"{number} {party_name}"[:200]
        simplified = person and rng.random() < 0.5
        place = rng.choice(PLACES)
        row = {"id": case_id, "number": number, "organisation_id": b.pk, "source": "inspection", "party_id": party_id,
               "vehicle_id": vehicle_id, "violation_item_id": item_pk, "violation_code": code, "violation_name": vname,
               "occurred_at": registered - timedelta(minutes=rng.randint(10, 600) if simplified else rng.randint(60, 4000)),
               "place": place, "facts": f"{place}：{rng.choice(FACTS)}" + (f"（{plate}）" if plate else ""),
               "registered_at": registered, "registered_by_id": officer_user.pk if officer_user else None}
        self.row, self.b, self.label, self.current, self.person = row, b, label, registered, person
        self.party_id, self.party_name, self.notice = party_id, party_name, None
        for o in officers:
            self.case_officers.add_row([case_id, o.pk])
        if simplified:
            self.simplified(case_id, officer_user, head, basis, registered)
        else:
            self.ordinary(case_id, officer_user, head, officers, basis, registered, plate)
        row["updated_at"] = self.current
        self.cases.add(row)
        if self.notice is not None:
            self.notices.add(self.notice)
        if row.get("outcome") == "penalty" and row.get("decision_number"):
            self.publish(case_id)

    def move(self, case_id, action, old, new, actor, when, summary, fields=None) -> bool:
        """Apply one step if it happened before --today; False when the case stops here."""
        if when > self.now:
            return False
        self.row.update(fields or {})
        self.row["status"] = new
        self.current = when
        self.changes.add({"case_id": case_id, "action": action, "from_status": old, "to_status": new,
                          "actor_id": actor.pk if actor else None, "note": summary[:500], "at": when})
        self.event(case_id=case_id, label=self.label, org=self.b, actor=actor, action=f"case.{action}", summary=summary,
                   changes={"status": [old or None, new]}, when=when)
        return True

    def decision_number(self, on: date) -> str:
        key = (self.b.doc_prefix, on.year)
        self.decisions[key] = self.decisions.get(key, 0) + 1
        return f"{self.b.doc_prefix}〔{on.year}〕{self.decisions[key]:04d}号"

    def document(self, case_id, kind, when, number=""):
        self.documents.add({"case_id": case_id, "kind": kind, "number": number, "issued_at": when})

    # -- the legal calendar, memoised per day
    def working_days_after(self, day: date, n: int):
        key = (day, n)
        found = self._working.get(key)
        if found is None:
            found = self._working[key] = self.calendar.add_working_days(day, n)
        return found

    def days_after(self, day: date, n: int):
        key = (day, n)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = self.calendar.add_days(day, n)
        return found

    # -- 罚缴分离: the payment notice and the payment (payments.services)
    def issue_notice(self, case_id, actor, delivered: datetime) -> None:
        """The payment notice the delivery of a fine decision issues (``payment_notice_issue``): a Luhn-checked
        18-digit code (region, year, serial), due 15 days after delivery on the legal calendar (Art. 67)."""
        from zhifa.payments.services import PAYMENT_DAYS
        from zhifa.payments.services.notices import luhn_digit

        amount = self.row["fine_amount"]
        due = self.days_after(delivered.date(), PAYMENT_DAYS)
        nid = self.notice_id
        self.notice_id += 1
        body = f"{(self.b.region_code or '000000')[:6].ljust(6, '0')}{delivered:%y}{nid:09d}"
        code = body + luhn_digit(body)
        self.notice = {"id": nid, "case_id": case_id, "organisation_id": self.b.pk, "code": code, "code_issuer": "local",
                       "decision_number": self.row["decision_number"], "party_name": self.party_name[:120], "amount": amount,
                       "delivered_on": delivered.date(), "due_on": due.date, "due_confirmed": due.confirmed, "status": "unpaid",
                       "created_by_id": actor.pk if actor else None, "created_at": delivered}
        self.event(case_id=case_id, label=self.label, org=self.b, actor=actor, action="payment.notice_issue",
                   summary=f"开具缴款通知：缴款码 {code}（本平台（未接入非税收入系统）出具），罚款 {amount} 元，缴款期限 {due.label}（行政处罚法第六十七条）",
                   changes={}, when=delivered)

    def pay(self, case_id, when: datetime) -> None:
        """The payment system's notification: one payment of the whole fine within the period (no surcharge)."""
        notice = self.notice
        txn = f"LOAD{notice['id']:016d}"
        amount = notice["amount"]
        self.payments.add({"notice_id": notice["id"], "merchant_id": "", "transaction_id": txn, "amount": amount, "paid_at": when,
                           "channel": self.rng.choice(["银行柜台", "网上银行", "手机支付"]),
                           "body_sha256": hashlib.sha256(f"{txn}|{notice['code']}|{amount}|{when.isoformat()}".encode()).hexdigest(),
                           "received_at": when})
        notice.update({"status": "paid", "principal_paid": amount, "paid_total": amount, "paid_on": when.date()})
        self.event(case_id=case_id, label=self.label, org=self.b, actor=None, action="payment.received",
                   summary=f"收到支付系统缴款 {amount} 元（流水号 {txn}，{when:%Y-%m-%d %H:%M}），已缴清（含加处罚款 0.00 元）", changes={}, when=when)

    def unpaid(self) -> None:
        """A fine left unpaid: marked overdue after the period, the reminder (催告, 行政强制法 Art. 35) delivered, then
        the application to the court (Arts. 53–54) once the party's time for review and suit has run — as far as
        --today has reached."""
        notice, today = self.notice, self.today
        due = notice["due_on"]
        if due < today:
            notice["overdue_on"] = due + timedelta(days=1)
        reminded = due + timedelta(days=self.rng.randint(5, 30))
        if reminded <= today:
            self.reminders[self.b.pk] = self.reminders.get(self.b.pk, 0) + 1
            notice.update({"reminded_on": reminded,
                           "reminder_number": f"{self.b.doc_prefix or '交'}催〔{reminded.year}〕{self.reminders[self.b.pk]:04d}号"})
            applied = notice["delivered_on"] + timedelta(days=190 + self.rng.randint(0, 60))
            if applied <= today:
                notice["enforcement_applied_on"] = applied

    def finish(self, case_id, officer, head, status, when) -> None:
        """paid (if a fine) → closed → archived, each if it happened before --today."""
        rng = self.rng
        if status == "execution":
            if rng.random() < 0.03:
                self.unpaid()
                return  # not paid: stays in execution (reminder, enforcement)
            when = self.at(when, 1, 14)  # within the 15 days of the notice: no surcharge (Art. 72)
            if when > self.now:
                return
            self.pay(case_id, when)
            if not self.move(case_id, "paid", "execution", "executed", None, when, f"罚款{self.row['fine_amount']}元已于{when.date()}缴清",
                             {"paid_on": when.date(), "executed_on": when.date()}):
                return
        when = self.at(when, 3, 30)
        if not self.move(case_id, "close", "executed", "closed", head, when, "结案", {"closed_on": when.date(), "closing_report": "处罚决定已执行完毕，予以结案。"}):
            return
        when = self.at(when, 10, 60)
        self.move(case_id, "archive", "closed", "archived", officer, when, "案卷归档", {"archived_on": when.date()})

    # -- publication: portal register → credit publication → 双公示 (portal.services, portal.pipeline)
    def severity(self, category: str, fine, decided: date) -> str:
        """``SeverityRule.classify`` of the table in force on the decision day, memoised per table and input."""
        i = bisect.bisect_right(self.severity_versions, decided)
        version = self.severity_versions[i - 1] if i else None
        key = (version, category, self.person, fine)
        found = self._severity.get(key)
        if found is None:
            found = self._severity[key] = self.SeverityRule.classify(categories=[category], party_kind="person" if self.person else "organisation",
                                                                     fine=fine, on=decided)
        return found

    def publicity(self, decided: date, severity: str) -> tuple[date, bool]:
        """``pipeline.publicity_period`` (公示截止期, published to the credit channels?) with the regime's period
        memoised: the regime in force on the decision day, before the first one the first one's periods."""
        regime = self.regimes[0]
        for r in self.regimes:
            if r.effective_from <= decided:
                regime = r
        key = (regime.pk, severity)
        period = self._periods.get(key)
        if period is None:
            period = self._periods[key] = self.repair_period(regime, SimpleNamespace(severity=severity, special_field=False))
            until = self.add_months(decided, period.max_months)
            assert (until, period.published) == self.pipeline.publicity_period(decided, severity)[:2], (decided, severity)
        return self.add_months(decided, period.max_months), period.published

    def send(self, when: datetime, action: str) -> tuple[int, datetime | None]:
        """One row pushed to the credit platform (``triggers.publication_changed``, in the publication's transaction):
        counted in the unit's batch of that day, answered (accepted) by the platform's receipt the next morning."""
        day = when.date()
        key = (self.b.pk, day)
        batch = self.batches.get(key)
        if batch is None:
            answered = datetime(day.year, day.month, day.day, 10, tzinfo=TZ) + timedelta(days=1)
            batch = self.batches[key] = {"id": self.batch_id, "organisation_id": self.b.pk, "created_at": when, "rows": 0, "new": 0,
                                         "withdrawn": 0, "answered": answered if answered <= self.now else None}
            self.batch_id += 1
        batch["created_at"] = min(batch["created_at"], when)
        batch["rows"] += 1
        batch[action] += 1
        return batch["id"], batch["answered"]

    def write_batches(self) -> None:
        writer = Writer(self.url, self.ExportBatch, with_id=True)
        for b in self.batches.values():
            answered = b["answered"]
            writer.add({"id": b["id"], "organisation_id": b["organisation_id"], "layout": "penalty", "file_format": "json", "rows": b["rows"],
                        "new": b["new"], "changed": 0, "withdrawn": b["withdrawn"], "errors": [], "accepted": b["rows"] if answered else 0,
                        "rejected": 0, "reconciled_at": answered, "created_by_id": None, "created_at": b["created_at"]})
        writer.close()
        self.batches_written = writer.rows

    def publish(self, case_id) -> None:
        """The daily publication job (``publication_run``) publishes the decision the day after it was made, within the
        7 working days of the rule in force; the credit publication and the 双公示 row follow it; a revocation withdraws
        all three (行政处罚法 Art. 48, within 3 working days), the end of the publication period expires them."""
        rng, row = self.rng, self.row
        decided = row["decided_on"]
        rule = None
        for r in self.pub_rules:
            if r.effective_from <= decided:
                rule = r
        if rule is None:
            return
        due = self.working_days_after(decided, rule.working_days)
        day = min(decided + timedelta(days=rng.randint(1, 3)), due.date)
        published_at = datetime(day.year, day.month, day.day, 2, tzinfo=TZ) + timedelta(seconds=rng.randint(0, 3600))
        revoked = row.get("revoked_on")
        if published_at > self.now or (revoked is not None and revoked <= day):
            return  # not yet published, or revoked before the job ever published it
        kind = row["penalty_kind"]
        fine = row["fine_amount"] if kind == "fine" else None
        category = str(self.categories[kind])
        severity = self.severity(category, fine, decided)
        until, credit_published = self.publicity(decided, severity)
        status, taken_down, reason, fields = "published", None, "", {}
        if revoked is not None:
            withdraw_due = self.working_days_after(revoked, rule.withdraw_working_days).date
            w_day = min(revoked + timedelta(days=rng.randint(0, 1)), withdraw_due)
            at = datetime(w_day.year, w_day.month, w_day.day, 9, tzinfo=TZ) + timedelta(seconds=rng.randint(0, 8 * 3600))
            if at <= self.now:
                status, taken_down, reason = "withdrawn", at, f"决定已变更或撤销：{row.get('revocation_reason') or ''}"
                fields = {"changed_on": revoked, "withdraw_due": withdraw_due}
        elif until < self.today:
            day_after = until + timedelta(days=1)  # the job of the day after the 公示截止期
            status, reason = "expired", "公示期满"
            taken_down = datetime(day_after.year, day_after.month, day_after.day, 2, tzinfo=TZ) + timedelta(seconds=rng.randint(0, 3600))
        number = row["decision_number"]
        if self.person:
            party = self.mask_name(self.party_name)
            facts = self.plates.sub(self.plate_removed, row["facts"])
        else:
            code = self.org_codes.get(self.party_id, "")
            party = f"{self.party_name}（统一社会信用代码 {code}）" if code else self.party_name
            facts = row["facts"]
        content = f"罚款人民币{fine}元" if fine is not None else self.kind_labels[kind]
        body = self.bodies[self.b.pk]
        pid = self.publication_id
        self.publication_id += 1
        self.publications.add({
            "id": pid, "organisation_id": self.b.pk, "subject_type": "cases.case", "subject_id": str(case_id), "kind": "penalty",
            "status": status, "decision_number": number, "title": f"行政处罚决定书（{number}）",
            "party_display": (self.mask_name(self.party_name) if self.person else self.party_name)[:120],
            "body": [["当事人", party], ["违法行为类型", row["violation_name"]], ["违法事实", facts], ["处罚依据", row["legal_basis"]],
                     ["处罚内容", content], ["处罚机关", body.name]],
            "flags": [], "decided_on": decided, "due_on": due.date, "due_confirmed": due.confirmed, "public_until": until,
            "severity": severity, "credit_published": credit_published, "penalty_until": None, "published_at": published_at,
            "published_on": day, "is_late": False, "withdrawn_at": taken_down, "withdrawn_on": taken_down.date() if taken_down else None,
            "withdraw_reason": reason[:200], "withdraw_late": False, "created_at": published_at, "updated_at": taken_down or published_at,
            **fields})
        if not credit_published:
            return  # the credit rules keep this severity off the credit channels (2026 measures: minor information)
        performed = row.get("paid_on") or row.get("executed_on")
        self.credit_pubs.add({
            "party_id": self.party_id, "organisation_id": self.b.pk, "decision_number": number, "decision_date": decided,
            "summary": row["violation_name"][:300], "severity": severity, "special_field": False,
            "penalty_performed": performed is not None, "performed_on": performed,
            "status": {"published": "published", "withdrawn": "revoked", "expired": "expired"}[status],
            "withdrawn_on": taken_down.date() if taken_down else None, "source_type": "cases.case", "source_id": str(case_id)})
        sent = published_at + timedelta(seconds=5)
        action = "new"
        batch, answered = self.send(sent, "new")
        if taken_down is not None:
            sent, action = taken_down + timedelta(seconds=5), "withdrawn"
            batch, answered = self.send(sent, "withdrawn")
        self.export_items.add({"publication_id": pid, "organisation_id": self.b.pk, "layout": "penalty",
                               "status": "accepted" if answered else "sent", "action": action, "row_hash": "", "problems": [],
                               "batch_id": batch, "sent_at": sent, "synced_at": sent, "answered_at": answered})

    def simplified(self, case_id, officer, head, basis, when) -> None:
        rng = self.rng
        fine = rng.random() < 0.85
        amount = Decimal(rng.choice([50, 100, 100, 150, 200])) if fine else None
        status = "execution" if fine else "executed"
        number = self.decision_number(when.date())
        self.row.update({"procedure": "simplified", "status": status, "outcome": "penalty", "penalty_kind": "fine" if fine else "warning",
                         "fine_amount": amount, "legal_basis": basis, "decision_reasoning": self.row["facts"], "decided_on": when.date(),
                         "decided_by_id": officer.pk if officer else None, "decision_number": number, "delivery_method": "on_spot",
                         "delivered_on": when.date(), "filed_at": when, "executed_on": None if fine else when.date()})
        summary = f"简易程序当场处罚 {number}：" + (f"罚款 {amount}元" if fine else "警告")
        self.changes.add({"case_id": case_id, "action": "simplified", "from_status": "", "to_status": status,
                          "actor_id": officer.pk if officer else None, "note": "当场作出行政处罚决定并送达，自动备案", "at": when})
        self.event(case_id=case_id, label=self.label, org=self.b, actor=officer, action="case.simplified", summary=summary,
                   changes={"status": [None, status]}, when=when)
        self.event(case_id=case_id, label=self.label, org=self.b, actor=officer, action="case.filed",
                   summary=f"当场处罚决定书 {number} 已报所属行政机关备案", changes={}, when=when)
        self.document(case_id, "onspot_decision", when, number)
        if fine:
            self.issue_notice(case_id, officer, when)
        self.finish(case_id, officer, head, status, when)

    def ordinary(self, case_id, officer, head, officers, basis, when, plate) -> None:
        rng = self.rng
        row = self.row
        row.update({"procedure": "ordinary", "status": "lead"})
        self.changes.add({"case_id": case_id, "action": "register", "from_status": "", "to_status": "lead",
                          "actor_id": officer.pk if officer else None, "note": "线索登记（检查发现）", "at": when})
        self.event(case_id=case_id, label=self.label, org=self.b, actor=officer, action="case.register",
                   summary=f"登记案件线索 {row['number']}：检查发现", changes={"status": [None, "lead"]}, when=when)
        self.current = when
        when = self.at(when, 0, 3)
        if rng.random() < 0.03:
            if self.move(case_id, "decline", "lead", "not_opened", head, when, "不予立案：违法事实不能成立",
                         {"ended_reason": "违法事实不能成立"}):
                when = self.at(when, 10, 40)
                self.move(case_id, "archive", "not_opened", "archived", officer, when, "案卷归档", {"archived_on": when.date()})
            return
        if not self.move(case_id, "open", "lead", "opened", head, when, f"批准立案 {row['number']}",
                         {"opened_on": when.date(), "opened_by_id": head.pk}):
            return
        self.document(case_id, "register", when)
        # The inquiry transcript and one evidence item (acts: recorded, no state change).
        act = self.at(when, 1, 8)
        if act <= self.now:
            tid = self.transcript_id
            self.transcript_id += 1
            party_name = self.label.split(" ", 1)[1] if " " in self.label else ""
            self.transcripts.add({"id": tid, "case_id": case_id, "kind": "inquiry", "started_at": act, "ended_at": act + timedelta(minutes=40),
                                  "place": row["place"], "person_name": party_name[:60], "person_relation": "当事人",
                                  "content": [{"q": "你是否清楚违法事实？", "a": "清楚。"}], "signed_by_person": True,
                                  "recorded_by_id": officer.pk if officer else None, "created_at": act})
            for o in officers:
                self.transcript_officers.add_row([tid, o.pk])
            self.event(case_id=case_id, label=self.label, org=self.b, actor=officer, action="case.transcript",
                       summary="制作询问笔录", changes={}, when=act)
            self.evidence.add({"case_id": case_id, "kind": "photo", "title": f"现场照片{(' ' + plate) if plate else ''}",
                               "description": "证明违法行为发生的时间、地点", "captured_at": act, "capture_place": row["place"],
                               "capture_device": "执法记录仪", "created_at": act})
            self.event(case_id=case_id, label=self.label, org=self.b, actor=officer, action="case.evidence",
                       summary="登记证据：现场照片", changes={}, when=act)
        r = rng.random()
        if r < 0.02:
            exit_action, exit_status = ("withdraw", "withdrawn") if r < 0.01 else ("transfer", "transferred")
            when = self.at(when, 10, 30)
            fields = {"ended_reason": "不属于本机关管辖"} if exit_action == "transfer" else {"ended_reason": "违法事实不能成立"}
            if exit_action == "transfer":
                fields["transferred_to"] = "公安机关交通管理部门"
            if self.move(case_id, exit_action, "opened", exit_status, head, when, fields["ended_reason"], fields):
                when = self.at(when, 10, 40)
                self.move(case_id, "archive", exit_status, "archived", officer, when, "案卷归档", {"archived_on": when.date()})
            return
        amount = Decimal(rng.choice([200, 500, 1000, 2000, 3000, 5000, 10000, 20000, 30000]))
        when = self.at(when, 10, 40)
        if not self.move(case_id, "report", "opened", "investigated", officer, when, "提交调查终结报告",
                         {"report_text": "经调查，违法事实清楚，证据确凿。", "proposed_outcome": "penalty", "proposed_amount": amount}):
            return
        when = self.at(when, 1, 5)
        review = rng.random() < 0.3
        if not self.move(case_id, "internal_review", "investigated", "legal_review" if review else "reviewed", head, when, "审查调查终结报告",
                         {"legal_review_required": review, "legal_review_basis": "法制审核目录" if review else ""}):
            return
        if review:
            when = self.at(when, 2, 7)
            if not self.move(case_id, "legal_review", "legal_review", "reviewed", self.reviewers[self.b.pk], when, "法制审核：同意"):
                return
        when = self.at(when, 1, 3)
        # Art. 63: a hearing for large fines (the thresholds the provinces set; here 2,000 yuan for persons, 10,000 otherwise).
        hearing_right = amount >= (Decimal(2000) if self.person else Decimal(10000))
        if not self.move(case_id, "notify", "reviewed", "notified", officer, when, f"告知拟处罚：罚款{amount}元",
                         {"notified_on": when.date(), "notified_amount": amount, "notified_penalty_kind": "fine", "hearing_right": hearing_right}):
            return
        self.document(case_id, "violation_notice", when)
        state = "notified"
        if hearing_right and rng.random() < 0.1:
            when = self.at(when, 1, 5)
            if not self.move(case_id, "hearing_request", "notified", "hearing", officer, when, "当事人申请听证", {"hearing_requested_on": when.date()}):
                return
            # Art. 64: the hearing notice reaches the party at least 7 (working, Art. 85) days before the hearing.
            notice_on = self.at(when, 1, 3).date()
            held_on = self.working_days_after(notice_on, self.hearing_days + rng.randint(0, 5)).date
            when = datetime(held_on.year, held_on.month, held_on.day, 9, tzinfo=TZ) + timedelta(seconds=rng.randint(0, 7 * 3600))
            if not self.move(case_id, "hearing_hold", "hearing", "heard", officer, when, "举行听证",
                             {"hearing_notice_on": notice_on, "hearing_on": held_on, "hearing_held_on": held_on,
                              "hearing_record": "当事人陈述申辩意见已记录。"}):
                return
            state = "heard"
        elif rng.random() < 0.5:
            row["rights_waived_on"] = when.date()
        when = self.at(when, 5, 10)
        number = self.decision_number(when.date())
        if not self.move(case_id, "decide", state, "decided", head, when, f"作出行政处罚决定 {number}：罚款{amount}元",
                         {"outcome": "penalty", "penalty_kind": "fine", "fine_amount": amount, "legal_basis": basis,
                          "decision_reasoning": "违法事实清楚，依法予以处罚。", "decided_on": when.date(), "decided_by_id": head.pk,
                          "decision_number": number}):
            return
        self.document(case_id, "penalty_decision", when, number)
        when = self.at(when, 1, 5)
        if not self.move(case_id, "deliver", "decided", "execution", officer, when, "送达行政处罚决定书",
                         {"delivery_method": rng.choice(["direct", "direct", "post", "electronic"]), "delivered_on": when.date()}):
            return
        self.issue_notice(case_id, officer, when)
        if rng.random() < 0.005:
            when = self.at(when, 5, 30)
            if self.move(case_id, "revoke", "execution", "revoked", head, when, "撤销处罚决定：适用法律错误",
                         {"revoked_on": when.date(), "revocation_reason": "适用法律错误"}):
                self.notice["status"] = "cancelled"  # the decision's payment notice falls with it
                when = self.at(when, 10, 40)
                self.move(case_id, "archive", "revoked", "archived", officer, when, "案卷归档", {"archived_on": when.date()})
            return
        self.finish(case_id, officer, head, "execution", when)


if __name__ == "__main__":
    main()
