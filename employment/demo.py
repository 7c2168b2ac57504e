"""Demo training, certificates, employers, placements and referrals: the article's 2023 figures, and records
that must not count (other years, unfinished or dropped courses, jobs found without the federation).

Deterministic (a fixed random seed over the registry in ID-number order) and idempotent: every record is
looked up by its natural key first, so running seed_demo again adds nothing.
"""

import datetime
import random
from typing import Any

from django.utils import timezone

from services.models import FollowUp, Person, User
from services.registry.selectors import age_on

from . import actions
from .models import CertificateLevel, Course, Employer, Enrollment, Graduate, Placement, PlacementFollowUp, Referral
from .validation import CREDIT_CODE_CHARS, WORKING_AGE, credit_code_check_character

# The article's figures for the demo year.
TRAINED = 204
CERTIFIED = 23
PLACED = 325
GRADUATES = 6
# Records that must not count.
DOUBLE_COMPLETERS = 5  # complete a second course the same year: still one person trained
DROPPED_OUT = 26
NOT_RECOMMENDED = 30
PLACED_YEAR_BEFORE = 20
PLACED_YEAR_AFTER = 15
REFERRALS_PER_MEMBER = 4

PROVIDER = "静安区残疾人职业技能培训中心"
BLIND_SCHOOL = "上海市盲人按摩职业培训学校"
PLACE = "静安区残疾人就业服务中心（共和新路）"
# title, trade, provider, (month, day) first, (month, day) last, places
COURSES = [
    ("中式面点制作", "中式面点师", PROVIDER, (3, 6), (4, 28), 30),
    ("盲人医疗按摩", "保健按摩师", BLIND_SCHOOL, (3, 13), (6, 30), 30),
    ("电子商务运营", "电子商务师", PROVIDER, (4, 10), (6, 16), 30),
    ("咖啡制作", "咖啡师", "阳光职业康复中心", (5, 8), (6, 30), 30),
    ("计算机操作", "计算机操作员", PROVIDER, (6, 5), (7, 28), 30),
    ("手工编织", "手工编织工", "阳光职业康复中心", (7, 3), (8, 25), 30),
    ("插花与花艺", "插花花艺师", PROVIDER, (8, 7), (9, 22), 30),
    ("西式面点制作", "西式面点师", PROVIDER, (9, 4), (10, 27), 30),
    ("电话客户服务", "呼叫中心服务员", PROVIDER, (10, 9), (11, 24), 30),
]
ISSUERS = ["上海市职业技能鉴定中心", "静安区职业技能鉴定所"]
EMPLOYERS = [
    ("上海静安城市服务有限公司", "保洁员", "静安区"),
    ("上海大宁商业管理有限公司", "客服专员", "静安区"),
    ("上海北站物流有限公司", "仓库理货员", "静安区"),
    ("上海南京西路餐饮管理有限公司", "面点师", "静安区"),
    ("上海彭浦机械制造有限公司", "装配工", "静安区"),
    ("上海芷江西路社区服务中心", "社区助理", "静安区"),
    ("上海临汾路超市有限公司", "理货员", "静安区"),
    ("上海静安寺文化传播有限公司", "文员", "静安区"),
    ("上海天目西路酒店管理有限公司", "洗衣房员工", "静安区"),
    ("上海共和新路汽车服务有限公司", "洗车工", "静安区"),
    ("上海曹家渡印刷有限公司", "装订工", "静安区"),
    ("上海江宁路电子商务有限公司", "网店运营", "静安区"),
    ("上海阳光庇护工场", "手工制作员", "静安区"),
    ("上海宝山路物业管理有限公司", "门岗", "静安区"),
    ("上海石门二路咖啡有限公司", "咖啡师", "静安区"),
    ("上海市北医院后勤服务有限公司", "陪护助理", "静安区"),
    ("上海盲人按摩中心（静安）", "按摩师", "静安区"),
    ("上海彭浦新村养老服务有限公司", "助老员", "静安区"),
    ("上海普陀数据服务有限公司", "数据录入员", "普陀区"),
    ("上海宝山包装有限公司", "包装工", "宝山区"),
    ("上海闸北花卉园艺有限公司", "花艺师", "静安区"),
    ("上海静安图书发行有限公司", "图书整理员", "静安区"),
    ("上海大宁电话服务有限公司", "话务员", "静安区"),
    ("上海静安洗涤服务有限公司", "洗涤工", "静安区"),
]
CONTRACTS = [
    (Placement.ContractType.FIXED_TERM, 60),
    (Placement.ContractType.OPEN_ENDED, 10),
    (Placement.ContractType.PART_TIME, 15),
    (Placement.ContractType.DISPATCHED, 5),
    (Placement.ContractType.SUPPORTED, 10),
]
SCHOOLS = [("上海大学", "计算机科学与技术"), ("华东师范大学", "特殊教育"), ("上海理工大学", "工业设计")]


