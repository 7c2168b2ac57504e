"""The figure registry: the only place that names the annual report's figures.

Each `Figure` has a `Tally`: the queryset of the records it counts, from the app that owns them
(the same queryset is the drill-down), what is counted in them and the keys of its breakdowns.
The Celery job counts every figure with its breakdowns in one SQL statement (`reports.tally`). The
dashboard, the Excel export, the public page and the `annual_report` command all iterate `FIGURES`;
adding a figure is one entry below.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import get_language

from accessibility import stats as accessibility_stats
from accessibility.models import DeviceIssue, DeviceType, RampRetrofit, Retrofit, SignLanguagePoint
from employment import stats as employment_stats
from employment.models import CertificateLevel
from events import stats as event_stats
from events.models import Event, Registration
from services import stats as service_stats
from services.models import EscortBooking, EscortService, HomeRehabSession, Hospital, Person, Street

from .tally import Counted, Streets, Tally, count_all

BY_STREET = {"street": "street__code"}
BY_CATEGORY = {"category": "person__category"}
PERSONS: dict[str, Any] = {"count": "person", "distinct": True}  # each person once, however many records


@dataclass(frozen=True)
class Column:
    """One column of a figure's drill-down list: a heading and how to read it from a record."""

    label_zh: str
    label_en: str
    value: Callable[[Any], Any]

    @property
    def label(self) -> str:
        return self.label_en if in_english() else self.label_zh


@dataclass(frozen=True)
class Figure:
    """One figure of the annual report, defined once."""

    key: str
    label_zh: str
    label_en: str
    unit_zh: str
    unit_en: str
    tally: Tally
    columns: tuple[Column, ...]
    # The records a figure's drill-down lists, when they are not those it counts (persons, not sessions).
    listed: Callable[[int], QuerySet] | None = None
    # Sentence templates (str.format): {value} {unit} {plan} {above} {percent} {share} {b[name][key]} {f[key]}
    sentence_zh: str = ""
    sentence_en: str = ""
    has_plan: bool = True  # staff may set a target for it in AnnualPlan
    share_of: str = ""  # another figure's key: {share} is this value as a percentage of that one
    select_related: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.label_en if in_english() else self.label_zh

    @property
    def unit(self) -> str:
        return self.unit_en if in_english() else self.unit_zh

    def compute(self, year: int, streets: Streets = None) -> int:
        """The figure for `year` on the given streets (the whole district when None), in one query."""
        return self.tally.value(year, streets)

    def drilldown(self, year: int) -> QuerySet:
        """The records behind the figure for `year`."""
        return (self.listed or self.tally.records)(year)


def in_english() -> bool:
    return (get_language() or "").startswith("en")


# The record columns shared by figures about persons: masked numbers only, never the full ones.
PERSON_COLUMNS = (
    Column("姓名", "Name", lambda r: r.person.name),
    Column("身份证号", "ID number", lambda r: r.person.masked_id_number),
    Column("残疾类别", "Category", lambda r: r.person.get_category_display()),
    Column("街道", "Street", lambda r: r.street.name if r.street_id else ""),
)


# Escort clinics


def escort_bookings_completed(year: int) -> QuerySet[EscortBooking]:
    """The records behind escort person-visits: completed escorts whose clinic session is in `year`."""
    return EscortBooking.objects.filter(slot__starts_at__year=year, status=EscortBooking.Status.COMPLETED)


ESCORT_PERSON_VISITS = Figure(
    key="escort_person_visits",
    label_zh="助聋助盲陪诊服务",
    label_en="Escort clinic person-visits",
    unit_zh="人次",
    unit_en="person-visits",
    tally=Tally(
        escort_bookings_completed,
        by={"hospital": "slot__hospital__name_zh", "service": "services__code", **BY_STREET, **BY_CATEGORY},
    ),
    select_related=("person", "street", "slot__hospital"),
    columns=(
        *PERSON_COLUMNS,
        Column("医院", "Hospital", lambda r: str(r.slot.hospital)),
        Column("时间", "Time", lambda r: r.slot.starts_at),
    ),
    sentence_zh="全年提供助聋助盲陪诊服务{value}人次",
    sentence_en="{value} escort clinic person-visits for deaf and blind patients in the year",
)


# Accessibility


