"""District-scale data for the benchmarks: valid made-up records of every app, written with COPY.

`generate_scale` fills PostgreSQL with N persons (services.sample, so ID and certificate numbers are
valid) and Y years of their service records, at rates modelled on the 2023 figures of the article
scaled to the registry's size: 200,000 persons and 10 years give about 2 million service records.
Rows go in with PostgreSQL's COPY inside one transaction (a failure writes nothing), with primary
keys reserved under table locks so child rows can point at their parents. simple_history rows are
not written for bulk data: nobody edited these records, and history would double the volume.
"""

import datetime
import io
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accessibility.demo import CONTRACTORS, seed_catalogue
from accessibility.models import (
    DeviceIssue,
    DeviceType,
    RampRetrofit,
    Retrofit,
    RetrofitItem,
    RetrofitLine,
    RetrofitStatusChange,
    RetrofitTypeCap,
    SignLanguagePoint,
)
from employment.models import (
    CertificateLevel,
    Course,
    Employer,
    Enrollment,
    Graduate,
    Placement,
    PlacementFollowUp,
)
from employment.validation import CREDIT_CODE_CHARS, WORKING_AGE, credit_code_check_character
from events.models import Award, Event, Registration
from services import roles
from services.identity import birth_date_of
from services.models import (
    EscortBooking,
    EscortService,
    EscortSlot,
    EscortStatusChange,
    FollowUp,
    HomeVisit,
    Hospital,
    Person,
    Street,
    StreetAssignment,
    User,
    Volunteer,
)
from services.sample import ROADS, sample_persons
from services.selectors import age_on

REFERENCE_PERSONS = 200_000  # the size the per-year counts below are written for
STAMP_PREFIX = "generate_scale "
USER_PREFIX = "scale_"
# Share of the registry per street: the northern streets and Pengpu town are the most populous.
STREET_WEIGHTS = {
    "310106006": 6,
    "310106011": 4,
    "310106012": 4,
    "310106013": 4,
    "310106014": 6,
    "310106015": 4,
    "310106016": 5,
    "310106017": 6,
    "310106018": 9,
    "310106019": 8,
    "310106020": 10,
    "310106021": 8,
    "310106022": 7,
    "310106100": 14,
}
# Records a year at 200,000 persons (the article's 2023 figures for about 40,000, times five).
PER_YEAR = {"courses": 100, "placements": 1600, "graduates": 30, "events": 100, "ramps": 200, "awards": 40}
VISIT_RATE = 0.5  # visits per person and year
ESCORT_RATE = 0.12  # share of deaf, blind and speech-impaired persons escorted in a year (1-3 times)
RETROFIT_RATE = 0.011  # home retrofits per person and year
DEVICE_RATE = 0.0075
SESSIONS = ((8, 0, 11, 30), (13, 30, 16, 30))  # the clinics' morning and afternoon sessions
SLOT_CAPACITY = 12
FINDINGS = ["生活基本稳定", "家属照护到位", "反映出行不便", "希望参加社区活动", "需要康复指导", ""]
NEEDS = [n for n, _label in FollowUp.Need.choices]
EVENT_WEIGHTS = {"culture": 30, "sports": 25, "esports": 5, "prevention": 10, "training": 15, "party_building": 5}
TRADES = [
    ("中式面点师", "面点制作培训"),
    ("电子商务师", "网店运营培训"),
    ("按摩师", "保健按摩培训"),
    ("插花员", "花艺培训"),
]


class ScaleRefused(Exception):
    """The generator will not run: the message says why (translated)."""


@dataclass
class ScaleResult:
    """What a run wrote: rows per table, and seconds spent generating, copying and vacuuming."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def service_records(self) -> int:
        """Every row written except persons and the rows services are given from (sessions, employers, centres)."""
        reference = {"services_person", "services_escortslot", "employment_employer", "services_rehabcentre"}
        return sum(n for table, n in self.rows.items() if table not in reference)


def stamp() -> dict[str, Any] | None:
    """What the last run wrote into this database ({"persons", "years", "seed", ...}), or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [Person._meta.db_table])
        text = cursor.fetchone()[0] or ""
    return json.loads(text[len(STAMP_PREFIX) :]) if text.startswith(STAMP_PREFIX) else None


def check_can_run(*, persons: int, years: int, append: bool, force: bool) -> None:
    """Refuse bad arguments, SQLite, and a registry that already has persons. Raises ScaleRefused."""
    if connection.vendor != "postgresql":
        raise ScaleRefused(_("The scale generator needs PostgreSQL (set DATABASE_URL=postgres://...)."))
    if not 1 <= persons <= 2_000_000:
        raise ScaleRefused(_("Give between 1 and 2,000,000 persons."))
    if not 1 <= years <= 30:
        raise ScaleRefused(_("Give between 1 and 30 years."))
    if append and force:
        raise ScaleRefused(_("Choose either --append or --force, not both."))
    if not (append or force) and Person.objects.exists():
        raise ScaleRefused(
            _(
                "This database already has persons. Use --append to add to them, or --force to empty "
                "the registry and every service record first."
            )
        )


# Writing rows


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)


_REQUIRED = object()


def _default(f: models.Field) -> Any:
    if f.has_default() and not callable(f.default):
        return f.default
    if f.null:
        return None
    if isinstance(f, models.CharField | models.TextField) and f.blank:
        return ""
    return _REQUIRED


