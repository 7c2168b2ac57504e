"""Made-up but valid registry records, for the demo, the benchmarks and the scale generator."""

import datetime
import itertools
import random
from collections.abc import Iterator
from typing import Any

from services.models import Person
from services.registry.identity import check_character

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍建华红梅小红建国志强"
    "海燕丽娟文斌春梅国庆德明雪梅卫东振华慧琴"
)
# Shanghai districts where a resident's ID may first have been issued (310108: the former Zhabei),
# and a few from elsewhere: the ID's area says nothing about where a person lives now.
AREA_CODES = ["310106"] * 6 + ["310108"] * 4 + ["310101", "310104", "310105", "310107", "310109", "320102", "330106"]
# Rough shares of certified disability categories and grades in an urban district.
CATEGORY_WEIGHTS = {1: 12, 2: 18, 3: 2, 4: 40, 5: 9, 6: 12, 7: 7}
GRADE_WEIGHTS = {1: 15, 2: 25, 3: 30, 4: 30}
RELATIONS = ["母亲", "父亲", "配偶", "儿子", "女儿", "兄弟", "姐妹"]
ROADS = [
    "江宁路",
    "武定路",
    "昌平路",
    "西康路",
    "北京西路",
    "共和新路",
    "大宁路",
    "临汾路",
    "平型关路",
    "场中路",
    "洛川东路",
    "芷江西路",
]


def make_id_number(rng: random.Random, born: datetime.date) -> str:
    first17 = f"{rng.choice(AREA_CODES)}{born:%Y%m%d}{rng.randrange(1, 1000):03d}"
    return first17 + check_character(first17)


def _given_name(rng: random.Random) -> str:
    return "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def sample_persons(
    count: int, *, street_ids: list[int], seed: int = 2023, today: datetime.date | None = None
) -> Iterator[Person]:
    """`count` unsaved persons with valid, unique ID and certificate numbers, the same for the same seed."""
    return (Person(**fields) for fields in sample_person_fields(count, street_ids=street_ids, seed=seed, today=today))


def sample_person_fields(
    count: int, *, street_ids: list[int], seed: int = 2023, today: datetime.date | None = None
) -> Iterator[dict[str, Any]]:
    """The fields of the persons sample_persons makes, without making them: what the scale generator
    writes by the million, where a model instance a person would cost more than the rest of its row."""
    rng = random.Random(seed)
    today = today or datetime.date(2023, 12, 31)
    seen: set[int] = set()  # the ID numbers' first 17 digits: as numbers, a million take a third less memory
    # Cumulative weights, as choices() would add them up on every call.
    categories, category_weights = list(CATEGORY_WEIGHTS), list(itertools.accumulate(CATEGORY_WEIGHTS.values()))
    grades, grade_weights = list(GRADE_WEIGHTS), list(itertools.accumulate(GRADE_WEIGHTS.values()))
    made = 0
    while made < count:
        born = today - datetime.timedelta(days=rng.randrange(6 * 365, 95 * 365))
        id_number = make_id_number(rng, born)
        key = int(id_number[:17])
        if key in seen:
            continue
        seen.add(key)
        category = rng.choices(categories, cum_weights=category_weights)[0]
        grade = rng.choices(grades, cum_weights=grade_weights)[0]
        minor = (today - born).days < 18 * 365
        needs_guardian = minor or category in (5, 6) or rng.random() < 0.2
        status = rng.choices(["active", "moved_out", "deceased"], cum_weights=[94, 97, 100])[0]
        yield dict(
            name=rng.choice(SURNAMES) + _given_name(rng),
            id_number=id_number,
            certificate_number=f"{id_number}{category}{grade}" if rng.random() < 0.97 else "",
            certificate_valid_until=today + datetime.timedelta(days=rng.randrange(-200, 3650)),
            category=category,
            grade=grade,
            street_id=rng.choice(street_ids),
            address=f"{rng.choice(ROADS)}{rng.randrange(1, 1500)}弄{rng.randrange(1, 40)}号{rng.randrange(101, 1203)}室",  # noqa: E501
            phone=f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
            guardian_name=(rng.choice(SURNAMES) + _given_name(rng)) if needs_guardian else "",
            guardian_relation=rng.choice(RELATIONS) if needs_guardian else "",
            guardian_phone=f"13{rng.randrange(10**8, 10**9)}" if needs_guardian else "",
            lives_alone=not minor and rng.random() < 0.12,
            status=status,
            status_changed_on=None if status == "active" else today - datetime.timedelta(days=rng.randrange(1, 700)),
            consent_basis="guardian" if needs_guardian else rng.choice(["person", "person", "legal_duty"]),
            consent_given_on=max(born, today - datetime.timedelta(days=rng.randrange(1, 3000))),
        )
        made += 1