RETROFITS = Figure(
    key="home_retrofits",
    label_zh="家庭无障碍改造",
    label_en="Home retrofits",
    unit_zh="户",
    unit_en="households",
    tally=Tally(accessibility_stats.accepted_retrofits, by={"type": "type", **BY_STREET, **BY_CATEGORY}),
    select_related=("person", "street"),
    columns=(
        *PERSON_COLUMNS,
        Column("类型", "Type", lambda r: r.get_type_display()),
        Column("验收日期", "Accepted on", lambda r: r.accepted_on),
    ),
    sentence_zh="完成家庭无障碍改造{value}户，其中标准型{b[type][standard]}户、基本型{b[type][basic]}户",
    sentence_en="{value} home retrofits completed: {b[type][standard]} standard and {b[type][basic]} basic",
)


def ramps_completed(year: int) -> QuerySet[RampRetrofit]:
    """The records behind ramp passages: ramps completed in `year`."""
    return RampRetrofit.objects.filter(completed_on__year=year)


RAMP_PASSAGES = Figure(
    key="ramp_passages",
    label_zh="老旧小区通道坡道改造",
    label_en="Ramp retrofits on old compounds' passages",
    unit_zh="处",
    unit_en="passages",
    tally=Tally(ramps_completed, by=BY_STREET),
    select_related=("street",),
    columns=(
        Column("街道", "Street", lambda r: r.street.name),
        Column("小区", "Compound", lambda r: r.compound),
        Column("通道", "Passage", lambda r: r.passage),
        Column("完成日期", "Completed on", lambda r: r.completed_on),
    ),
    sentence_zh="完成老旧小区通道坡道改造{value}处，覆盖{f[ramp_streets]}个街道（镇）",
    sentence_en="{value} ramps built on old compounds' passages in {f[ramp_streets]} streets",
)

RAMP_STREETS = Figure(
    key="ramp_streets",
    label_zh="坡道改造覆盖街道（镇）",
    label_en="Streets with ramp retrofits",
    unit_zh="个",
    unit_en="streets",
    tally=Tally(ramps_completed, count="street", distinct=True),
    select_related=("street",),
    columns=RAMP_PASSAGES.columns,
    has_plan=False,
)


def sign_language_points(year: int) -> QuerySet[SignLanguagePoint]:
    """The records behind sign-language points: points in service on 31 December of `year`."""
    year_end = datetime.date(year, 12, 31)
    return SignLanguagePoint.objects.filter(in_service_from__lte=year_end).filter(
        Q(in_service_to__isnull=True) | Q(in_service_to__gte=year_end)
    )


SIGN_LANGUAGE_POINTS = Figure(
    key="sign_language_points",
    label_zh="在线手语视频服务点",
    label_en="Online sign-language video points",
    unit_zh="个",
    unit_en="points",
    tally=Tally(sign_language_points, by={"kind": "kind", **BY_STREET}),
    select_related=("street",),
    columns=(
        Column("服务点", "Venue", lambda r: r.venue),
        Column("类型", "Kind", lambda r: r.get_kind_display()),
        Column("街道", "Street", lambda r: r.street.name),
        Column("启用日期", "In service from", lambda r: r.in_service_from),
    ),
    sentence_zh="在线手语视频服务点达{value}个",
    sentence_en="{value} online sign-language video points in service",
)


def wristbands_issued(year: int) -> QuerySet[DeviceIssue]:
    """The records behind wristbands: smart wristbands issued in `year`."""
    return DeviceIssue.objects.filter(issued_on__year=year, device_type=DeviceType.SMART_WRISTBAND)


WRISTBANDS = Figure(
    key="smart_wristbands",
    label_zh="智能腕表发放",
    label_en="Smart wristbands issued",
    unit_zh="块",
    unit_en="wristbands",
    tally=Tally(wristbands_issued, by={**BY_STREET, **BY_CATEGORY}),
    select_related=("person", "street"),
    columns=(*PERSON_COLUMNS, Column("发放日期", "Issued on", lambda r: r.issued_on)),
    sentence_zh="为智力残疾学员发放智能腕表{value}块",
    sentence_en="{value} smart wristbands issued to trainees with intellectual disabilities",
)


# Employment


