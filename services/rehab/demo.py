"""Demo rehabilitation and campaign visits for the demo year (the article's 2023), and records that must not count.

The article: five community health service centres (曹家渡, 江宁路, 宝山路, 共和新路 streets' and
彭浦镇's second) passed the city's acceptance as rehabilitation homes; family doctors bring
rehabilitation home; the campaign visits (四百大走访) gave targeted help to 130-odd households.
The centres' names are the article's; their addresses, phones and hours here are made up for the demo.
The same records on every run.
"""

import datetime
import random
import uuid
from typing import Any

from django.utils import timezone

from services.models import (
    FamilyDoctorContract,
    FollowUp,
    HomeRehabSession,
    HomeVisit,
    Person,
    RehabCentre,
    Street,
    User,
)

CERTIFIED = RehabCentre.Certification.CERTIFIED
HOURS = "周一至周五 8:00–16:30，周六 8:00–11:30"
# street code, name, road, certification, then applied on, accepted on, revoked on as (years after the demo
# year, month, day). The address is the road's (a demo one) and the phone ends with the street code's last digits.
CENTRES = [
    ("310106014", "曹家渡街道社区卫生服务中心", "万航渡路", CERTIFIED, (0, 3, 1), (0, 9, 12), None),
    ("310106006", "江宁路街道社区卫生服务中心", "西康路", CERTIFIED, (0, 3, 1), (0, 9, 12), None),
    ("310106017", "宝山路街道社区卫生服务中心", "宝山路", CERTIFIED, (0, 3, 8), (0, 10, 20), None),
    ("310106018", "共和新路街道社区卫生服务中心", "共和新路", CERTIFIED, (0, 3, 8), (0, 10, 20), None),
    ("310106100", "彭浦镇第二社区卫生服务中心", "平型关路", CERTIFIED, (0, 4, 2), (0, 11, 28), None),
    # Not certified at the end of the year: applied, never applied, accepted only the year after, revoked.
    ("310106013", "静安寺街道社区卫生服务中心", "常德路", "applied", (0, 9, 1), None, None),
    ("310106021", "临汾路街道社区卫生服务中心", "临汾路", "none", None, None, None),
    ("310106019", "大宁路街道社区卫生服务中心", "广中西路", CERTIFIED, (0, 10, 9), (1, 5, 16), None),
    ("310106011", "静安区康复示范站（演示）", "石门二路", "revoked", (-2, 3, 1), (-2, 9, 1), (0, 6, 30)),
]

HOME_REHAB_PEOPLE, SESSIONS_EACH, PEOPLE_YEAR_BEFORE_ONLY = 60, 4, 10
CONTRACTS_WITHOUT_SESSIONS = 20
CAMPAIGN_WITH_HELP, CAMPAIGN_WITHOUT_NEEDS, ROUTINE_WITH_NEEDS, CAMPAIGN_YEAR_BEFORE = 132, 40, 30, 10
NEEDS = ["retrofit", "rehabilitation", "subsidy", "device", "escort", "job", "other"]
KINDS = [k for k, _label in HomeRehabSession.Kind.choices]


def seed_centres(*, year: int) -> int:
    """The article's five rehabilitation homes and four centres that were not certified at the end of `year`."""
    streets = {s.code: s for s in Street.objects.all()}

    def day(parts: tuple[int, int, int] | None) -> datetime.date | None:
        return datetime.date(year + parts[0], parts[1], parts[2]) if parts else None

    for code, name, road, certification, applied, accepted, revoked in CENTRES:
        RehabCentre.objects.get_or_create(
            name=name,
            defaults={
                "street": streets[code],
                "address": f"静安区{road}（演示地址）",
                "phone": f"021-60000{code[-3:]}",
                "contact": "康复科",
                "opening_hours": HOURS,
                "certification": certification,
                "applied_on": day(applied),
                "accepted_on": day(accepted),
                "revoked_on": day(revoked),
                "offers_physiotherapy": True,
                "offers_occupational_therapy": certification == CERTIFIED,
                "offers_speech_therapy": code in ("310106006", "310106018"),
                "offers_device_fitting": True,
                "offers_home_rehabilitation": True,
                "offers_family_guidance": True,
                "step_free": True,
                "accessible_toilet": True,
                "lift": code != "310106014",
                "accessible_parking": code in ("310106100", "310106018"),
                "sign_language": code in ("310106006", "310106017"),
                "hearing_loop": code == "310106006",
            },
        )
    return RehabCentre.objects.certified_at_end_of(year).count()


