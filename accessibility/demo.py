"""Demo records: the retrofit catalogue, and the demo year's retrofits, ramps, sign-language points and devices.

The demo year matches the article (450 retrofits accepted: 210 standard and 240 basic; 200 ramp passages
in five streets; 36 sign-language points; 249 smart wristbands). Rejected, withdrawn, still-open and
other-year records are added beside them and must not count. Every part is added once: a second run
finds its records and adds nothing. The same registry gives the same records.
"""

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from services.models import Person, Street, User
from services.registry.households import households_link
from services.registry.timeline import as_datetime

from .models import (
    DeviceIssue,
    RampRetrofit,
    Retrofit,
    RetrofitItem,
    RetrofitLine,
    RetrofitStatusChange,
    RetrofitType,
    RetrofitTypeCap,
    SignLanguagePoint,
)

Status = Retrofit.Status
DEMO_MARK = "（演示数据）"
STANDARD, BASIC = RetrofitType.STANDARD, RetrofitType.BASIC

# name, unit, standard, basic, reference cost, description
CATALOGUE = [
    ("扶手", "个", True, True, 300, "卫生间、走廊、床边安装扶手"),
    ("门槛移除及室内坡道", "处", True, True, 800, "去除门槛，高差处做小坡道"),
    ("卫生间改造", "套", True, False, 4000, "防滑地面、淋浴座椅、坐便改造"),
    ("厨房低位操作台", "套", True, False, 3500, "降低操作台和水池，便于轮椅使用"),
    ("门洞拓宽", "处", True, False, 1500, "门洞拓宽至轮椅可通过"),
    ("闪光振动门铃", "个", True, True, 400, "听障家庭：闪光或振动提示来访"),
    ("声光报警器", "个", True, True, 350, "听障家庭：烟雾等报警时闪光振动"),
    ("燃气泄漏报警器", "个", True, True, 300, "燃气泄漏时报警并自动关阀"),
    ("照明改造", "处", True, True, 600, "增加照度、感应夜灯、大按键开关"),
    ("读屏软件", "套", True, True, 800, "视障人士电脑、手机读屏软件"),
    ("防滑地面", "平方米", True, True, 120, "卫生间、厨房铺设防滑地砖或防滑涂层"),
    ("紧急呼叫器", "个", True, True, 500, "一键呼叫家属或社区"),
]
CAPS = {STANDARD: Decimal(8000), BASIC: Decimal(3000)}
CONTRACTORS = ["上海静安建工无障碍工程有限公司", "上海安居适老化改造有限公司", "上海申城宜居装饰工程有限公司"]
# The article's five streets of ramp retrofits, by code, and the passages each got.
RAMP_STREETS = {"310106022": 40, "310106019": 40, "310106020": 45, "310106021": 40, "310106100": 35}
RAMP_ROADS = {
    "310106022": "芷江西路",
    "310106019": "大宁路",
    "310106020": "彭浦新村",
    "310106021": "临汾路",
    "310106100": "共康路",
    "310106017": "宝山路",
    "310106014": "万航渡路",
}


def seed(*, year: int, persons: int, stdout: Any) -> None:
    staff = User.objects.filter(username="staff").first() or User.objects.filter(is_superuser=True).first()
    seed_catalogue()
    if staff is not None:
        stdout.write(f"Home retrofits of {year}: {seed_retrofits(year=year, by=staff)} cases on record.")
    stdout.write(f"Ramp passages on record: {seed_ramps(year=year)}.")
    stdout.write(f"Sign-language video points on record: {seed_sign_language_points(year=year)}.")
    stdout.write(f"Places given their public details for the directory: {seed_directory(year=year)}.")
    stdout.write(f"Devices issued on record: {seed_devices(year=year)}.")


def seed_catalogue() -> None:
    """The programme's item catalogue and cost caps, unless staff have already set them."""
    for name, unit, standard, basic, cost, description in CATALOGUE:
        RetrofitItem.objects.get_or_create(
            name=name,
            defaults={
                "unit": unit,
                "allowed_standard": standard,
                "allowed_basic": basic,
                "reference_cost": Decimal(cost),
                "description": description,
            },
        )
    for retrofit_type, cap in CAPS.items():
        RetrofitTypeCap.objects.get_or_create(type=retrofit_type, defaults={"cap": cap})


