"""Event records: events, their registrations and the awards won at them."""

import datetime
from typing import Any

from django.utils import timezone

from events.models import Award, Event, Registration
from services.registry.sample import ROADS

from .base import GeneratorBase
from .plan import EVENT_WEIGHTS
from .tables import Table, _at, _day, _stamped


class EventRecords(GeneratorBase):
    """Events with their registrations, and awards."""

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
                    # Staff record a past event's outcome: published ones that took place are held.
                    status="cancelled" if cancelled else "held" if published and day <= self.today else "scheduled",
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
        self.log(f"  events: {events.count:,}; registrations {registrations.count:,}")

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
            row: dict[str, Any] = {"source": "registry", "person_id": who.id, **who.as_served()}
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
