"""Rehabilitation and prevention records: centres, family-doctor contracts, home sessions, materials, quizzes."""

import datetime
from typing import Any

from events.models import PreventionMaterial, QuizCampaign
from services.models import FamilyDoctorContract, HomeRehabSession, RehabCentre, Street
from services.registry.sample import ROADS

from .base import GeneratorBase
from .tables import _day, _stamped


class RehabilitationRecords(GeneratorBase):
    """Rehabilitation (services) and prevention (events) records."""

    def rehabilitation(self, cursor: Any) -> None:
        """Rehabilitation centres, family-doctor contracts and home sessions (services)."""
        rng = self.rng
        centres: dict[int, list[int]] = {}
        names = dict(Street.objects.filter(pk__in=self.streets.values()).values_list("pk", "name_zh"))
        for street in sorted(self.streets.values()):
            for n in (1, 2):
                centre, created = RehabCentre.objects.get_or_create(
                    name=f"{names[street]}第{n}社区卫生服务中心（规模测试）",
                    defaults={
                        "street_id": street,
                        "address": f"{rng.choice(ROADS)}{rng.randrange(1, 900)}号",
                        "opening_hours": "周一至周五 8:00-16:30",
                        "offers_home_rehabilitation": True,
                        "step_free": True,
                        "certification": "certified" if n == 1 else "none",
                        "applied_on": self.first_day if n == 1 else None,
                        "accepted_on": self.first_day + datetime.timedelta(days=90) if n == 1 else None,
                    },
                )
                centres.setdefault(street, []).append(centre.pk)
                self.result.rows[RehabCentre._meta.db_table] = (
                    self.result.rows.get(RehabCentre._meta.db_table, 0) + created
                )
        running = set(FamilyDoctorContract.objects.filter(ended_on__isnull=True).values_list("person_id", flat=True))
        contracts = self.table(FamilyDoctorContract, reserve=cursor)
        sessions = self.table(HomeRehabSession)
        kinds = ["assessment", "training", "training", "device_fitting", "family_guidance"]
        for who in self.people:
            if who.id in running or rng.random() >= 0.15:
                continue
            signed = _day(rng, who.start, who.end)
            centre = rng.choice(centres[who.street_id])
            pk = contracts.new_id()
            ended = who.end if who.end < self.today else None
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
                        day = _day(
                            rng, max(signed, datetime.date(year, 1, 1)), min(who.end, datetime.date(year, 12, 31))
                        )
                        sessions.add(
                            **_stamped(day),
                            person_id=who.id,
                            **who.as_served(),
                            centre_id=centre,
                            contract_id=pk,
                            given_on=day,
                            kind=rng.choice(kinds),
                            minutes=rng.randrange(30, 121, 15),
                            given_by=f"康复治疗师{pk % 25 + 1}",
                        )
        self.log(f"  rehabilitation: contracts {contracts.count:,}; home sessions {sessions.count:,}")

    def prevention(self, cursor: Any) -> None:
        """Prevention videos and articles, and quiz campaigns (events)."""
        rng = self.rng
        materials = self.table(PreventionMaterial, reserve=cursor)
        quizzes = self.table(QuizCampaign)
        for year, first, last in self.years_covered():
            for n in range(max(2, round(60 * self.scale))):
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
        self.log(f"  prevention materials: {materials.count:,}; quiz campaigns {quizzes.count:,}")