class Table:
    """Rows of one table, held as COPY text lines until written. Columns left out take the model's defaults."""

    def __init__(self, model: type[models.Model], *, fields: list[str] | None = None, with_id: bool = False) -> None:
        self.table = model._meta.db_table
        concrete = [
            f
            for f in model._meta.concrete_fields
            if not isinstance(f, models.GeneratedField) and (with_id or not f.primary_key)
        ]
        if fields is not None:
            concrete = [f for f in concrete if f.attname in fields]
        self.fields = [f.attname for f in concrete]
        self.columns = [f.column for f in concrete]
        self.defaults = {f.attname: _default(f) for f in concrete}
        self.lines: list[str] = []
        # Rows are written in the order of their creation time, as years of real use would have left
        # them on disk: a year's records sit together, which is what date-range queries read.
        self.order = next((name for name in ("created_at", "at") if name in self.fields), None)
        self.keys: list[Any] = []
        self.next_id = 0

    def add(self, **row: Any) -> None:
        values = {**self.defaults, **row}
        missing = [name for name, value in values.items() if value is _REQUIRED]
        if missing:
            raise KeyError(f"{self.table}: no value for {', '.join(missing)}")
        self.lines.append("\t".join([_text(values[name]) for name in self.fields]))
        if self.order:
            self.keys.append(str(values[self.order]))

    def reserve(self, cursor: Any) -> None:
        """Lock the table and take the ids after its largest, so rows get their ids before COPY."""
        cursor.execute(f'LOCK TABLE "{self.table}" IN EXCLUSIVE MODE')
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{self.table}"')
        self.next_id = cursor.fetchone()[0] + 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def write(self, cursor: Any) -> int:
        """COPY the rows in; move the id sequence past them. Returns the number of rows."""
        count = len(self.lines)
        if self.keys:
            self.lines = [self.lines[i] for i in sorted(range(count), key=self.keys.__getitem__)]
        columns = ", ".join(f'"{c}"' for c in self.columns)
        for start in range(0, count, 200_000):
            chunk = "\n".join(self.lines[start : start + 200_000]) + "\n"
            cursor.copy_expert(f'COPY "{self.table}" ({columns}) FROM STDIN', io.StringIO(chunk))
        if count and "id" in self.columns:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM \"{self.table}\"))",
                [self.table],
            )
        self.lines, self.keys = [], []
        return count


def _at(day: datetime.date, hour: int = 10, minute: int = 0) -> str:
    """A timestamp in Shanghai time, as COPY reads it."""
    return f"{day.isoformat()} {hour:02d}:{minute:02d}:00+08"


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """A random day from `start` to `end` (both included; `start` when the range is empty)."""
    return start + datetime.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def _stamped(day: datetime.date, hour: int = 10) -> dict[str, str]:
    at = _at(day, hour)
    return {"created_at": at, "updated_at": at}


def _user(username: str, group: Group, *, is_staff: bool = False) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": is_staff, "password": make_password(None)}
    )
    if created:
        user.groups.add(group)
    return user


@dataclass
class Who:
    """One generated person, as the record generators need them."""

    id: int
    street_id: int
    category: int
    born: datetime.date
    start: datetime.date  # the first day a record may carry
    end: datetime.date  # the last: today, or the day the person moved out or died

    def aged_on(self, day: datetime.date, ages: tuple[int, int]) -> bool:
        """In the registry on `day`, and of an age within `ages` (both included) then."""
        return self.start <= day <= self.end and ages[0] <= age_on(self.born, day) <= ages[1]