@dataclass
class Plan:
    """One demo case: its type, the status it ends in and the date of each step it took."""

    type: str
    status: str
    applied_on: datetime.date
    steps: list[tuple[str, datetime.date]] = field(default_factory=list)
    over_cap: bool = False


def _days(rng: random.Random, low: int, high: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(low, high))


def _done_plan(rng: random.Random, retrofit_type: str, accepted_on: datetime.date, today: datetime.date) -> Plan:
    works = accepted_on - _days(rng, 20, 70)
    approved = works - _days(rng, 7, 30)
    assessed = approved - _days(rng, 5, 15)
    applied = assessed - _days(rng, 5, 20)
    steps = [
        (Status.ASSESSED, assessed),
        (Status.APPROVED, approved),
        (Status.IN_WORKS, works),
        (Status.ACCEPTED, accepted_on),
    ]
    followed_up = accepted_on + _days(rng, 90, 110)
    # Most households get their check on use three months on; a few are still waiting for it.
    if followed_up <= today and rng.random() < 0.85:
        steps.append((Status.FOLLOWED_UP, followed_up))
    return Plan(type=retrofit_type, status=steps[-1][0], applied_on=applied, steps=steps)


def _plans(year: int, today: datetime.date) -> tuple[list[Plan], list[Plan]]:
    """(open cases, all other cases) of the demo: the article's 450 and those that must not count."""
    rng = random.Random(year)
    start, end = datetime.date(year, 1, 10), datetime.date(year, 12, 20)
    span = (end - start).days

    def day_in_year(y: int = year) -> datetime.date:
        return datetime.date(y, 1, 10) + datetime.timedelta(days=rng.randrange(span))

    closed: list[Plan] = []
    for retrofit_type, count in ((STANDARD, 210), (BASIC, 240)):
        closed += [_done_plan(rng, retrofit_type, day_in_year(), today) for _ in range(count)]
    for plan in closed[:2]:
        plan.over_cap = True  # two standard cases approved above the cap, with a recorded reason
    # Other years: accepted the year before, and the year after when it has begun.
    closed += [_done_plan(rng, rng.choice([STANDARD, BASIC]), day_in_year(year - 1), today) for _ in range(12)]
    if datetime.date(year + 1, 6, 30) <= today:
        closed += [_done_plan(rng, BASIC, datetime.date(year + 1, 3, 1) + _days(rng, 0, 90), today) for _ in range(5)]
    for number in range(18):
        applied = day_in_year()
        if number < 10:
            status = Status.REJECTED
            steps = [(Status.ASSESSED, applied + _days(rng, 5, 15))] if number % 2 else []
        else:
            status = Status.WITHDRAWN
            steps = []
        last = steps[-1][1] if steps else applied
        steps.append((status, last + _days(rng, 1, 10)))
        closed.append(Plan(type=rng.choice([STANDARD, BASIC]), status=status, applied_on=applied, steps=steps))

    open_: list[Plan] = []
    for status, count in ((Status.APPLIED, 4), (Status.ASSESSED, 3), (Status.APPROVED, 3), (Status.IN_WORKS, 6)):
        for _ in range(count):
            applied = datetime.date(year, 11, 1) + _days(rng, 0, 20)
            steps, on = [], applied
            for step in (Status.ASSESSED, Status.APPROVED, Status.IN_WORKS):
                if status == Status.APPLIED or (steps and steps[-1][0] == status):
                    break
                on = on + _days(rng, 2, 5)
                steps.append((step, on))
            open_.append(Plan(type=rng.choice([STANDARD, BASIC]), status=status, applied_on=applied, steps=steps))
    return open_, closed


