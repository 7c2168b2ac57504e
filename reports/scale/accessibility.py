"""Accessibility records: home retrofits with their lines and steps, ramps, sign-language points, devices."""

import datetime
from decimal import Decimal
from typing import Any

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
from services.registry.sample import ROADS

from .base import GeneratorBase
from .plan import DEVICE_RATE, RETROFIT_RATE
from .tables import _at, _day, _stamped


class AccessibilityRecords(GeneratorBase):
    """Home retrofits and the district's community accessibility records."""

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
        # One home, one retrofit: no case for a household with an open or a finished one (two members).
        taken = (*Retrofit.OPEN, *Retrofit.DONE)
        homes = set(Retrofit.objects.filter(status__in=taken).values_list("household_id", flat=True))
        chance = RETROFIT_RATE * self.years
        for who in self.people:
            if who.household_id in homes or rng.random() >= chance:
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
            cases.add(
                id=pk,
                **_stamped(applied),
                person_id=who.id,
                **who.as_served(),
                household_id=who.household_id,
                type=kind,
                **row,
            )
            if row["status"] in taken:
                homes.add(who.household_id)
            old = ""
            for new, day in path:
                steps.add(
                    **_stamped(day, 11), retrofit_id=pk, old=old, new=new, on=day, at=_at(day, 11), by_id=self.staff
                )
                old = new
        self.log(f"  home retrofits: {cases.count:,}; steps {steps.count:,}; lines {lines.count:,}")

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
                **who.as_served(),
                device_type=device,
                serial_number=f"SC{pk:09d}",
                issued_on=day,
                returned_on=back if back < who.end and rng.random() < 0.15 else None,
            )
        self.log(f"  ramps: {ramps.count:,}; sign-language points {points.count:,}; devices {devices.count:,}")