TRAINED = Figure(
    key="trained",
    label_zh="就业年龄段残疾人技能培训",
    label_en="Working-age people trained",
    unit_zh="人",
    unit_en="people",
    tally=Tally(employment_stats.trained_enrollments, **PERSONS, by={**BY_STREET, **BY_CATEGORY}),
    select_related=("person", "street", "course"),
    columns=(*PERSON_COLUMNS, Column("课程", "Course", lambda r: r.course)),
    sentence_zh="培训就业年龄段残疾人{value}人",
    sentence_en="{value} working-age disabled people trained",
)

CERTIFIED = Figure(
    key="certified",
    label_zh="取得职业技能等级证书",
    label_en="People certified",
    unit_zh="人",
    unit_en="people",
    tally=Tally(
        employment_stats.certificates_issued,
        **PERSONS,
        by={**BY_STREET, **BY_CATEGORY, "level": "certificate_level"},
    ),
    select_related=("person", "street", "course"),
    columns=(
        *PERSON_COLUMNS,
        Column("证书等级", "Level", lambda r: r.get_certificate_level_display()),
        Column("发证日期", "Issued on", lambda r: r.certificate_issued_on),
    ),
    sentence_zh="{value}人取得职业技能等级证书",
    sentence_en="{value} people earned a vocational skill certificate",
)

PLACED = Figure(
    key="placed",
    label_zh="推荐就业",
    label_en="People placed in jobs",
    unit_zh="人",
    unit_en="people",
    tally=Tally(employment_stats.recommended_placements, **PERSONS, by={**BY_STREET, **BY_CATEGORY}),
    select_related=("person", "street", "employer"),
    columns=(
        *PERSON_COLUMNS,
        Column("用人单位", "Employer", lambda r: r.employer),
        Column("入职日期", "Started on", lambda r: r.started_on),
    ),
    sentence_zh="推荐残疾人就业{value}人",
    sentence_en="{value} people placed in jobs on the federation's recommendation",
)

NEW_GRADUATES = Figure(
    key="new_graduates",
    label_zh="应届残疾人大学毕业生",
    label_en="New graduates",
    unit_zh="人",
    unit_en="people",
    tally=Tally(employment_stats.graduates_of, **PERSONS, by=BY_STREET),
    select_related=("person", "street"),
    columns=(*PERSON_COLUMNS, Column("已就业", "Placed", lambda r: "✓" if r.is_placed else "")),
    has_plan=False,
)


def graduates_placed(year: int) -> QuerySet:
    """The records behind new graduates placed: graduates of `year` with a placement as a new graduate."""
    return employment_stats.graduates_of(year).filter(is_placed=True)


NEW_GRADUATES_PLACED = Figure(
    key="new_graduates_placed",
    label_zh="应届残疾人大学毕业生就业",
    label_en="New graduates placed",
    unit_zh="人",
    unit_en="people",
    tally=Tally(graduates_placed, **PERSONS, by=BY_STREET),
    select_related=("person", "street"),
    columns=PERSON_COLUMNS,
    share_of="new_graduates",
    sentence_zh="应届残疾人大学毕业生{f[new_graduates]}人，实现就业{value}人，就业率{share}%",
    sentence_en="{value} of {f[new_graduates]} new graduates placed in jobs ({share}%)",
)


# Events


def culture_and_sports_events(year: int) -> QuerySet[Event]:
    """The records behind culture and sports events: those held in `year` (published, not cancelled)."""
    return event_stats.held_events(year).filter(category__in=event_stats.CULTURE_AND_SPORTS)


def culture_and_sports_attendance(year: int) -> QuerySet[Registration]:
    """The records behind participants: attended registrations at culture and sports events held in `year`."""
    return Registration.objects.filter(
        event__in=culture_and_sports_events(year), attendance=Registration.Attendance.ATTENDED
    )


CULTURE_EVENTS = Figure(
    key="culture_events",
    label_zh="文体活动",
    label_en="Culture and sports events",
    unit_zh="场",
    unit_en="events",
    tally=Tally(culture_and_sports_events, by={"event_category": "category"}, street=None),
    columns=(
        Column("活动", "Event", lambda r: r.title),
        Column("类别", "Category", lambda r: r.get_category_display()),
        Column("开始时间", "Starts", lambda r: r.starts_at),
    ),
    sentence_zh="举办文体活动{value}场，参与{f[culture_participants]}人次",
    sentence_en="{value} culture and sports events held, with {f[culture_participants]} participants",
)

