"""Demo clinic escorts: the 2023 year of the article (3138 completed person-visits) and the weeks ahead."""

import datetime
import random
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from services.escorts import actions as escorts
from services.models import EscortBooking, EscortService, EscortSlot, Hospital, Person, User, Volunteer, VolunteerTeam
from services.registry.selectors import age_on

COMPLETED, NO_SHOWS, CANCELLED = 3138, 120, 150
PLACES_PER_SESSION = 6
TEAMS = [("静安区残联党员先锋队", True), ("华东医院助聋助盲志愿服务队", False), ("市北医院阳光志愿队", False)]
VOLUNTEERS = 60


def _session_times(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 0)))
    return start, start + datetime.timedelta(hours=3, minutes=30)


def _volunteers() -> list[Volunteer]:
    teams = [VolunteerTeam.objects.get_or_create(name=name, defaults={"party_vanguard": p})[0] for name, p in TEAMS]
    group = Group.objects.get(name="volunteer")
    volunteers = []
    for n in range(1, VOLUNTEERS + 1):
        user, created = User.objects.get_or_create(username=f"vol{n:03d}", defaults={"first_name": f"志愿者{n:03d}"})
        if created:
            user.set_unusable_password()
            user.save()
            user.groups.add(group)
        volunteer, _ = Volunteer.objects.get_or_create(
            user=user,
            defaults={
                "team": teams[n % len(teams)],
                "phone": f"136{n:08d}",
                "sign_language": Volunteer.SignLanguage.FLUENT if n % 2 else Volunteer.SignLanguage.NONE,
                "guide_trained": n % 3 != 1,
            },
        )
        volunteers.append(volunteer)
    return volunteers


def _eligible(persons: list[Person], on: datetime.date) -> tuple[list[Person], list[Person]]:
    deaf = [p for p in persons if p.has_category(Person.Category.HEARING) or p.has_category(Person.Category.SPEECH)]
    blind = [
        p for p in persons if p.has_category(Person.Category.VISUAL) and p.grade <= 2 and age_on(p.birth_date, on) >= 70
    ]
    return deaf, blind


