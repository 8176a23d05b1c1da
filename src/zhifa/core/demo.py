"""Deterministic demo data for the core registers: one city bureau (南阳市) with two counties (南召县, 方城县),
their brigades, about 60 officers, 400 transport companies, 5,000 vehicles, drivers and source units.

Other apps add their own demo through ``<app>/demo.py: load(ctx)``; ``ctx`` is the :class:`DemoContext`.
The same seed and ``today`` always give the same data.
"""

import random
import time as monotonic_clock
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from . import audit
from .identifiers import credit_code_check_char, id_number_check_digit
from .models import Driver, Officer, Organisation, Party, SourceUnit, TransportCompany, User, Vehicle
from .roles import Role

DEMO_PASSWORD = "zhifa-demo-2026"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰海峰鹏飞斌波辉浩宇欣怡晨阳俊凯瑞东亮晓燕雪梅文彬丹新春宏"
FIRM_WORDS = ["宏达", "通达", "顺发", "鑫源", "恒通", "运通", "安达", "畅通", "德利", "兴旺", "长盛", "豫通", "伏牛", "白河", "天冠",
              "金鼎", "远航", "聚力", "瑞丰", "华运", "鸿运", "永顺", "佳程", "新程", "卓越", "众诚", "信达", "中原", "迅捷", "恒昌"]
FIRM_SUFFIX = ["物流有限公司", "运输有限公司", "货运有限公司", "汽车运输有限公司", "物流运输有限公司", "商贸物流有限公司"]
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
ORG_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass
class DemoContext:
    """What the demo loaders share: the random source, the anchor date and the demo organisation tree."""

    rng: random.Random
    today: date
    scale: int
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role label, organisation)
    notes: list[str] = field(default_factory=list)

    def person_name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice([1, 2])))


def record_backdating(*subjects, days: int | None = None, what: str = "历史日期") -> None:
    """The demo moves an object's dates back to build a history; say so in the full-process record (one
    ``demo.backdate`` event each), so the record still matches every row it covers (`zhifa audit verify`)."""
    summary = f"演示数据：{what}回溯 {days} 天" if days else f"演示数据：{what}回溯"
    with transaction.atomic():
        for subject in subjects:
            audit.record(actor=None, action="demo.backdate", subject=subject, summary=summary)


@contextmanager
def on_day(day: date, hour: int = 9):
    """Run the services as on ``day`` (demo only): ``django.utils.timezone.now`` answers that day's clock, ticking,
    so every date the services set, every history step and every full-process record is dated in the record's own
    past — a case decided last March carries March dates in its timeline, not today's."""
    base = timezone.make_aware(datetime.combine(day, time(hour, 0)))
    started = monotonic_clock.monotonic()
    with mock.patch("django.utils.timezone.now", lambda: base + timedelta(seconds=monotonic_clock.monotonic() - started)):
        yield


def make_credit_code(rng: random.Random, region: str) -> str:
    body = "".join(rng.choice(ORG_CODE_CHARS) for _ in range(9))
    first17 = "91" + region + body
    return first17 + credit_code_check_char(first17)


def make_id_number(rng: random.Random, region: str, born: date) -> str:
    first17 = f"{region}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + id_number_check_digit(first17)


ORG_TREE = [
    # (key, parent key, code, name, kind, doc prefix, region)
    ("province", None, "41", "河南省交通运输厅", "province", "豫交罚", "410000"),
    ("city", "province", "4113", "南阳市交通运输局", "city", "宛交罚", "411300"),
    ("city_brigade", "city", "4113ZD", "南阳市交通运输综合行政执法支队", "brigade", "宛交执罚", "411300"),
    ("nz", "city", "411321", "南召县交通运输局", "county", "召交罚", "411321"),
    ("nz_brigade", "nz", "411321DD", "南召县交通运输综合行政执法大队", "brigade", "豫R召交罚", "411321"),
    ("nz_squad1", "nz_brigade", "411321ZD1", "南召县执法大队第一中队", "squad", "", "411321"),
    ("nz_squad2", "nz_brigade", "411321ZD2", "南召县执法大队第二中队", "squad", "", "411321"),
    ("nz_station", "nz_brigade", "411321CX", "南召县皇后超限检测站", "station", "", "411321"),
    ("fc", "city", "411322", "方城县交通运输局", "county", "方交罚", "411322"),
    ("fc_brigade", "fc", "411322DD", "方城县交通运输综合行政执法大队", "brigade", "豫R方交罚", "411322"),
    ("fc_squad1", "fc_brigade", "411322ZD1", "方城县执法大队第一中队", "squad", "", "411322"),
    ("fc_station", "fc_brigade", "411322CX", "方城县券桥超限检测站", "station", "", "411322"),
]

