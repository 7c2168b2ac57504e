"""Home visits with their follow-ups, and clinic escorts (slots, bookings, their status changes)."""

import datetime
import uuid
from typing import Any

from django.utils import timezone

from services.models import (
    EscortBooking,
    EscortService,
    EscortSlot,
    EscortStatusChange,
    FollowUp,
    HomeVisit,
    Hospital,
)

from .base import GeneratorBase, Who
from .plan import ESCORT_RATE, VISIT_RATE
from .tables import Table, _at, _day, _stamped

SESSIONS = ((8, 0, 11, 30), (13, 30, 16, 30))  # the clinics' morning and afternoon sessions
SLOT_CAPACITY = 12
FINDINGS = ["生活基本稳定", "家属照护到位", "反映出行不便", "希望参加社区活动", "需要康复指导", ""]
NEEDS = [n for n, _label in FollowUp.Need.choices]


class VisitRecords(GeneratorBase):
    """Home visits and clinic escorts."""

    # Home visits

    def visits(self, cursor: Any) -> None:
        rng = self.rng
        visits = self.table(HomeVisit, reserve=cursor)
        follow_ups = self.table(FollowUp)
        # Cumulative weights, as choices() would add them up on every call.
        modes, mode_weights = ["home", "phone", "in_person", "lost_contact"], [60, 85, 95, 100]
        purposes = ["routine", "needs_assessment", "retrofit_follow_up", "campaign", "other"]
        purpose_weights = [70, 85, 90, 95, 100]
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
                        **who.as_served(),
                        visited_on=day,
                        visitor_id=self.members[who.street_id],
                        mode=rng.choices(modes, cum_weights=mode_weights)[0],
                        purpose=rng.choices(purposes, cum_weights=purpose_weights)[0],
                        findings=rng.choice(FINDINGS),
                        submission_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                    )
                    if rng.random() < 0.2:
                        self._follow_up(follow_ups, pk, who, day)
        self.log(f"  home visits: {visits.count:,}; follow-ups {follow_ups.count:,}")

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
        self.log(f"  escort slots: {slots.count:,}; bookings {bookings.count:,}")

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
            **who.as_served(),
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