def _lines(rng: random.Random, plan: Plan, items: dict[str, RetrofitItem]) -> list[tuple[RetrofitItem, int]]:
    if plan.over_cap:
        return [(items["卫生间改造"], 1), (items["厨房低位操作台"], 1), (items["门洞拓宽"], 1)]
    allowed = [i for i in items.values() if i.allows(plan.type)]
    small = [i for i in allowed if i.reference_cost < 1000]
    chosen: list[tuple[RetrofitItem, int]] = []
    if plan.type == STANDARD:
        chosen.append((items[rng.choice(["卫生间改造", "厨房低位操作台", "门洞拓宽"])], 1))
    for item in rng.sample(small, rng.randint(2, 3)):
        chosen.append((item, {"扶手": 2, "防滑地面": 4}.get(item.name, 1)))
    cap = CAPS[plan.type]
    while sum(item.reference_cost * quantity for item, quantity in chosen) > cap:
        chosen.pop()
    return chosen


def seed_retrofits(*, year: int, by: User) -> int:
    """The demo year's home retrofits with their items and steps; nothing if they are already there."""
    if Retrofit.objects.filter(application_note__endswith=DEMO_MARK).exists():
        return Retrofit.objects.count()
    today = timezone.localdate()
    open_plans, closed_plans = _plans(year, today)
    active = Person.objects.filter(status=Person.Status.ACTIVE).order_by("id_number")
    households_link(person_ids=active.values_list("pk", flat=True))
    rows = list(active.values_list("pk", "street_id", "category", "name", "household_id"))
    # One case per home: households with an open or a finished case, and second members, get none.
    busy = set(
        Retrofit.objects.filter(status__in=(*Retrofit.OPEN, *Retrofit.DONE)).values_list("household_id", flat=True)
    )
    pool, seen = [], set(busy)
    for row in rows:
        if row[4] not in seen:
            seen.add(row[4])
            pool.append(row)
    if len(pool) < len(open_plans):
        return Retrofit.objects.count()
    rng = random.Random(year * 7)
    rng.shuffle(pool)
    # Each case to a household of its own: a registry too small for every case gets the first ones only
    # (the open cases, then the accepted ones), since a home is retrofitted once.
    plans = (open_plans + closed_plans)[: len(pool)]
    owners = pool[: len(plans)]
    items = {item.name: item for item in RetrofitItem.objects.all()}
    cases = [_case(rng, plan, owner, by) for plan, owner in zip(plans, owners, strict=True)]
    line_sets = [_lines(rng, plan, items) for plan in plans]
    for case, plan, lines in zip(cases, plans, line_sets, strict=True):
        if case.approved_on is not None:
            case.approved_total = sum((item.reference_cost * quantity for item, quantity in lines), Decimal(0))
            if plan.over_cap:
                case.cap_exception_reason = "独居重度肢体残疾，厨房和卫生间均需改造，经区残联会议同意。"
                case.cap_exception_by = by
    created = bulk_create_with_history(cases, Retrofit, batch_size=500, default_user=by)
    lines = [
        RetrofitLine(retrofit=case, item=item, quantity=quantity, unit_cost=item.reference_cost)
        for case, chosen in zip(created, line_sets, strict=True)
        for item, quantity in chosen
    ]
    bulk_create_with_history(lines, RetrofitLine, batch_size=1000, default_user=by)
    RetrofitStatusChange.objects.bulk_create(_changes(created, plans, by), batch_size=1000)
    return Retrofit.objects.count()


def _case(rng: random.Random, plan: Plan, owner: tuple[int, int, int, str, int], by: User) -> Retrofit:
    person_id, street_id, category, name, household_id = owner
    case = Retrofit(
        person_id=person_id,
        street_id=street_id,
        category=category,
        household_id=household_id,
        type=plan.type,
        status=plan.status,
        applied_on=plan.applied_on,
        application_note=f"行动不便，需要家庭无障碍改造。{DEMO_MARK}",
    )
    for status, on in plan.steps:
        if status == Status.ASSESSED:
            case.assessed_on, case.assessment_note = on, "上门评估：卫生间无扶手，门槛高，夜间照明不足。"
        elif status == Status.APPROVED:
            case.approved_on = on
            case.contractor = rng.choice(CONTRACTORS)
        elif status == Status.IN_WORKS:
            case.works_started_on = on
        elif status == Status.ACCEPTED:
            case.accepted_on, case.accepted_by = on, by
            case.household_signatory, case.contractor_signatory = name, "项目经理"
        elif status == Status.FOLLOWED_UP:
            case.followed_up_on, case.follow_up_note = on, "回访：设施使用正常，住户满意。"
        else:
            case.closed_on = on
            case.closing_reason = "不符合改造条件。" if status == Status.REJECTED else "住户本人决定暂不改造。"
    return case