CULTURE_PARTICIPANTS = Figure(
    key="culture_participants",
    label_zh="文体活动参与",
    label_en="Culture and sports participants",
    unit_zh="人次",
    unit_en="person-times",
    tally=Tally(culture_and_sports_attendance, by={"event_category": "event__category"}, street=None),
    select_related=("event", "person", "street"),
    columns=(
        Column("活动", "Event", lambda r: r.event.title),
        Column("姓名", "Name", lambda r: r.person.name if r.person_id else r.name),
        Column("身份证号", "ID number", lambda r: r.person.masked_id_number if r.person_id else ""),
        Column("街道", "Street", lambda r: r.street.name if r.street_id else ""),
    ),
)


# Rehabilitation, prevention and the campaign visits (issue 12)


def _people_given_home_rehab(year: int) -> QuerySet[Person]:
    """The records behind people who received home rehabilitation: persons with a session in `year`."""
    return Person.objects.filter(pk__in=service_stats.home_rehab_sessions(year).values("person"))


REHAB_HOMES = Figure(
    key="rehab_homes",
    label_zh="残疾人“康复之家”",
    label_en="Rehabilitation homes",
    unit_zh="家",
    unit_en="centres",
    tally=Tally(service_stats.rehab_homes_certified, by=BY_STREET),
    select_related=("street",),
    columns=(
        Column("社区卫生服务中心", "Community health service centre", lambda r: r.name),
        Column("街道", "Street", lambda r: r.street.name),
        Column("市级验收日期", "Municipal acceptance", lambda r: r.accepted_on),
    ),
    sentence_zh="{value}家社区卫生服务中心通过市级验收，建设成为残疾人“康复之家”",
    sentence_en="{value} community health service centres accepted by the city as rehabilitation homes",
)

HOME_REHAB_PEOPLE = Figure(
    key="home_rehab_people",
    label_zh="送康复服务上门",
    label_en="People given rehabilitation at home",
    unit_zh="人",
    unit_en="people",
    tally=Tally(service_stats.home_rehab_sessions, **PERSONS, by={**BY_STREET, **BY_CATEGORY}),
    listed=_people_given_home_rehab,
    select_related=("street",),
    columns=(
        Column("姓名", "Name", lambda r: r.name),
        Column("身份证号", "ID number", lambda r: r.masked_id_number),
        Column("残疾类别", "Category", lambda r: r.get_category_display()),
        Column("街道", "Street", lambda r: r.street.name),
    ),
    sentence_zh="结合家庭医生签约送康复服务上门{value}人、{f[home_rehab_sessions]}次",
    sentence_en="Rehabilitation brought to {value} people at home, in {f[home_rehab_sessions]} sessions",
)

HOME_REHAB_SESSIONS = Figure(
    key="home_rehab_sessions",
    label_zh="上门康复服务",
    label_en="Home rehabilitation sessions",
    unit_zh="次",
    unit_en="sessions",
    tally=Tally(service_stats.home_rehab_sessions, by={"session_kind": "kind", **BY_STREET}),
    select_related=("person", "street", "centre"),
    columns=(
        *PERSON_COLUMNS,
        Column("服务内容", "Kind", lambda r: r.get_kind_display()),
        Column("日期", "Date", lambda r: r.given_on),
        Column("社区卫生服务中心", "Centre", lambda r: r.centre.name),
    ),
)


PREVENTION_VIDEOS = Figure(
    key="prevention_videos",
    label_zh="残疾预防科普视频",
    label_en="Prevention videos published",
    unit_zh="条",
    unit_en="videos",
    tally=Tally(event_stats.prevention_videos, street=None),
    columns=(
        Column("标题", "Title", lambda r: r.title),
        Column("发布日期", "Published on", lambda r: r.published_on),
        Column("字幕", "Captioned", lambda r: "✓" if r.captioned else ""),
        Column("手语", "Sign language", lambda r: "✓" if r.signed else ""),
    ),
    sentence_zh="推送残疾预防科普视频{value}条",
    sentence_en="{value} disability prevention videos published",
)

QUIZ_PARTICIPANTS = Figure(
    key="quiz_participants",
    label_zh="残疾预防线上有奖知识竞答参与",
    label_en="Prevention quiz participants",
    unit_zh="人次",
    unit_en="participants",
    tally=Tally(event_stats.quiz_campaigns, total="participants", street=None),
    columns=(
        Column("竞答", "Quiz", lambda r: r.title),
        Column("开始", "Starts", lambda r: r.starts_on),
        Column("结束", "Ends", lambda r: r.ends_on),
        Column("参与人次", "Participants", lambda r: r.participants),
        Column("获奖人数", "Prize winners", lambda r: r.prize_winners),
    ),
    sentence_zh="开展残疾预防线上有奖知识竞答，参与{value}人次",
    sentence_en="{value} people took the online prevention quiz",
)

