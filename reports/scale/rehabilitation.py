"""Rehabilitation and prevention records, written only where their models exist."""

import datetime
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import models

from services.models import Street
from services.sample import ROADS

from .base import GeneratorBase
from .tables import _day, _stamped


def _model(name: str) -> type[models.Model] | None:
    try:
        return apps.get_model(name)
    except LookupError:
        return None


def rehabilitation(gen: GeneratorBase, cursor: Any) -> None:
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


def prevention(gen: GeneratorBase, cursor: Any) -> None:
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


def extra_steps() -> list[Callable[[GeneratorBase, Any], None]]:
    """Generators of the rehabilitation and prevention records; each does nothing if its models are missing."""
    return [rehabilitation, prevention]