class Generator:
    """Makes the rows of one run; `run()` writes them all in one transaction."""

    def __init__(
        self, *, persons: int, years: int, seed: int, today: datetime.date, log: Callable[[str], None]
    ) -> None:
        self.count, self.years, self.seed, self.today, self.log = persons, years, seed, today, log
        # Records draw from their own stream, so an appended run does not repeat the first one's keys.
        self.rng = random.Random(seed * 1_000_003 + Person.objects.count())
        self.first_day = datetime.date(today.year - years + 1, 1, 1)
        self.scale = persons / REFERENCE_PERSONS
        self.result = ScaleResult()
        self.tables: dict[str, Table] = {}
        self.people: list[Who] = []

    def table(self, model: type[models.Model], *, reserve: Any = None, **kwargs: Any) -> Table:
        table = Table(model, with_id=reserve is not None, **kwargs)
        if reserve is not None:
            table.reserve(reserve)
        self.tables[table.table] = table
        return table

    def per_year(self, key: str) -> int:
        return max(1, round(PER_YEAR[key] * self.scale))

    def years_covered(self) -> list[tuple[int, datetime.date, datetime.date]]:
        """(year, first day, last day) of every year of the run, the current one up to today."""
        return [
            (year, datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), self.today))
            for year in range(self.first_day.year, self.today.year + 1)
        ]

    def run(self) -> ScaleResult:
        """Generate and COPY everything in one transaction; rows and timings in the result."""
        started = time.perf_counter()
        steps = (self.persons, self.visits, self.escorts, self.retrofits, self.community, self.employment, self.events)
        with transaction.atomic(), connection.cursor() as cursor:
            self.users()
            for step in steps:
                step(cursor)
            for step in extra_steps():
                step(self, cursor)
            self.result.seconds["generate"] = time.perf_counter() - started
            copied = time.perf_counter()
            for name, table in self.tables.items():
                self.result.rows[name] = self.result.rows.get(name, 0) + table.write(cursor)
            self.write_stamp(cursor)
            self.result.seconds["copy"] = time.perf_counter() - copied
            committing = time.perf_counter()
        self.result.seconds["commit (constraint checks)"] = time.perf_counter() - committing
        return self.result

    def write_stamp(self, cursor: Any) -> None:
        previous = stamp() or {}
        text = json.dumps(
            {
                "persons": Person.objects.count(),
                "years": max(self.years, previous.get("years", 0)),
                "seed": self.seed,
                "first_year": self.first_day.year,
                "today": self.today.isoformat(),
                "runs": previous.get("runs", 0) + 1,
            }
        )
        cursor.execute(f'COMMENT ON TABLE "{Person._meta.db_table}" IS %s', [STAMP_PREFIX + text])

    # Accounts

    def users(self) -> None:
        """A staff member, a committee member per street and the volunteers, reused by later runs."""
        groups = {g.name: g for g in Group.objects.filter(name__in=roles.LABELS)}
        self.staff = _user(f"{USER_PREFIX}staff", groups[roles.STAFF], is_staff=True).pk
        self.streets = dict(Street.objects.values_list("code", "pk"))
        self.members: dict[int, int] = {}
        for code, pk in self.streets.items():
            member = _user(f"{USER_PREFIX}member_{code}", groups[roles.COMMITTEE_MEMBER])
            StreetAssignment.objects.get_or_create(user=member, street_id=pk)
            self.members[pk] = member.pk
        wanted = max(30, round(200 * self.scale))
        have = list(Volunteer.objects.filter(user__username__startswith=f"{USER_PREFIX}volunteer_"))
        for n in range(len(have), wanted):
            user = _user(f"{USER_PREFIX}volunteer_{n:05d}", groups[roles.VOLUNTEER])
            sign = Volunteer.SignLanguage.FLUENT if n % 3 == 0 else Volunteer.SignLanguage.NONE
            have.append(
                Volunteer.objects.create(user=user, phone=f"137{n:08d}", sign_language=sign, guide_trained=n % 3 == 1)
            )
        self.signers = [v.pk for v in have if v.signs]
        self.volunteers = [v.pk for v in have]

    # The registry and home visits

    def persons(self, cursor: Any) -> None:
        table = self.table(Person, reserve=cursor)
        existing = set(Person.objects.values_list("id_number", flat=True))
        weighted = [pk for code, pk in sorted(self.streets.items()) for _n in range(STREET_WEIGHTS.get(code, 5))]
        made = sample_persons(self.count + len(existing), street_ids=weighted, seed=self.seed, today=self.today)
        made_count = 0
        for person in made:
            if person.id_number in existing:
                continue
            person.id = table.new_id()
            row = {name: getattr(person, name) for name in table.fields}
            table.add(**{**row, **_stamped(person.consent_given_on)})
            born = birth_date_of(person.id_number)
            end = person.status_changed_on or self.today
            made_count += 1
            who = Who(person.id, person.street_id, person.category, born, max(self.first_day, born), end)
            if who.start <= who.end:  # else the person moved out or died before the years generated
                self.people.append(who)
            if made_count == self.count:
                break
        self.log(f"  persons: {made_count:,} ({len(self.people):,} with records in the years generated)")

    def visits(self, cursor: Any) -> None:
        rng = self.rng
        visits = self.table(HomeVisit, reserve=cursor)
        follow_ups = self.table(FollowUp)
        modes, mode_weights = ["home", "phone", "in_person", "lost_contact"], [60, 25, 10, 5]
        purposes = ["routine", "needs_assessment", "retrofit_follow_up", "campaign", "other"]
        purpose_weights = [70, 15, 5, 5, 5]
        for who in self.people:
            for year in range(who.start.year, who.end.year + 1):
                for _n in range((rng.random() < VISIT_RATE) + (rng.random() < 0.05)):
                    day = _day(
                        rng, max(who.start, datetime.date(year, 1, 1)), min(who.end, datetime.date(year, 12, 31))
                    )
                    pk = visits.new_id()
                    visits.add(
                        id=pk,
                        **_stamped(day, 9 + pk % 8),
                        person_id=who.id,
                        street_id=who.street_id,
                        visited_on=day,
                        visitor_id=self.members[who.street_id],
                        mode=rng.choices(modes, mode_weights)[0],
                        purpose=rng.choices(purposes, purpose_weights)[0],
                        findings=rng.choice(FINDINGS),
                        submission_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                    )
                    if rng.random() < 0.2:
                        self._follow_up(follow_ups, pk, who, day)
        self.log(f"  home visits: {len(visits.lines):,}; follow-ups {len(follow_ups.lines):,}")

    def _follow_up(self, follow_ups: Table, visit: int, who: Who, day: datetime.date) -> None:
        due = day + datetime.timedelta(days=30)
        closed = due < self.today - datetime.timedelta(days=60) or (due < self.today and self.rng.random() < 0.5)
        closed_on = min(due + datetime.timedelta(days=self.rng.randrange(-20, 20)), self.today)
        follow_ups.add(
            **_stamped(day),
            visit_id=visit,
            person_id=who.id,
            street_id=who.street_id,
            need=self.rng.choice(NEEDS),
            due_on=due,
            status="closed" if closed else "open",
            outcome="已转相关部门办结" if closed else "",
            closed_at=_at(max(closed_on, day), 15) if closed else None,
            closed_by_id=self.staff if closed else None,
        )

    # Clinic escorts

    def escorts(self, cursor: Any) -> None:
        slots = self.table(EscortSlot, reserve=cursor)
        bookings = self.table(EscortBooking, reserve=cursor)
        self.escort_changes = self.table(EscortStatusChange)
        self.asked = self.table(EscortBooking.services.through, fields=["escortbooking_id", "escortservice_id"])
        self.services = dict(EscortService.objects.values_list("code", "pk"))
        zone = timezone.get_default_timezone()
        taken = set(EscortSlot.objects.values_list("hospital_id", "starts_at"))
        by_year: dict[int, list[list[Any]]] = {}
        for hospital in Hospital.objects.filter(active=True).values_list("pk", flat=True):
            day = self.first_day
            while day <= self.today + datetime.timedelta(days=28):
                for h1, m1, h2, m2 in SESSIONS if day.weekday() < 5 else ():
                    starts = datetime.datetime(day.year, day.month, day.day, h1, m1, tzinfo=zone)
                    if (hospital, starts) in taken:
                        continue
                    pk = slots.new_id()
                    ends = datetime.datetime(day.year, day.month, day.day, h2, m2, tzinfo=zone)
                    slots.add(
                        id=pk,
                        **_stamped(day - datetime.timedelta(days=30)),
                        hospital_id=hospital,
                        starts_at=starts.isoformat(),
                        ends_at=ends.isoformat(),
                        capacity=SLOT_CAPACITY,
                    )
                    by_year.setdefault(day.year, []).append([pk, day, set()])
                day += datetime.timedelta(days=1)
        for who in self.people:
            if who.category not in (1, 2, 3):
                continue
            for year in range(who.start.year, who.end.year + 1):
                if self.rng.random() < ESCORT_RATE:
                    for _n in range(self.rng.randint(1, 3)):
                        slot = self._free_slot(by_year.get(year, []), who)
                        if slot is not None:
                            self._booking(bookings, slot, who)
        self.log(f"  escort slots: {len(slots.lines):,}; bookings {len(bookings.lines):,}")

    def _free_slot(self, year_slots: list[list[Any]], who: Who) -> list[Any] | None:
        for _try in range(8):
            slot = self.rng.choice(year_slots) if year_slots else None
            if slot is not None and who.start <= slot[1] <= who.end and len(slot[2]) < SLOT_CAPACITY:
                return slot
        return None

    def _booking(self, bookings: Table, slot: list[Any], who: Who) -> None:
        rng = self.rng
        slot_id, day, there = slot
        need = "blind" if who.category == 1 else "deaf"
        pk = bookings.new_id()
        booked_on = day - datetime.timedelta(days=rng.randint(2, 20))
        past = day < self.today
        status = rng.choices(["completed", "cancelled", "no_show"], [85, 7, 8])[0] if past else "booked"
        volunteer = None
        if status != "cancelled":
            pool = self.signers if need == "deaf" else self.volunteers
            free = [v for v in rng.sample(pool, min(len(pool), SLOT_CAPACITY + 3)) if v not in there]
            volunteer = free[0] if free else None
            status = "cancelled" if volunteer is None and past else status
        there.add(volunteer if volunteer is not None else -pk)
        requested_by = self.members[who.street_id]
        bookings.add(
            id=pk,
            created_at=_at(booked_on),
            updated_at=_at(day, 16),
            person_id=who.id,
            street_id=who.street_id,
            slot_id=slot_id,
            need=need,
            volunteer_id=volunteer,
            status=status,
            minutes=rng.randrange(60, 241, 15) if status == "completed" else None,
            requested_by_id=requested_by,
            reminded_at=_at(day - datetime.timedelta(days=1), 18) if past and status != "cancelled" else None,
        )
        self.escort_changes.add(booking_id=pk, old="", new="booked", by_id=requested_by, at=_at(booked_on))
        if status != "booked":
            self.escort_changes.add(booking_id=pk, old="booked", new=status, by_id=self.staff, at=_at(day, 16))
        self.asked.add(escortbooking_id=pk, escortservice_id=self.services["registration"])
        self.asked.add(
            escortbooking_id=pk, escortservice_id=self.services["sign_language" if need == "deaf" else "guiding"]
        )
        if rng.random() < 0.3:
            self.asked.add(escortbooking_id=pk, escortservice_id=self.services["medicine"])

    # Accessibility

    def retrofits(self, cursor: Any) -> None:
        rng = self.rng
        seed_catalogue()
        items = list(
            RetrofitItem.objects.filter(active=True).values_list(
                "pk", "allowed_standard", "allowed_basic", "reference_cost"
            )
        )
        caps = dict(RetrofitTypeCap.objects.values_list("type", "cap"))
        cases = self.table(Retrofit, reserve=cursor)
        lines = self.table(RetrofitLine)
        steps = self.table(RetrofitStatusChange)
        open_cases = set(Retrofit.objects.filter(status__in=Retrofit.OPEN).values_list("person_id", flat=True))
        chance = RETROFIT_RATE * self.years
        for who in self.people:
            if who.id in open_cases or rng.random() >= chance:
                continue
            kind = "standard" if rng.random() < 0.47 else "basic"
            applied = _day(rng, who.start, who.end)
            pk = cases.new_id()
            allowed = [i for i in items if (i[1] if kind == "standard" else i[2])]
            chosen = rng.sample(allowed, min(len(allowed), rng.randint(2, 4)))
            total = Decimal(0)
            for item, _std, _basic, cost in chosen:
                quantity = rng.randint(1, 2)
                if total + cost * quantity > caps[kind]:
                    continue
                total += cost * quantity
                lines.add(**_stamped(applied), retrofit_id=pk, item_id=item, quantity=quantity, unit_cost=cost)
            row, path = self._retrofit_path(kind, applied, who.end, total)
            cases.add(id=pk, **_stamped(applied), person_id=who.id, street_id=who.street_id, type=kind, **row)
            old = ""
            for new, day in path:
                steps.add(
                    **_stamped(day, 11), retrofit_id=pk, old=old, new=new, on=day, at=_at(day, 11), by_id=self.staff
                )
                old = new
        self.log(f"  home retrofits: {len(cases.lines):,}; steps {len(steps.lines):,}; lines {len(lines.lines):,}")

    def _retrofit_path(
        self, kind: str, applied: datetime.date, end: datetime.date, total: Decimal
    ) -> tuple[dict[str, Any], list[tuple[str, datetime.date]]]:
        """The fields of a case that went as far as today allows, and its steps (status, date)."""
        rng = self.rng
        row: dict[str, Any] = {"applied_on": applied, "status": "applied"}
        path = [("applied", applied)]
        day = applied
        fate = rng.random()
        plan = [
            ("assessed", 7, 30),
            ("approved", 7, 30),
            ("in_works", 7, 40),
            ("accepted", 15, 60),
            ("followed_up", 90, 120),
        ]
        for n, (status, low, high) in enumerate(plan):
            day = day + datetime.timedelta(days=rng.randint(low, high))
            if (fate < 0.06 and n == 1) or (fate > 0.97 and n == 2):
                closing = "rejected" if fate < 0.06 else "withdrawn"
                if day <= min(self.today, end):
                    row.update(
                        status=closing,
                        closed_on=day,
                        closing_reason="经评估不符合条件" if fate < 0.06 else "家庭撤回申请",
                    )
                    path.append((closing, day))
                break
            if day > min(self.today, end):
                break
            row["status"] = status
            path.append((status, day))
            if status == "assessed":
                row.update(assessed_on=day, assessment_note="入户评估完成，建议按清单改造")
            elif status == "approved":
                row.update(approved_on=day, approved_total=total, contractor=rng.choice(CONTRACTORS))
            elif status == "in_works":
                row.update(works_started_on=day)
            elif status == "accepted":
                row.update(
                    accepted_on=day,
                    accepted_by_id=self.staff,
                    household_signatory="户主",
                    contractor_signatory="项目经理",
                )
            else:
                row.update(followed_up_on=day, follow_up_note="设施使用正常")
        return row, path

    def community(self, cursor: Any) -> None:
        """Ramps, sign-language points (district-wide records) and devices issued to persons."""
        rng = self.rng
        ramps = self.table(RampRetrofit, reserve=cursor)
        codes = sorted(self.streets)
        for _year, first, last in self.years_covered():
            chosen = rng.sample(codes, 5)
            for _n in range(self.per_year("ramps")):
                pk = ramps.new_id()
                street = rng.choice(chosen)
                day = _day(rng, first, last)
                ramps.add(
                    id=pk,
                    **_stamped(day),
                    street_id=self.streets[street],
                    compound=f"{rng.choice(ROADS)}{pk // 8}弄小区",
                    passage=f"{pk % 8 + 1}号楼入口 #{pk}",
                    completed_on=day,
                )
        points = self.table(SignLanguagePoint, reserve=cursor)
        kinds = [k for k, _label in SignLanguagePoint.Kind.choices]
        for _n in range(max(5, round(36 * self.scale**0.5))):
            pk = points.new_id()
            start = _day(rng, self.first_day, self.today)
            points.add(
                id=pk,
                **_stamped(start),
                venue=f"手语视频服务点 {pk}",
                kind=rng.choice(kinds),
                street_id=rng.choice(list(self.streets.values())),
                in_service_from=start,
                in_service_to=start + datetime.timedelta(days=900) if rng.random() < 0.1 else None,
            )
        devices = self.table(DeviceIssue, reserve=cursor)
        by_category = {
            1: DeviceType.MAGNIFIER,
            2: DeviceType.HEARING_AID,
            4: DeviceType.WHEELCHAIR,
            5: DeviceType.SMART_WRISTBAND,
        }
        unreturned = set(DeviceIssue.objects.filter(returned_on__isnull=True).values_list("person_id", "device_type"))
        chance = DEVICE_RATE * self.years
        for who in self.people:
            device = by_category.get(who.category, DeviceType.OTHER)
            if rng.random() >= chance or (who.id, device) in unreturned:
                continue
            pk = devices.new_id()
            day = _day(rng, who.start, who.end)
            back = day + datetime.timedelta(days=rng.randint(30, 900))
            devices.add(
                id=pk,
                **_stamped(day),
                person_id=who.id,
                street_id=who.street_id,
                device_type=device,
                serial_number=f"SC{pk:09d}",
                issued_on=day,
                returned_on=back if back < who.end and rng.random() < 0.15 else None,
            )
        self.log(
            f"  ramps: {len(ramps.lines):,}; sign-language points {len(points.lines):,}; devices {len(devices.lines):,}"
        )

    # Employment

    def employment(self, cursor: Any) -> None:
        rng = self.rng
        employers = self.table(Employer, reserve=cursor)
        codes = set(Employer.objects.values_list("credit_code", flat=True))
        employer_ids = []
        while len(employer_ids) < max(20, round(2000 * self.scale)):
            first17 = "91310106" + "".join(rng.choice(CREDIT_CODE_CHARS) for _n in range(9))
            code = first17 + credit_code_check_character(first17)
            if code in codes:
                continue
            codes.add(code)
            pk = employers.new_id()
            employer_ids.append(pk)
            employers.add(
                id=pk,
                **_stamped(self.first_day),
                name=f"上海静安企业{pk}号有限公司",
                credit_code=code,
                contact_name="人事部",
                contact_phone=f"021{pk % 10**8:08d}",
            )
        courses = self.table(Course, reserve=cursor)
        enrollments = self.table(Enrollment, reserve=cursor)
        placements = self.table(Placement, reserve=cursor)
        checks = self.table(PlacementFollowUp)
        graduates = self.table(Graduate)
        self.placed: set[tuple[int, int, datetime.date]] = set()
        levels = [c for c, _label in CertificateLevel.choices]
        for year, first, last in self.years_covered():
            for _n in range(self.per_year("courses")):
                pk = courses.new_id()
                trade, title = rng.choice(TRADES)
                starts = _day(rng, first, last)
                ends = starts + datetime.timedelta(days=rng.randint(10, 60))
                capacity = rng.randint(12, 30)
                courses.add(
                    id=pk,
                    **_stamped(starts),
                    title=f"{title}（{pk}期）",
                    trade=trade,
                    provider="静安区职业技能培训中心",
                    starts_on=starts,
                    ends_on=ends,
                    capacity=capacity,
                    place="静安区残疾人就业服务中心",
                )
                for who in self._working_age(starts, rng.randint(capacity // 2, capacity)):
                    status = (
                        "enrolled" if ends >= self.today else rng.choices(["completed", "dropped_out"], [88, 12])[0]
                    )
                    issued = ends + datetime.timedelta(days=rng.randint(20, 80))
                    certified = status == "completed" and issued < self.today and rng.random() < 0.12
                    eid = enrollments.new_id()
                    enrollments.add(
                        id=eid,
                        **_stamped(starts),
                        person_id=who.id,
                        street_id=who.street_id,
                        course_id=pk,
                        status=status,
                        certificate_level=rng.choice(levels[:3]) if certified else "",
                        certificate_number=f"ZJ{eid:010d}" if certified else "",
                        certificate_issuer="上海市职业技能鉴定中心" if certified else "",
                        certificate_issued_on=issued if certified else None,
                    )
            graduated = set()
            for who in self._working_age(datetime.date(year, 7, 1), self.per_year("graduates"), ages=(21, 25)):
                graduates.add(
                    **_stamped(datetime.date(year, 7, 1)),
                    person_id=who.id,
                    street_id=who.street_id,
                    graduation_year=year,
                    school="上海大学",
                    major="计算机科学",
                )
                graduated.add(who.id)
                if rng.random() < 0.9 and datetime.date(year, 8, 1) <= self.today:
                    self._placement(
                        placements,
                        checks,
                        who,
                        _day(rng, datetime.date(year, 8, 1), last),
                        rng.choice(employer_ids),
                        year,
                    )
            for _n in range(self.per_year("placements")):
                start = _day(rng, first, last)
                for who in self._working_age(start, 1):
                    self._placement(placements, checks, who, start, rng.choice(employer_ids), None)
        self.log(
            f"  courses: {len(courses.lines):,}; enrolments {len(enrollments.lines):,}; "
            f"placements {len(placements.lines):,}; follow-ups {len(checks.lines):,}"
        )

    def _working_age(self, day: datetime.date, count: int, *, ages: tuple[int, int] = WORKING_AGE) -> list[Who]:
        """Up to `count` distinct persons of `ages` on `day`, in the registry then."""
        chosen: dict[int, Who] = {}
        for _try in range(count * 20):
            who = self.rng.choice(self.people)
            if who.aged_on(day, ages):
                chosen[who.id] = who
                if len(chosen) == count:
                    break
        return list(chosen.values())

    def _placement(
        self, placements: Table, checks: Table, who: Who, start: datetime.date, employer: int, graduate: int | None
    ) -> None:
        rng = self.rng
        if (who.id, employer, start) in self.placed:
            return
        self.placed.add((who.id, employer, start))
        pk = placements.new_id()
        ended = start + datetime.timedelta(days=rng.randint(60, 1500))
        ends = ended < self.today and rng.random() < 0.3
        placements.add(
            id=pk,
            **_stamped(start),
            person_id=who.id,
            street_id=who.street_id,
            employer_id=employer,
            job_title=rng.choice(["客服专员", "文员", "面点师", "按摩师", "网店运营"]),
            started_on=start,
            contract_type=rng.choice(["fixed_term", "open_ended", "part_time", "supported"]),
            recommended=graduate is not None or rng.random() < 0.9,
            new_graduate=graduate is not None,
            graduation_year=graduate,
            ended_on=ended if ends else None,
            end_reason=rng.choice(["contract_ended", "resigned", "health"]) if ends else "",
        )
        for months in (1, 3, 6, 12):
            due = start + datetime.timedelta(days=30 * months)
            recorded = due < self.today and rng.random() < 0.9
            checks.add(
                **_stamped(start),
                placement_id=pk,
                months=months,
                due_on=due,
                recorded_on=due if recorded else None,
                still_employed=(not ends or due < ended) if recorded else None,
                recorded_by_id=self.staff if recorded else None,
            )

    # Events

    def events(self, cursor: Any) -> None:
        rng = self.rng
        events = self.table(Event, reserve=cursor)
        registrations = self.table(Registration)
        awards = self.table(Award)
        zone = timezone.get_default_timezone()
        categories, weights = zip(*EVENT_WEIGHTS.items(), strict=True)
        for _year, first, last in self.years_covered():
            held: list[tuple[int, datetime.date]] = []
            for n in range(self.per_year("events")):
                pk = events.new_id()
                # The first of each year is a culture event already held, so every year has participants.
                day = _day(
                    rng,
                    first,
                    max(first, last - datetime.timedelta(days=7)) if n == 0 else last + datetime.timedelta(days=60),
                )
                starts = datetime.datetime(day.year, day.month, day.day, rng.choice([9, 10, 14]), tzinfo=zone)
                cancelled = n > 0 and rng.random() < 0.03
                published = n == 0 or cancelled or rng.random() < 0.95
                capacity = rng.choice([30, 60, 100, 150])
                events.add(
                    id=pk,
                    **_stamped(day - datetime.timedelta(days=30)),
                    title=f"静安区残疾人{rng.choice(['文化', '体育', '健康'])}活动 第{pk}场",
                    slug=f"scale-event-{pk}",
                    category=rng.choices(categories, weights)[0] if n else "culture",
                    summary="欢迎残疾朋友和家属参加，现场提供无障碍服务。",
                    description="活动**介绍**。",
                    starts_at=starts.isoformat(),
                    ends_at=(starts + datetime.timedelta(hours=2)).isoformat(),
                    venue="静安区文化馆",
                    address="静安区乌鲁木齐北路459号",
                    step_free=True,
                    accessible_toilet=rng.random() < 0.7,
                    sign_language=rng.random() < 0.4,
                    captions=rng.random() < 0.3,
                    capacity=capacity,
                    is_published=published,
                    status="cancelled" if cancelled else "scheduled",
                    cancelled_at=_at(day - datetime.timedelta(days=3)) if cancelled else None,
                )
                if published:
                    self._registrations(registrations, pk, day, capacity, cancelled)
                if published and not cancelled and day <= self.today:
                    held.append((pk, day))
            for pk, day in rng.sample(held, min(len(held), self.per_year("awards"))):
                awards.add(
                    **_stamped(day),
                    competition=f"静安区残疾人运动会 第{pk}场",
                    event_id=pk,
                    awarded_on=day,
                    kind="team",
                    team_name=f"{rng.choice(ROADS)}代表队",
                    place=rng.choice(["first", "second", "third"]),
                )
        self.log(f"  events: {len(events.lines):,}; registrations {len(registrations.lines):,}")

    def _registrations(
        self, registrations: Table, event: int, day: datetime.date, capacity: int, cancelled: bool
    ) -> None:
        rng = self.rng
        held = day < self.today and not cancelled
        seen: set[int] = set()
        for k in range(rng.randint(capacity // 3, capacity)):
            who = rng.choice(self.people)
            registry = who.start <= day <= who.end and who.id not in seen and rng.random() < 0.7
            status = rng.choices(["confirmed", "waitlisted", "cancelled"], [88, 4, 8])[0]
            attendance = (
                ("attended" if rng.random() < 0.85 else "absent") if held and status == "confirmed" else "pending"
            )
            row: dict[str, Any] = {"source": "registry", "person_id": who.id, "street_id": who.street_id}
            if registry:
                seen.add(who.id)
            else:
                row = {"source": "public", "name": "参加者", "phone": f"139{event % 10**5:05d}{k:03d}"}
            when = day - datetime.timedelta(days=rng.randint(1, 25))
            registrations.add(
                **_stamped(when),
                event_id=event,
                **row,
                status=status,
                attendance=attendance,
                attendance_recorded_at=_at(day, 17) if attendance != "pending" else None,
                attendance_recorded_by_id=self.staff if attendance != "pending" else None,
                registered_by_id=self.members[who.street_id] if registry else None,
                consented_at=_at(when),
                cancelled_at=_at(when + datetime.timedelta(days=1)) if status == "cancelled" else None,
            )


def _model(name: str) -> type[models.Model] | None:
    try:
        return apps.get_model(name)
    except LookupError:
        return None


def rehabilitation(gen: Generator, cursor: Any) -> None:
    """Rehabilitation centres, family-doctor contracts and home sessions (services)."""
    rng = gen.rng
    centre_model = _model("services.RehabCentre")
    contract_model = _model("services.FamilyDoctorContract")
    session_model = _model("services.HomeRehabSession")
    if not (centre_model and contract_model and session_model):
        return
    centres: dict[int, list[int]] = {}
    for street in sorted(gen.streets.values()):
        for n in (1, 2):
            centre, created = centre_model.objects.get_or_create(
                name=f"{Street.objects.get(pk=street).name_zh}第{n}社区卫生服务中心（规模测试）",
                defaults={
                    "street_id": street,
                    "address": f"{rng.choice(ROADS)}{rng.randrange(1, 900)}号",
                    "opening_hours": "周一至周五 8:00-16:30",
                    "offers_home_rehabilitation": True,
                    "step_free": True,
                    "certification": "certified" if n == 1 else "none",
                    "applied_on": gen.first_day if n == 1 else None,
                    "accepted_on": gen.first_day + datetime.timedelta(days=90) if n == 1 else None,
                },
            )
            centres.setdefault(street, []).append(centre.pk)
            gen.result.rows[centre_model._meta.db_table] = gen.result.rows.get(centre_model._meta.db_table, 0) + created
    running = set(contract_model.objects.filter(ended_on__isnull=True).values_list("person_id", flat=True))
    contracts = gen.table(contract_model, reserve=cursor)
    sessions = gen.table(session_model)
    kinds = ["assessment", "training", "training", "device_fitting", "family_guidance"]
    for who in gen.people:
        if who.id in running or rng.random() >= 0.15:
            continue
        signed = _day(rng, who.start, who.end)
        centre = rng.choice(centres[who.street_id])
        pk = contracts.new_id()
        ended = who.end if who.end < gen.today else None
        contracts.add(
            id=pk,
            **_stamped(signed),
            person_id=who.id,
            street_id=who.street_id,
            centre_id=centre,
            doctor=f"家庭医生团队{pk % 40 + 1}",
            signed_on=signed,
            ended_on=ended,
        )
        for year in range(signed.year, who.end.year + 1):
            if rng.random() < 0.3:
                for _n in range(rng.randint(1, 4)):
                    day = _day(rng, max(signed, datetime.date(year, 1, 1)), min(who.end, datetime.date(year, 12, 31)))
                    sessions.add(
                        **_stamped(day),
                        person_id=who.id,
                        street_id=who.street_id,
                        centre_id=centre,
                        contract_id=pk,
                        given_on=day,
                        kind=rng.choice(kinds),
                        minutes=rng.randrange(30, 121, 15),
                        given_by=f"康复治疗师{pk % 25 + 1}",
                    )
    gen.log(f"  rehabilitation: contracts {len(contracts.lines):,}; home sessions {len(sessions.lines):,}")


def prevention(gen: Generator, cursor: Any) -> None:
    """Prevention videos and articles, and quiz campaigns (events)."""
    rng = gen.rng
    material_model = _model("events.PreventionMaterial")
    quiz_model = _model("events.QuizCampaign")
    if not (material_model and quiz_model):
        return
    materials = gen.table(material_model, reserve=cursor)
    quizzes = gen.table(quiz_model)
    for year, first, last in gen.years_covered():
        for n in range(max(2, round(60 * gen.scale))):
            pk = materials.new_id()
            video = n % 3 != 2
            day = _day(rng, first, last)
            materials.add(
                id=pk,
                **_stamped(day),
                kind="video" if video else "article",
                title=f"残疾预防知识 第{pk}期",
                url=f"https://mp.weixin.qq.com/s/jingan-prevention-{pk}",
                published_on=day,
                captioned=video and rng.random() < 0.8,
                signed=video and rng.random() < 0.4,
            )
        starts = _day(rng, first, max(first, last - datetime.timedelta(days=30)))
        ends = min(starts + datetime.timedelta(days=30), last)
        participants = rng.randint(300, 3000)
        quizzes.add(
            **_stamped(starts),
            title=f"{year}年残疾预防知识竞赛",
            starts_on=starts,
            ends_on=ends,
            participants=participants,
            prize_winners=participants // 20,
        )
    gen.log(f"  prevention materials: {len(materials.lines):,}; quiz campaigns {len(quizzes.lines):,}")


def extra_steps() -> list[Callable[[Generator, Any], None]]:
    """Generators of the rehabilitation and prevention records; each does nothing if its models are missing."""
    return [rehabilitation, prevention]


def vacuum_analyze(tables: Iterable[str]) -> None:
    """VACUUM (ANALYZE) the tables written, as autovacuum eventually would (outside any transaction)."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')


def truncate_all() -> None:
    """Empty the registry and every table that refers to it (for --force), keeping users and reference data."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses tables with checks pending
        cursor.execute(
            f'TRUNCATE "{Person._meta.db_table}", "{Event._meta.db_table}", "{Employer._meta.db_table}", '
            f'"{Course._meta.db_table}", "{RampRetrofit._meta.db_table}", "{SignLanguagePoint._meta.db_table}", '
            f'"{EscortSlot._meta.db_table}" CASCADE'
        )
        cursor.execute(f'COMMENT ON TABLE "{Person._meta.db_table}" IS NULL')


def generate_scale(
    *,
    persons: int,
    years: int,
    seed: int = 2023,
    append: bool = False,
    force: bool = False,
    today: datetime.date | None = None,
    vacuum: bool = True,
    log: Callable[[str], None] = lambda _line: None,
) -> ScaleResult:
    """Fill the database with `persons` new persons and `years` years of their records. Raises ScaleRefused."""
    check_can_run(persons=persons, years=years, append=append, force=force)
    if force:
        started = time.perf_counter()
        truncate_all()
        log(f"  emptied the registry and its records in {time.perf_counter() - started:.1f} s")
    generator = Generator(persons=persons, years=years, seed=seed, today=today or timezone.localdate(), log=log)
    result = generator.run()
    if vacuum:
        started = time.perf_counter()
        vacuum_analyze(result.rows)
        result.seconds["vacuum analyze"] = time.perf_counter() - started
    return result