def seed_home_rehabilitation(*, year: int) -> int:
    """Family-doctor contracts and home sessions: HOME_REHAB_PEOPLE people given SESSIONS_EACH sessions in
    `year`; others only the year before, or a contract and no session yet. Once."""
    if HomeRehabSession.objects.filter(given_on__year=year).exists():
        return 0
    centres = {c.street_id: c for c in RehabCentre.objects.exclude(certification=RehabCentre.Certification.REVOKED)}
    persons = list(
        Person.objects.filter(
            status=Person.Status.ACTIVE, street_id__in=list(centres), category__in=[4, 5, 7]
        ).order_by("pk")[: HOME_REHAB_PEOPLE + PEOPLE_YEAR_BEFORE_ONLY + CONTRACTS_WITHOUT_SESSIONS]
    )
    rng = random.Random(12)
    contracts = []
    for n, person in enumerate(persons):
        contracts.append(
            FamilyDoctorContract(
                person=person,
                street_id=person.street_id,
                centre=centres[person.street_id],
                doctor=f"家庭医生团队{n % 12 + 1:02d}",
                signed_on=datetime.date(year - 1, 1 + n % 12, 1 + n % 28),
            )
        )
    FamilyDoctorContract.objects.bulk_create(contracts)
    sessions = []
    for n, contract in enumerate(contracts):
        if n < HOME_REHAB_PEOPLE:
            days = sorted(rng.sample(range(31, 360), SESSIONS_EACH))
            dates = [datetime.date(year, 1, 1) + datetime.timedelta(days=d) for d in days]
        elif n < HOME_REHAB_PEOPLE + PEOPLE_YEAR_BEFORE_ONLY:
            dates = [datetime.date(year - 1, 12, 1 + n % 28)]  # the year before: never counted
        else:
            dates = []
        for k, given_on in enumerate(dates):
            sessions.append(
                HomeRehabSession(
                    person=contract.person,
                    street_id=contract.street_id,
                    centre=contract.centre,
                    contract=contract,
                    given_on=given_on,
                    kind=KINDS[0] if k == 0 else rng.choice(KINDS[1:]),
                    minutes=rng.choice([30, 45, 60, 90]),
                    given_by=contract.doctor,
                )
            )
    HomeRehabSession.objects.bulk_create(sessions)
    return len(sessions)


def _visit_key(kind: str, n: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"demo-rehab/{kind}/{n}")


def seed_campaign_visits(*, year: int) -> int:
    """The year's campaign visits by the demo committee members: CAMPAIGN_WITH_HELP found a need that was
    met, others found none; routine visits with needs and the year before's campaign must not count. Once."""
    if HomeVisit.objects.filter(submission_key=_visit_key("campaign", 0)).exists():
        return 0
    streets = {
        code: (Street.objects.get(code=code), User.objects.get(username=username))
        for code, username in (("310106006", "member_jiangning"), ("310106019", "member_daning"))
    }
    staff = User.objects.filter(username="staff").first()
    persons = list(
        Person.objects.filter(status=Person.Status.ACTIVE, street__code__in=list(streets))
        .select_related("street")
        .order_by("pk")
    )
    rng = random.Random(400)
    plan = (
        [("campaign", year, True)] * CAMPAIGN_WITH_HELP
        + [("campaign", year, False)] * CAMPAIGN_WITHOUT_NEEDS
        + [("routine", year, True)] * ROUTINE_WITH_NEEDS
        + [("campaign", year - 1, True)] * CAMPAIGN_YEAR_BEFORE
    )
    visits, needs_of = [], []
    counters: dict[str, int] = {}
    for person, (purpose, visit_year, with_needs) in zip(persons, plan, strict=False):
        kind = f"{purpose}{'' if visit_year == year else '-before'}"
        n = counters[kind] = counters.get(kind, -1) + 1
        visited_on = datetime.date(visit_year, 4, 1) + datetime.timedelta(days=rng.randrange(0, 240))
        visits.append(
            HomeVisit(
                person=person,
                street_id=person.street_id,
                visited_on=visited_on,
                visitor=streets[person.street.code][1],
                mode=HomeVisit.Mode.HOME,
                purpose=purpose,
                findings="",
                submission_key=_visit_key(kind, n),
            )
        )
        needs_of.append(rng.sample(NEEDS, rng.choice([1, 1, 2])) if with_needs else [])
    HomeVisit.objects.bulk_create(visits)
    follow_ups = []
    for visit, needs in zip(visits, needs_of, strict=True):
        for need in needs:
            due = visit.visited_on + datetime.timedelta(days=14)
            follow_ups.append(
                FollowUp(
                    visit=visit,
                    person=visit.person,
                    street_id=visit.street_id,
                    need=need,
                    due_on=due,
                    status=FollowUp.Status.CLOSED,
                    outcome="已精准帮扶",
                    closed_at=timezone.make_aware(datetime.datetime.combine(due, datetime.time(10))),
                    closed_by=staff,
                )
            )
    FollowUp.objects.bulk_create(follow_ups)
    return len(visits)


def seed(*, year: int, stdout: Any) -> None:
    homes = seed_centres(year=year)
    sessions = seed_home_rehabilitation(year=year)
    visits = seed_campaign_visits(year=year)
    stdout.write(
        f"Rehabilitation: {homes} rehabilitation homes at the end of {year}, {sessions} home sessions added; "
        f"{visits} campaign and other visits added."
    )