def _changes(cases: Iterable[Retrofit], plans: list[Plan], by: User) -> Iterable[RetrofitStatusChange]:
    nine = datetime.timedelta(hours=9)
    for case, plan in zip(cases, plans, strict=True):
        old = ""
        for status, on in [(Status.APPLIED, plan.applied_on), *plan.steps]:
            yield RetrofitStatusChange(retrofit=case, old=old, new=status, on=on, at=as_datetime(on) + nine, by=by)
            old = status


def seed_ramps(*, year: int) -> int:
    """200 passages in the article's five streets in the demo year; a few in other streets and years."""
    if RampRetrofit.objects.filter(completed_on__year=year).exists():
        return RampRetrofit.objects.count()
    streets = dict(Street.objects.values_list("code", "pk"))
    rng = random.Random(year + 200)
    ramps = []

    def add(code: str, count: int, first: datetime.date, days: int) -> None:
        road = RAMP_ROADS[code]
        for n in range(count):
            compound = f"{road}{100 + (n // 5) * 37}弄"
            ramps.append(
                RampRetrofit(
                    street_id=streets[code],
                    compound=compound,
                    passage=f"{n % 5 + 1}号楼单元入口",
                    completed_on=first + datetime.timedelta(days=rng.randrange(days)),
                )
            )

    for code, count in RAMP_STREETS.items():
        add(code, count, datetime.date(year, 3, 1), 290)
    add("310106017", 8, datetime.date(year - 1, 4, 1), 200)  # the year before: must not count
    add("310106014", 6, datetime.date(year + 1, 3, 1), 100)  # the year after: must not count
    bulk_create_with_history(ramps, RampRetrofit, batch_size=500)
    return RampRetrofit.objects.count()


def seed_sign_language_points(*, year: int) -> int:
    """36 points in service at the end of the demo year, plus one closed during it and two opened later."""
    if SignLanguagePoint.objects.exists():
        return SignLanguagePoint.objects.count()
    Kind = SignLanguagePoint.Kind
    streets = list(Street.objects.order_by("code").values_list("pk", "name_zh"))
    by_code = dict(Street.objects.values_list("code", "pk"))
    opened, mid_year = datetime.date(year, 3, 1), datetime.date(year, 6, 30)
    points = [
        (Kind.ADMINISTRATIVE_HALL, "静安区行政服务中心", by_code["310106015"], opened, None),
        (Kind.MARRIAGE_REGISTRY, "静安区民政局婚姻登记处", by_code["310106011"], opened, None),
        (Kind.LEGAL_SERVICE, "静安区残疾人法律服务中心", by_code["310106018"], opened, None),
        (Kind.HOSPITAL, "静安区中心医院", by_code["310106013"], opened, None),
        (Kind.HOSPITAL, "静安区闸北中心医院", by_code["310106016"], opened, None),
        (Kind.HOSPITAL, "静安区市北医院", by_code["310106020"], opened, None),
        (Kind.HOSPITAL, "静安区北站医院", by_code["310106016"], datetime.date(year, 5, 1), None),
        (Kind.HOSPITAL, "静安区精神卫生中心", by_code["310106018"], datetime.date(year, 5, 1), None),
    ]
    for pk, name in streets:
        short = name.removesuffix("街道")
        points.append((Kind.STREET_COUNTER, f"{short}社区事务受理服务中心", pk, opened, None))
        points.append((Kind.HEALTH_CENTRE, f"{short}社区卫生服务中心", pk, datetime.date(year, 6, 1), None))
    # Must not count: a pilot that closed before the year ended, and two points opened the year after.
    points += [
        (
            Kind.OTHER,
            "静安区图书馆（试点）",
            by_code["310106013"],
            datetime.date(year - 1, 9, 1),
            mid_year,
        ),
        (Kind.OTHER, "静安区残疾人就业服务中心", by_code["310106019"], datetime.date(year + 1, 3, 1), None),
        (Kind.OTHER, "静安区体育中心", by_code["310106021"], datetime.date(year + 1, 4, 1), None),
    ]
    bulk_create_with_history(
        [
            SignLanguagePoint(venue=venue, kind=kind, street_id=street_id, in_service_from=start, in_service_to=end)
            for kind, venue, street_id, start, end in points
        ],
        SignLanguagePoint,
    )
    return SignLanguagePoint.objects.count()


