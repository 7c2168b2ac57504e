"""Employment records: employers, courses and enrolments, graduates, placements and their follow-ups."""

import datetime
from typing import Any

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

from .base import GeneratorBase, Who
from .tables import Table, _day, _stamped

TRADES = [
    ("中式面点师", "面点制作培训"),
    ("电子商务师", "网店运营培训"),
    ("按摩师", "保健按摩培训"),
    ("插花员", "花艺培训"),
]


class EmploymentRecords(GeneratorBase):
    """Employers, training courses, graduates and job placements."""

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
                        **who.as_served(),
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
                    **who.as_served(),
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
            f"  courses: {courses.count:,}; enrolments {enrollments.count:,}; "
            f"placements {placements.count:,}; follow-ups {checks.count:,}"
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
            **who.as_served(),
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