CAMPAIGN_VISITS_HELPED = Figure(
    key="campaign_visits_helped",
    label_zh="“四百”大走访精准帮扶",
    label_en="Campaign visits with targeted help",
    unit_zh="户次",
    unit_en="visits",
    tally=Tally(service_stats.campaign_visits_with_help, by={**BY_STREET, **BY_CATEGORY}),
    select_related=("person", "street"),
    columns=(*PERSON_COLUMNS, Column("走访日期", "Visited on", lambda r: r.visited_on)),
    sentence_zh="“四百”大走访入户调查并精准帮扶{value}户次",
    sentence_en="{value} campaign home visits led to targeted help",
)


FIGURES: tuple[Figure, ...] = (
    ESCORT_PERSON_VISITS,
    RETROFITS,
    RAMP_PASSAGES,
    RAMP_STREETS,
    SIGN_LANGUAGE_POINTS,
    WRISTBANDS,
    TRAINED,
    CERTIFIED,
    PLACED,
    NEW_GRADUATES,
    NEW_GRADUATES_PLACED,
    CULTURE_EVENTS,
    CULTURE_PARTICIPANTS,
    REHAB_HOMES,
    HOME_REHAB_PEOPLE,
    HOME_REHAB_SESSIONS,
    PREVENTION_VIDEOS,
    QUIZ_PARTICIPANTS,
    CAMPAIGN_VISITS_HELPED,
)
BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}
assert len(BY_KEY) == len(FIGURES), "figure keys must be unique"


def counted(year: int, figures: Iterable[Figure] = FIGURES) -> dict[str, Counted]:
    """The figures' values and breakdowns for `year`, by key, in one SQL statement."""
    return count_all({figure.key: figure.tally for figure in figures}, year)


def get(key: str) -> Figure:
    """The figure called `key`. Raises KeyError."""
    return BY_KEY[key]


def plan_choices() -> list[tuple[str, str]]:
    """The figures a plan can set a target for, as choices (called by the model field, never cached)."""
    return [(f.key, f"{f.label_zh} / {f.label_en}") for f in FIGURES if f.has_plan]


# Breakdowns: their names, and how their keys read.

BREAKDOWN_NAMES = {
    "street": ("按街道（镇）", "By street"),
    "category": ("按残疾类别", "By disability category"),
    "hospital": ("按医院", "By hospital"),
    "service": ("按服务项目", "By service"),
    "type": ("按改造类型", "By retrofit type"),
    "kind": ("按服务点类型", "By kind of venue"),
    "level": ("按证书等级", "By certificate level"),
    "event_category": ("按活动类别", "By event category"),
    "session_kind": ("按服务内容", "By kind of session"),
}


def breakdown_name(name: str) -> str:
    zh, en = BREAKDOWN_NAMES.get(name, (name, name))
    return en if in_english() else zh


def _choice_labels(choices: Iterable[tuple[Any, Any]]) -> Callable[[], dict[str, str]]:
    return lambda: {str(value): str(label) for value, label in choices}


# How each breakdown's keys read in the active language (a query for those named in a table).
KEY_LABELS: dict[str, Callable[[], dict[str, str]]] = {
    "street": lambda: {s.code: s.name for s in Street.objects.all()},
    "category": _choice_labels(Person.Category.choices),
    "hospital": lambda: {h.name_zh: str(h) for h in Hospital.objects.all()},
    "service": lambda: {s.code: str(s) for s in EscortService.objects.all()},
    "type": _choice_labels(Retrofit.Type.choices),
    "kind": _choice_labels(SignLanguagePoint.Kind.choices),
    "level": _choice_labels(CertificateLevel.choices),
    "event_category": _choice_labels(Event.Category.choices),
    "session_kind": _choice_labels(HomeRehabSession.Kind.choices),
}


def key_labels(names: Iterable[str]) -> dict[str, dict[str, str]]:
    """For each breakdown name, its keys' labels in the active language (one query per named table)."""
    return {name: KEY_LABELS.get(name, dict)() for name in set(names)}