def seed_year(*, year: int, requested_by: User) -> int:
    """The year's sessions and bookings: COMPLETED completed, plus no-shows and cancellations. Once."""
    days = [
        datetime.date(year, 1, 1) + datetime.timedelta(days=n)
        for n in range((datetime.date(year, 12, 31) - datetime.date(year, 1, 1)).days + 1)
    ]
    days = [d for d in days if d.weekday() < 5]
    hospitals = list(Hospital.objects.order_by("pk"))
    first_start, _ = _session_times(days[0])
    if EscortSlot.objects.filter(hospital=hospitals[0], starts_at=first_start).exists():
        return 0
    rng = random.Random(year)
    volunteers = _volunteers()
    signers = [v for v in volunteers if v.signs]
    guides = [v for v in volunteers if v.guide_trained]
    persons = list(Person.objects.filter(status=Person.Status.ACTIVE).order_by("pk"))
    deaf, blind = _eligible(persons, datetime.date(year, 1, 1))
    patients = deaf + blind
    rng.shuffle(patients)
    services = {s.code: s for s in EscortService.objects.all()}

    slots = []
    for day in days:
        start, end = _session_times(day)
        slots.extend(
            EscortSlot(hospital=h, starts_at=start, ends_at=end, capacity=PLACES_PER_SESSION) for h in hospitals
        )
    EscortSlot.objects.bulk_create(slots, batch_size=1000)
    slots = list(EscortSlot.objects.filter(starts_at__year=year).order_by("starts_at", "hospital_id"))

    statuses = ["completed"] * COMPLETED + ["no_show"] * NO_SHOWS + ["cancelled"] * CANCELLED
    rng.shuffle(statuses)
    # Spread the bookings evenly: every session gets a place before any gets another.
    places = [(slot, k) for k in range(PLACES_PER_SESSION) for slot in slots][: len(statuses)]
    places.sort(key=lambda pair: (pair[0].starts_at, pair[0].hospital_id, pair[1]))
    bookings, wanted_services = [], []
    deaf_ids = {p.pk for p in deaf}
    turns = {"signs": 0, "guides": 0}
    busy: set[int] = set()
    morning = None

    def next_free(pool: list[Volunteer], skill: str) -> Volunteer:
        # The next volunteer in turn who is not escorting anyone else this morning.
        while True:
            volunteer = pool[turns[skill] % len(pool)]
            turns[skill] += 1
            if volunteer.pk not in busy:
                busy.add(volunteer.pk)
                return volunteer

    # Patients take turns in order, consecutive within a day, so nobody is booked twice on one morning.
    for turn, ((slot, _place), status) in enumerate(zip(places, statuses, strict=True)):
        if slot.starts_at != morning:
            morning, busy = slot.starts_at, set()
        person = patients[turn % len(patients)]
        is_deaf = person.pk in deaf_ids
        volunteer = None
        if status != "cancelled":
            volunteer = next_free(signers, "signs") if is_deaf else next_free(guides, "guides")
        bookings.append(
            EscortBooking(
                person=person,
                street_id=person.street_id,
                slot=slot,
                need=EscortBooking.Need.DEAF if is_deaf else EscortBooking.Need.BLIND,
                volunteer=volunteer,
                status=status,
                minutes=rng.randrange(45, 181) if status == "completed" else None,
                requested_by=requested_by,
            )
        )
        codes = ["registration", "sign_language"] if is_deaf else ["registration", "guiding"]
        if rng.random() < 0.4:
            codes.append("medicine")
        wanted_services.append(codes)
    EscortBooking.objects.bulk_create(bookings, batch_size=1000)
    through = EscortBooking.services.through
    through.objects.bulk_create(
        [
            through(escortbooking_id=b.pk, escortservice_id=services[c].pk)
            for b, codes in zip(bookings, wanted_services, strict=True)
            for c in codes
        ],
        batch_size=2000,
    )
    return len(bookings)


def seed_upcoming(*, requested_by: User, volunteer_user: User) -> None:
    """Sessions on the next ten weekdays, and two escorts for the demo volunteer account."""
    today = timezone.localdate()
    for n in range(1, 15):
        day = today + datetime.timedelta(days=n)
        if day.weekday() >= 5:
            continue
        start, end = _session_times(day)
        for hospital in Hospital.objects.all():
            EscortSlot.objects.get_or_create(
                hospital=hospital, starts_at=start, defaults={"ends_at": end, "capacity": PLACES_PER_SESSION}
            )
    volunteer, _ = Volunteer.objects.get_or_create(
        user=volunteer_user,
        defaults={"phone": "13600000000", "sign_language": Volunteer.SignLanguage.FLUENT, "guide_trained": True},
    )
    if volunteer.bookings.filter(status=EscortBooking.Status.BOOKED).exists():
        return
    deaf, _blind = _eligible(list(Person.objects.filter(status="active", street__code="310106006")[:200]), today)
    slots = list(EscortSlot.objects.filter(starts_at__gt=timezone.now()).order_by("starts_at")[:6:3])
    for person, slot in zip(deaf, slots, strict=False):
        booking = escorts.escort_booking_create(
            person=person,
            slot=slot,
            need=EscortBooking.Need.DEAF,
            services=EscortService.objects.filter(code__in=["registration", "sign_language"]),
            department="耳鼻喉科",
            by=requested_by,
        )
        escorts.escort_booking_assign(booking=booking, volunteer=volunteer, by=requested_by)


def seed(*, year: int, stdout: Any) -> None:
    staff = User.objects.get(username="staff")
    created = seed_year(year=year, requested_by=staff)
    seed_upcoming(requested_by=staff, volunteer_user=User.objects.get(username="volunteer"))
    stdout.write(f"Clinic escorts: {created} bookings added for {year}.")