# A main road of each street, for the demo addresses of the directory of accessible places.
DIRECTORY_ROADS = {
    "310106006": "江宁路",
    "310106011": "石门二路",
    "310106012": "南京西路",
    "310106013": "华山路",
    "310106014": "长寿路",
    "310106015": "天目西路",
    "310106016": "海宁路",
    "310106017": "宝山路",
    "310106018": "共和新路",
    "310106019": "大宁路",
    "310106020": "彭浦新村",
    "310106021": "临汾路",
    "310106022": "芷江西路",
    "310106100": "共康路",
}
OFFICE_HOURS = ("周一至周五 9:00–17:00，周六 9:00–12:00", "Mon–Fri 9:00–17:00, Sat 9:00–12:00")
# Opening hours and access notes (Chinese, English) of a sign-language point, by kind of venue.
SIGN_POINT_DETAILS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    SignLanguagePoint.Kind.HOSPITAL: (
        ("门诊 周一至周日 8:00–16:30", "Outpatients Mon–Sun 8:00–16:30"),
        (
            "门诊大厅服务台用平板电脑连线手语翻译；无障碍入口、电梯、无障碍卫生间",
            "The outpatient hall's desk calls a sign-language interpreter on a tablet; step-free entrance, lift, "
            "accessible toilet",
        ),
    ),
    SignLanguagePoint.Kind.HEALTH_CENTRE: (
        ("周一至周五 8:00–16:30", "Mon–Fri 8:00–16:30"),
        (
            "挂号窗口可视频连线手语翻译；一楼无台阶入口",
            "The registration counter calls a sign-language interpreter by video; step-free entrance on the ground "
            "floor",
        ),
    ),
    SignLanguagePoint.Kind.OTHER: (
        ("周二至周日 9:00–17:00", "Tue–Sun 9:00–17:00"),
        ("服务台可视频连线手语翻译", "The service desk calls a sign-language interpreter by video"),
    ),
}
COUNTER_DETAILS = (
    OFFICE_HOURS,
    (
        "综合窗口可视频连线手语翻译；无障碍入口在正门，设低位服务台",
        "The main counter calls a sign-language interpreter by video; step-free main entrance and a low counter",
    ),
)
RAMP_DETAILS = (
    ("全天开放", "Open all day"),
    (
        "单元入口坡道，坡度不大于1:12，两侧扶手，入口平台可回转轮椅",
        "Ramp at the building entrance, no steeper than 1:12, handrails on both sides, room to turn a wheelchair",
    ),
)