# Demo accounts: (username, full name, organisation key, roles, legal qualification)
ACCOUNTS = [
    ("admin", "系统管理员", "city", [Role.ADMIN], False),
    ("officer", "王建国", "nz_brigade", [Role.OFFICER], False),
    ("officer2", "李明", "nz_brigade", [Role.OFFICER], False),
    ("reviewer", "张法审", "nz", [Role.REVIEWER, Role.OFFICER], True),
    ("head", "刘局长", "nz", [Role.HEAD, Role.OFFICER], True),
    ("supervisor", "陈监督", "city", [Role.SUPERVISOR], True),
    ("fc_officer", "赵方城", "fc_brigade", [Role.OFFICER], False),
    ("fc_officer2", "孙卫东", "fc_brigade", [Role.OFFICER], False),
]


def _org_tree(ctx: DemoContext) -> None:
    for key, parent, code, name, kind, prefix, region in ORG_TREE:
        org, _ = Organisation.objects.get_or_create(
            code=code,
            defaults=dict(name=name, kind=kind, parent=ctx.orgs.get(parent), doc_prefix=prefix, region_code=region,
                          address=f"{name}办公楼", phone=f"0377-{ctx.rng.randint(60000000, 69999999)}"),
        )
        ctx.orgs[key] = org
    # Agency credit codes (机关 12…): computed with the check character so 双公示 rows validate.
    for org in ctx.orgs.values():
        if not org.credit_code:
            first17 = "11" + org.region_code + "".join(ctx.rng.choice(ORG_CODE_CHARS) for _ in range(9))
            org.credit_code = first17 + credit_code_check_char(first17)
            org.save(update_fields=["credit_code"])


def _officers(ctx: DemoContext, password_hash: str) -> None:
    groups = {r.value: Group.objects.get_or_create(name=r.value)[0] for r in Role}
    seq = 0

    def officer(org: Organisation, name: str, *, user: User | None, status=Officer.CertStatus.VALID, expires=None, legal=False, position="执法队员"):
        nonlocal seq
        seq += 1
        # Certificates held since before the previous calendar year, which the demo's history covers in full (the
        # same random draw as before, 400 days earlier, so the rest of the demo's draws do not move).
        issued = ctx.today - timedelta(days=400 + ctx.rng.randint(400, 2400))
        return Officer(
            organisation=org, name=name, user=user, position=position,
            cert_number=f"{org.region_code[:6]}{seq:05d}", cert_status=status, cert_issued_on=issued,
            cert_expires_on=expires or (ctx.today + timedelta(days=ctx.rng.randint(200, 1600))),
            annual_review_on=ctx.today - timedelta(days=ctx.rng.randint(20, 330)), legal_qualification=legal,
            phone=f"139{ctx.rng.randint(10000000, 99999999)}", gender=ctx.rng.choice("男男男女"),
        )

    rows = []
    for username, full_name, org_key, roles, legal in ACCOUNTS:
        org = ctx.orgs[org_key]
        user = User.objects.create(username=username, full_name=full_name, organisation=org, password=password_hash,
                                   is_staff=Role.ADMIN in roles, is_superuser=username == "admin")
        user.groups.set([groups[r] for r in roles])
        ctx.users[username] = user
        ctx.accounts.append((username, "、".join(Role(r).label for r in roles), org.name))
        if Role.OFFICER in roles:
            rows.append(officer(org, full_name, user=user, legal=legal, position="法制审核员" if Role.REVIEWER in roles else ("局长" if Role.HEAD in roles else "执法队员")))
    # The rest of the ~60 officers, each with an account; a few certificates expired, suspended or expiring.
    plan = [("city_brigade", 8), ("nz_brigade", 6), ("nz_squad1", 8), ("nz_squad2", 7), ("nz_station", 6),
            ("fc_brigade", 6), ("fc_squad1", 7), ("fc_station", 6)]
    n = 0
    for org_key, count in plan:
        org = ctx.orgs[org_key]
        for _ in range(count):
            n += 1
            status, expires = Officer.CertStatus.VALID, None
            if n in (5, 23, 41):
                expires = ctx.today - timedelta(days=ctx.rng.randint(10, 200))  # expired
            elif n == 30:
                status = Officer.CertStatus.SUSPENDED
            elif n in (12, 37):
                expires = ctx.today + timedelta(days=ctx.rng.randint(10, 40))  # expires next month
            name = ctx.person_name()
            user = User.objects.create(username=f"{org.code.lower()}{n:02d}", full_name=name, organisation=org, password=password_hash)
            user.groups.set([groups[Role.OFFICER]])
            rows.append(officer(org, name, user=user, status=status, expires=expires, legal=n % 11 == 0))
    Officer.objects.bulk_create(rows)