def credit_code(n: int) -> str:
    """A made-up but valid unified social credit code: a company (91) registered in Jing'an (310106)."""
    body = f"91310106{n:05d}"
    body += "".join(CREDIT_CODE_CHARS[(n * 7 + i * 11) % 31] for i in range(4))
    return body + credit_code_check_character(body)


class Demo:
    """The records of one demo year, made through the actions so every rule and audit entry applies."""

    def __init__(self, *, year: int, by: User, stdout: Any) -> None:
        self.year = year
        self.by = by
        self.stdout = stdout
        self.today = timezone.localdate()
        self.rng = random.Random(year * 7 + 1)
        self.answers: list[tuple[PlacementFollowUp, datetime.date]] = []  # follow-ups to record, with their date

    def day(self, year: int, month: int, day: int) -> datetime.date:
        return datetime.date(year, month, day)

    def eligible_persons(self) -> list[Person]:
        """Active persons of working age throughout the year before, the year and the year after."""
        youngest, oldest = WORKING_AGE
        first, last = self.day(self.year - 1, 1, 1), self.day(self.year + 1, 12, 31)
        persons = Person.objects.filter(status=Person.Status.ACTIVE).order_by("id_number")
        return [p for p in persons if age_on(p.birth_date, first) >= youngest and age_on(p.birth_date, last) <= oldest]

    # Courses and enrolments

    def course(
        self, title: str, trade: str, provider: str, starts_on: datetime.date, ends_on: datetime.date, places: int
    ):
        existing = Course.objects.filter(title=title, provider=provider, starts_on=starts_on).first()
        if existing is not None:
            return existing
        course = Course(
            title=title,
            trade=trade,
            provider=provider,
            starts_on=starts_on,
            ends_on=ends_on,
            capacity=places,
            place=PLACE,
        )
        return actions.course_save(course=course, by=self.by)

    def enrol(self, person: Person, course: Course, *, outcome: str) -> Enrollment:
        """Enrol (once) and, when the course has ended, complete or drop out as `outcome` says."""
        enrollment = Enrollment.objects.filter(person=person, course=course).first()
        if enrollment is None:
            enrollment = actions.enrollment_create(person=person, course=course, by=self.by)
        if enrollment.status == Enrollment.Status.ENROLLED and course.ends_on <= self.today:
            if outcome == Enrollment.Status.COMPLETED:
                enrollment = actions.enrollment_complete(enrollment=enrollment, by=self.by)
            elif outcome == Enrollment.Status.DROPPED_OUT:
                enrollment = actions.enrollment_drop(enrollment=enrollment, by=self.by)
        return enrollment

    def certify(self, enrollment: Enrollment, *, number: int, level: str) -> None:
        if enrollment.has_certificate or enrollment.status != Enrollment.Status.COMPLETED:
            return
        issued_on = enrollment.course.ends_on + datetime.timedelta(days=7 + number % 14)
        if issued_on > self.today:
            return
        actions.certificate_record(
            enrollment=enrollment,
            level=level,
            number=f"S{issued_on.year}310106{number:06d}",
            issuer=ISSUERS[number % len(ISSUERS)],
            issued_on=issued_on,
            by=self.by,
        )

    def level(self) -> str:
        return self.rng.choices(
            [CertificateLevel.LEVEL_5, CertificateLevel.LEVEL_4, CertificateLevel.LEVEL_3], [60, 30, 10]
        )[0]

    def training(self, persons: list[Person]) -> None:
        y = self.year
        courses = [
            self.course(title, trade, provider, self.day(y, *first), self.day(y, *last), places)
            for title, trade, provider, first, last, places in COURSES
        ]
        trained = min(TRAINED, len(persons))
        pool = self.rng.sample(persons, len(persons))
        completers, others = pool[:trained], pool[trained:]
        completed: list[Enrollment] = []
        for i, person in enumerate(completers):
            completed.append(self.enrol(person, courses[i % len(courses)], outcome=Enrollment.Status.COMPLETED))
        doubles = []
        for i, person in enumerate(completers[:DOUBLE_COMPLETERS]):
            second = courses[(i + 1) % len(courses)]
            doubles.append(self.enrol(person, second, outcome=Enrollment.Status.COMPLETED))
        for i, person in enumerate(others[:DROPPED_OUT]):
            self.enrol(person, courses[(i * 5) % len(courses)], outcome=Enrollment.Status.DROPPED_OUT)
        # Certificates: one person earns two; the others one each.
        certified = completed[1 : min(CERTIFIED, len(completed))]
        number = y * 1000
        for enrollment in [completed[0], doubles[0], *certified] if doubles else certified:
            number += 1
            self.certify(enrollment, number=number, level=self.level())
        self.other_years_training(others[DROPPED_OUT:])

    def other_years_training(self, persons: list[Person]) -> None:
        """Courses of the year before and after, and one running over new year: none count for the year."""
        y = self.year
        plans = [
            (
                "盲人医疗按摩",
                "保健按摩师",
                "上海市盲人按摩职业培训学校",
                self.day(y - 1, 3, 1),
                self.day(y - 1, 6, 30),
                20,
            ),
            ("计算机操作", "计算机操作员", PROVIDER, self.day(y - 1, 9, 1), self.day(y - 1, 10, 30), 20),
            ("中式烹调", "中式烹调师", PROVIDER, self.day(y, 12, 4), self.day(y + 1, 1, 19), 20),
            ("电子商务运营", "电子商务师", PROVIDER, self.day(y + 1, 3, 4), self.day(y + 1, 5, 31), 15),
            ("咖啡制作", "咖啡师", "阳光职业康复中心", self.day(y + 1, 4, 8), self.day(y + 1, 6, 20), 15),
        ]
        start = 0
        number = (y + 50) * 1000
        for title, trade, provider, first, last, count in plans:
            course = self.course(title, trade, provider, first, last, count + 5)
            for person in persons[start : start + count]:
                enrollment = self.enrol(person, course, outcome=Enrollment.Status.COMPLETED)
                number += 1
                if number % 7 == 0:
                    self.certify(enrollment, number=number, level=CertificateLevel.LEVEL_5)
            start += count

    # Employers, placements and follow-ups

    def employers(self) -> list[tuple[Employer, str]]:
        result = []
        for n, (name, job, district) in enumerate(EMPLOYERS, start=1):
            code = credit_code(n)
            employer = Employer.objects.filter(credit_code=code).first()
            if employer is None:
                employer = actions.employer_save(
                    employer=Employer(
                        name=name,
                        credit_code=code,
                        district=district,
                        contact_name="人事部",
                        contact_phone=f"021-5{n:03d}{n * 37 % 10000:04d}",
                        counts_toward_quota=n % 6 != 0,
                    ),
                    by=self.by,
                )
            result.append((employer, job))
        return result

    def place(
        self,
        person: Person,
        employer: Employer,
        job: str,
        started_on: datetime.date,
        *,
        recommended: bool = True,
        graduation_year: int | None = None,
    ) -> Placement:
        # Drawn before the look-up, so a second run draws the same numbers as the first.
        contract = self.rng.choices([c for c, _w in CONTRACTS], [w for _c, w in CONTRACTS])[0]
        existing = Placement.objects.filter(person=person, employer=employer, started_on=started_on).first()
        if existing is not None:
            return existing
        return actions.placement_create(
            person=person,
            employer=employer,
            job_title=job,
            started_on=started_on,
            contract_type=contract,
            recommended=recommended,
            new_graduate=graduation_year is not None,
            graduation_year=graduation_year,
            by=self.by,
        )

    def follow(self, placement: Placement, *, ends_after_days: int | None, skip_last: bool) -> None:
        """Note the follow-ups that are due (recorded together at the end); end the placement first when it ended."""
        if ends_after_days is not None and placement.ended_on is None:
            ended_on = placement.started_on + datetime.timedelta(days=ends_after_days)
            if ended_on <= self.today:
                reason = [Placement.EndReason.CONTRACT_ENDED, Placement.EndReason.RESIGNED, Placement.EndReason.HEALTH][
                    ends_after_days % 3
                ]
                placement = actions.placement_end(placement=placement, ended_on=ended_on, reason=reason, by=self.by)
        for follow_up in PlacementFollowUp.objects.filter(placement=placement, recorded_on__isnull=True):
            if skip_last and follow_up.months == PlacementFollowUp.Months.TWELVE:
                continue  # left for staff: an overdue follow-up in the work queue
            recorded_on = min(
                follow_up.due_on + datetime.timedelta(days=placement.pk % 9),
                placement.ended_on or self.today,
                self.today,
            )
            if follow_up.due_on - datetime.timedelta(days=actions.FOLLOW_UP_EARLY_DAYS) > recorded_on:
                continue
            self.answers.append((follow_up, recorded_on))

    def random_day(self, year: int) -> datetime.date:
        return self.day(year, 1, 1) + datetime.timedelta(days=self.rng.randrange(365))

    def placements(self, persons: list[Person]) -> None:
        y = self.year
        employers = self.employers()
        graduates_pool = [p for p in persons if 21 <= age_on(p.birth_date, self.day(y, 7, 1)) <= 25]
        graduates = self.rng.sample(graduates_pool, min(GRADUATES + 3, len(graduates_pool)))
        this_year, last_year = graduates[:GRADUATES], graduates[GRADUATES:]
        others = [p for p in self.rng.sample(persons, len(persons)) if p not in graduates]
        placed = others[: max(0, min(PLACED, len(persons)) - len(this_year))]
        rest = others[len(placed) :]

        for i, person in enumerate(this_year):
            employer, job = employers[(i * 3) % len(employers)]
            placement = self.place(person, employer, job, self.day(y, 7, 10 + i), graduation_year=y)
            self.follow(placement, ends_after_days=None, skip_last=False)
        for person in placed:
            employer, job = self.rng.choice(employers)
            ends = self.rng.randrange(20, 330) if self.rng.random() < 0.1 else None
            skip_last = self.rng.random() < 0.05
            placement = self.place(person, employer, job, self.random_day(y))
            self.follow(placement, ends_after_days=ends, skip_last=skip_last)

        # Jobs found without the federation, and the federation's placements of other years: none count.
        # (The follow-ups noted above and below are recorded at once after them: 1,296 one by one took most of
        # the employment demo's time.)
        for person in rest[:NOT_RECOMMENDED]:
            employer, job = self.rng.choice(employers)
            self.place(person, employer, job, self.random_day(y), recommended=False)
        before = rest[NOT_RECOMMENDED : NOT_RECOMMENDED + PLACED_YEAR_BEFORE]
        for person in before:
            employer, job = self.rng.choice(employers)
            placement = self.place(person, employer, job, self.random_day(y - 1))
            self.follow(placement, ends_after_days=None, skip_last=False)
        after = rest[NOT_RECOMMENDED + PLACED_YEAR_BEFORE : NOT_RECOMMENDED + PLACED_YEAR_BEFORE + PLACED_YEAR_AFTER]
        for person in after:
            employer, job = self.rng.choice(employers)
            self.place(person, employer, job, self.random_day(y + 1))

        # Graduates of the year before: two placed that year, one still looking.
        for i, person in enumerate(last_year):
            school, major = SCHOOLS[i % len(SCHOOLS)]
            actions.graduate_register(person=person, graduation_year=y - 1, school=school, major=major, by=self.by)
            if i < 2:
                employer, job = employers[(i * 5 + 1) % len(employers)]
                self.place(person, employer, job, self.day(y - 1, 8, 1 + i), graduation_year=y - 1)
        actions.placement_follow_ups_record(
            answers=self.answers, still_employed=True, note="电话回访，工作稳定", by=self.by
        )
        for i, person in enumerate(this_year):
            school, major = SCHOOLS[i % len(SCHOOLS)]
            graduate = Graduate.objects.get(person=person, graduation_year=y)
            if not graduate.school:
                graduate.school, graduate.major = school, major
                actions.graduate_update(graduate=graduate, by=self.by)

    # Referrals from the demo committee members' home visits

    def referrals(self) -> int:
        made = 0
        members = User.objects.filter(street_assignments__isnull=False).distinct().order_by("username")
        for member in members:
            if not member.has_perm("employment.add_referral"):
                continue
            needs = (
                FollowUp.objects.visible_to(member)
                .filter(need__in=[FollowUp.Need.TRAINING, FollowUp.Need.JOB], status=FollowUp.Status.OPEN)
                .select_related("person")
                .order_by("due_on", "pk")
            )
            youngest, oldest = WORKING_AGE
            chosen = [
                f
                for f in needs
                if f.person.status == Person.Status.ACTIVE
                and youngest <= age_on(f.person.birth_date, self.today) <= oldest
            ][:REFERRALS_PER_MEMBER]
            for follow_up in chosen:
                if Referral.objects.filter(follow_up=follow_up).exists():
                    continue
                kind = Referral.Kind.COURSE if follow_up.need == FollowUp.Need.TRAINING else Referral.Kind.JOB
                actions.referral_create(follow_up=follow_up, kind=kind, by=member, note="家访中了解到需求")
                made += 1
        return made


def seed(*, year: int, persons: int, stdout: Any) -> None:
    by = User.objects.get(username="staff")
    demo = Demo(year=year, by=by, stdout=stdout)
    eligible = demo.eligible_persons()
    needed = TRAINED + PLACED
    if len(eligible) < needed:
        stdout.write(f"Employment: only {len(eligible)} persons of working age; {year} falls short of the article.")
    # Training and jobs draw from the same people, as in life: some trainees are placed too.
    demo.training(eligible)
    demo.placements(eligible)
    referrals = demo.referrals()
    stdout.write(
        f"Employment: {Course.objects.count()} courses, {Enrollment.objects.count()} enrolments, "
        f"{Placement.objects.count()} placements, {Referral.objects.count()} referrals ({referrals} new)."
    )