def seed_directory(*, year: int) -> int:
    """Fill the public details of the demo's sign-language points (address, hours, access notes), and list one
    ramp passage of each compound of the demo year as public, with its own; places already filled are kept."""
    rng = random.Random(year + 300)
    codes = dict(Street.objects.values_list("pk", "code"))
    points = list(SignLanguagePoint.objects.filter(address="").order_by("pk"))
    for point in points:
        (hours, hours_en), (notes, notes_en) = SIGN_POINT_DETAILS.get(point.kind, COUNTER_DETAILS)
        point.address = f"静安区{DIRECTORY_ROADS[codes[point.street_id]]}{rng.randrange(1, 1200)}号"
        point.opening_hours, point.opening_hours_en = hours, hours_en
        point.access_notes, point.access_notes_en = notes, notes_en
    bulk_update_with_history(
        points, SignLanguagePoint, ["address", "opening_hours", "opening_hours_en", "access_notes", "access_notes_en"]
    )
    ramps = list(
        RampRetrofit.objects.filter(
            address="", public=False, completed_on__year=year, street__code__in=RAMP_STREETS, passage="1号楼单元入口"
        ).order_by("pk")
    )
    (hours, hours_en), (notes, notes_en) = RAMP_DETAILS
    for ramp in ramps:
        ramp.public, ramp.address = True, f"静安区{ramp.compound}"
        ramp.opening_hours, ramp.opening_hours_en = hours, hours_en
        ramp.access_notes, ramp.access_notes_en = notes, notes_en
    fields = ["public", "address", "opening_hours", "opening_hours_en", "access_notes", "access_notes_en"]
    bulk_update_with_history(ramps, RampRetrofit, fields)
    return len(points) + len(ramps)


def _device(
    holder: tuple[int, int, str],
    device_type: str,
    serial_number: str,
    issued_on: datetime.date,
    returned_on: datetime.date | None = None,
) -> DeviceIssue:
    """A device issued to `holder` (person id, street id, category), keeping the street and category of then."""
    person_id, street_id, category = holder
    return DeviceIssue(
        person_id=person_id,
        street_id=street_id,
        category=category,
        device_type=device_type,
        serial_number=serial_number,
        issued_on=issued_on,
        returned_on=returned_on,
    )


def seed_devices(*, year: int) -> int:
    """249 smart wristbands issued in the demo year, first to persons with intellectual disabilities.

    Must not count: wristbands issued (and returned) the year before, and hearing aids of the demo year.
    """
    prefix = f"SW{year}-"
    if DeviceIssue.objects.filter(serial_number__startswith=prefix).exists():
        return DeviceIssue.objects.count()
    holding = DeviceIssue.objects.filter(person=OuterRef("pk"), returned_on__isnull=True)
    pool = list(
        Person.objects.filter(status=Person.Status.ACTIVE)
        .filter(~Exists(holding))
        .order_by("id_number")
        .values_list("pk", "street_id", "category")
    )
    # Wristbands go to people with intellectual disabilities, as the article says (a small registry's few
    # get theirs in turn, each returned before the next); hearing aids to others.
    intellectual = Person.Category.INTELLECTUAL
    pool = [p for p in pool if p[2] == intellectual] + [p for p in pool if p[2] != intellectual]
    wearers = [p for p in pool if p[2] == intellectual]
    if not wearers:
        return DeviceIssue.objects.count()
    rng = random.Random(year + 249)
    Type = DeviceIssue.DeviceType
    devices = []
    # The year before: issued and returned (replaced by the new model), so they block nothing.
    for n in range(20):
        issued = datetime.date(year - 1, 3, 1) + datetime.timedelta(days=n * 5)
        devices.append(
            _device(
                wearers[n % len(wearers)],
                Type.SMART_WRISTBAND,
                f"SW{year - 1}-{n + 1:04d}",
                issued,
                returned_on=datetime.date(year - 1, 12, 31),
            )
        )
    last_issue: dict[int, DeviceIssue] = {}
    for n in range(249):
        wearer = wearers[n % len(wearers)]
        issued = datetime.date(year, 2, 1) + datetime.timedelta(days=n * 300 // 249)
        if wearer[0] in last_issue:  # only with a very small registry: the earlier one came back first
            last_issue[wearer[0]].returned_on = issued
        device = _device(wearer, Type.SMART_WRISTBAND, f"{prefix}{n + 1:04d}", issued)
        devices.append(device)
        last_issue[wearer[0]] = device
    for n in range(min(12, len(pool))):
        issued = datetime.date(year, 4, 1) + _days(rng, 0, 200)
        devices.append(_device(pool[-n - 1], Type.HEARING_AID, f"HA{year}-{n + 1:04d}", issued))
    bulk_create_with_history(devices, DeviceIssue, batch_size=500)
    return DeviceIssue.objects.count()