def _firms_and_vehicles(ctx: DemoContext) -> None:
    rng = ctx.rng
    county_keys = [("nz", "nz_brigade", "411321", "南召县"), ("fc", "fc_brigade", "411322", "方城县")]
    n_companies, n_vehicles, n_sources = 400 * ctx.scale, 5000 * ctx.scale, 40 * ctx.scale
    kinds = [TransportCompany.Kind.FREIGHT] * 12 + [TransportCompany.Kind.DANGEROUS, TransportCompany.Kind.PASSENGER,
                                                     TransportCompany.Kind.TAXI, TransportCompany.Kind.DRIVING_SCHOOL, TransportCompany.Kind.REPAIR]
    used_names = set()
    company_parties, companies = [], []
    for i in range(n_companies):
        _, brigade_key, region, county = county_keys[i % 2]
        kind = rng.choice(kinds)
        while True:
            suffix = {"passenger": "客运有限公司", "taxi": "出租汽车有限公司", "driving_school": "机动车驾驶员培训学校有限公司",
                      "repair": "汽车维修有限公司", "dangerous": "危险货物运输有限公司"}.get(kind, rng.choice(FIRM_SUFFIX))
            first, second = rng.choice(FIRM_WORDS), rng.choice(FIRM_WORDS)
            if second == first:  # never “长盛长盛” (the documents' lint refuses a doubled word); no extra draw
                second = FIRM_WORDS[(FIRM_WORDS.index(first) + 1) % len(FIRM_WORDS)]
            name = f"{county}{first}{second}{suffix}"
            if name not in used_names:
                used_names.add(name)
                break
        code = make_credit_code(rng, region)
        org = ctx.orgs[brigade_key]
        rep = ctx.person_name()
        phone = f"13{rng.randint(100000000, 999999999)}"
        company_parties.append(Party(organisation=org, kind=Party.Kind.ORGANISATION, name=name, credit_code=code,
                                     legal_representative=rep, phone=phone, address=f"{county}{rng.choice(['城关镇', '皇后乡', '云阳镇', '券桥镇', '博望镇'])}{rng.randint(1, 300)}号"))
        companies.append(TransportCompany(organisation=org, name=name, credit_code=code, kind=kind, legal_representative=rep,
                                          licence_number=f"豫交运管许可宛字{region}{i + 1:06d}号",
                                          licence_valid_until=ctx.today + timedelta(days=rng.randint(-30, 1500)),
                                          business_scope={"freight": "普通货运", "dangerous": "危险货物运输（3类）"}.get(kind, kind and TransportCompany.Kind(kind).label),
                                          phone=phone))
    Party.objects.bulk_create(company_parties, batch_size=1000)
    for party, company in zip(company_parties, companies, strict=True):
        company.party = party
        company.address = party.address
    TransportCompany.objects.bulk_create(companies, batch_size=1000)
    freight = [c for c in companies if c.kind in (TransportCompany.Kind.FREIGHT, TransportCompany.Kind.DANGEROUS)]

    # Vehicles: mostly company trucks with a realistic axle mix; some owned by individuals.
    axle_mix = [(2, False, "重型栏板货车", 18), (3, False, "重型自卸货车", 12), (4, False, "重型自卸货车", 10),
                (4, True, "重型半挂牵引车", 5), (5, True, "重型半挂牵引车", 12), (6, True, "重型半挂牵引车", 43)]
    weights = [m[3] for m in axle_mix]
    persons, vehicles, seen_plates = [], [], set()
    for i in range(n_vehicles):
        _, brigade_key, region, county = county_keys[i % 2]
        org = ctx.orgs[brigade_key]
        axles, combo, vtype, _ = rng.choices(axle_mix, weights)[0]
        while True:
            tail = rng.choice(LETTERS) + f"{rng.randint(0, 9999):04d}" if rng.random() < 0.8 else "".join(rng.choice("0123456789") for _ in range(5))
            plate = f"豫R·{tail}"
            if plate not in seen_plates:
                seen_plates.add(plate)
                break
        company = rng.choice(freight) if rng.random() < 0.85 else None
        if company is None:
            born = date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
            persons.append(Party(organisation=org, kind=Party.Kind.PERSON, name=ctx.person_name(), id_number=make_id_number(rng, region, born),
                                 phone=f"15{rng.randint(100000000, 999999999)}", address=f"{county}{rng.randint(1, 500)}号"))
        vehicles.append((Vehicle(organisation=company.organisation if company else org, plate=plate, plate_colour="yellow",
                                 vehicle_type=vtype, is_combination=combo, axle_count=axles,
                                 single_drive_axle=combo and axles >= 6 and rng.random() < 0.1, company=company,
                                 transport_cert_number=f"豫交运管宛字{region}{i + 1:06d}号",
                                 registered_on=ctx.today - timedelta(days=rng.randint(100, 3000))), company is None))
    Party.objects.bulk_create(persons, batch_size=1000)
    person_iter = iter(persons)
    rows = []
    for v, personal in vehicles:
        v.owner = next(person_iter) if personal else v.company.party
        rows.append(v)
    Vehicle.objects.bulk_create(rows, batch_size=1000)

    # Drivers: about 1.5 per freight company, plus individual owner-drivers.
    driver_parties, drivers = [], []
    for i in range(int(n_companies * 1.5)):
        company = freight[i % len(freight)]
        region = company.organisation.region_code
        born = date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
        name = ctx.person_name()
        idn = make_id_number(rng, region, born)
        driver_parties.append(Party(organisation=company.organisation, kind=Party.Kind.PERSON, name=name, id_number=idn, phone=f"18{rng.randint(100000000, 999999999)}"))
        drivers.append(Driver(organisation=company.organisation, name=name, id_number=idn, company=company,
                              qualification_number=idn, qualification_valid_until=ctx.today + timedelta(days=rng.randint(-60, 2000))))
    Party.objects.bulk_create(driver_parties, batch_size=1000)
    for p, d in zip(driver_parties, drivers, strict=True):
        d.party = p
    Driver.objects.bulk_create(drivers, batch_size=1000)

    source_kinds = [SourceUnit.Kind.SAND] * 4 + [SourceUnit.Kind.CEMENT, SourceUnit.Kind.COAL, SourceUnit.Kind.STEEL, SourceUnit.Kind.FREIGHT_STATION, SourceUnit.Kind.LOGISTICS]
    s_parties, sources = [], []
    for i in range(n_sources):
        _, brigade_key, region, county = county_keys[i % 2]
        kind = rng.choice(source_kinds)
        name = f"{county}{rng.choice(FIRM_WORDS)}{SourceUnit.Kind(kind).label.replace('砂石料场', '砂石')}{'有限公司' if kind != SourceUnit.Kind.SAND else '料场'}{i + 1 if i >= 20 else ''}"
        code = make_credit_code(rng, region)
        s_parties.append(Party(organisation=ctx.orgs[brigade_key], kind=Party.Kind.ORGANISATION, name=name, credit_code=code, address=f"{county}工业集聚区"))
        sources.append(SourceUnit(organisation=ctx.orgs[brigade_key], name=name, credit_code=code, kind=kind, address=f"{county}工业集聚区", is_key_unit=i % 5 == 0))
    Party.objects.bulk_create(s_parties)
    for p, s in zip(s_parties, sources, strict=True):
        s.party = p
    SourceUnit.objects.bulk_create(sources)


def load(ctx: DemoContext) -> None:
    password_hash = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        _org_tree(ctx)
        _officers(ctx, password_hash)
        _firms_and_vehicles(ctx)
        audit.record(actor=None, action="demo.load_core", subject=("core.demo", "core"), organisation=ctx.orgs["city"],
                     summary="载入演示基础数据",
                     changes={"officers": Officer.objects.count(), "companies": TransportCompany.objects.count(),
                              "vehicles": Vehicle.objects.count(), "drivers": Driver.objects.count(), "source_units": SourceUnit.objects.count()})


def context_from_db(*, seed: int, today: date, scale: int) -> DemoContext:
    """Rebuild the context of an already loaded demo (so app loaders can be run again or later)."""
    ctx = DemoContext(rng=random.Random(seed), today=today, scale=scale)
    by_code = {o.code: o for o in Organisation.objects.all()}
    for key, _parent, code, *_ in ORG_TREE:
        if code in by_code:
            ctx.orgs[key] = by_code[code]
    ctx.users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS])}
    for username, _full, org_key, roles, _legal in ACCOUNTS:
        ctx.accounts.append((username, "、".join(Role(r).label for r in roles), ctx.orgs[org_key].name if org_key in ctx.orgs else ""))
    return ctx
