"""Demo events: the article's 2023 (16 culture and sports events, 1616 participants), traps that must not
count, other years, awards, and events to come for the public pages. The same records on every run."""

import datetime
import random
from typing import Any

from django.utils import timezone

from services.models import Person

from .caching import public_pages_changed
from .models import Award, Event, PreventionMaterial, QuizCampaign, Registration, ResearchTopic

C = Event.Category
SHANGHAI = "上海市静安区"

# slug, title, category, (month, day, hour), participants who came. The 16 culture and sports events of 2023.
CULTURE_AND_SPORTS_2023 = [
    ("2023-aesthetic-education", "“红色静安 红色教育”千人美育计划", C.CULTURE, (3, 18, 9), 220),
    ("2023-choir-spring-concert", "残疾人艺术团合唱队迎春演出", C.CULTURE, (1, 14, 14), 130),
    ("2023-reading-club", "无障碍读书会", C.CULTURE, (4, 23, 14), 40),
    ("2023-darts-open", "静安区残疾人飞镖公开赛", C.SPORTS, (4, 22, 9), 72),
    ("2023-suhe-art-walk", "艺术苏河行走", C.CULTURE, (5, 20, 9), 60),
    ("2023-heritage-day-flash-mob", "文化和自然遗产日红歌快闪", C.CULTURE, (6, 10, 10), 120),
    ("2023-accessible-film", "无障碍电影放映（手语与字幕场）", C.CULTURE, (6, 16, 14), 100),
    ("2023-esports-friendly", "听障电竞队交流赛", C.ESPORTS, (7, 8, 13), 48),
    ("2023-fitness-week", "残疾人健身周社区健身活动", C.SPORTS, (8, 8, 9), 140),
    ("2023-813-lecture", "“八一三”淞沪抗战纪念日专题讲座", C.CULTURE, (8, 13, 14), 90),
    ("2023-rouliqiu-show", "柔力球展示活动", C.SPORTS, (9, 2, 9), 60),
    ("2023-photo-exhibition", "主题摄影展观摩", C.CULTURE, (9, 16, 10), 100),
    ("2023-national-day-citywalk", "国庆升旗仪式暨Citywalk活动", C.CULTURE, (10, 1, 7), 150),
    ("2023-light-festival-lecture", "光影节观摩讲座", C.CULTURE, (10, 21, 14), 80),
    ("2023-esports-fusion", "上海城市业余联赛残健融合运动会—融合电竞赛", C.ESPORTS, (11, 4, 9), 96),
    ("2023-choir-festival", "第九届上海合唱节展演", C.CULTURE, (12, 9, 19), 110),
]
ARTICLE_EVENTS, ARTICLE_PARTICIPANTS = 16, 1616

# Held in 2023 but of other categories: counted by category, never as culture and sports.
OTHER_CATEGORIES_2023 = [
    ("2023-prevention-day", "全国残疾预防日“预防先天残疾 守护美好未来”宣传活动", C.PREVENTION, (8, 25, 9), 200),
    ("2023-massage-training", "盲人保健按摩技能培训", C.TRAINING, (5, 9, 9), 30),
    ("2023-vanguard-party-day", "党员先锋队主题党日", C.PARTY_BUILDING, (7, 1, 9), 40),
    ("2023-volunteer-day", "助残志愿服务日", C.VOLUNTEERING, (3, 5, 9), 50),
]

# Culture events with participants that must not count for 2023: never recorded as held (a draft left
# unpublished), cancelled, other years. (slug, title, year-month-day-hour, came, published, outcome). The
# New Year's Eve concert starts at 00:30 on 1 January 2024 in Shanghai, which is still 2023 in UTC.
HELD, CANCELLED, UNRECORDED = Event.Status.HELD, Event.Status.CANCELLED, Event.Status.SCHEDULED
NOT_COUNTED = [
    ("2023-calligraphy-draft", "书法体验课（草稿）", (2023, 11, 18, 14), 30, False, UNRECORDED),
    ("2023-outdoor-concert", "户外音乐会（台风预警取消）", (2023, 9, 14, 18), 25, True, CANCELLED),
    ("2022-choir-concert", "合唱队年终演出", (2022, 12, 20, 19), 80, True, HELD),
    ("2024-new-year-concert", "跨年新年音乐会", (2024, 1, 1, 0), 60, True, HELD),
    ("2024-citywalk", "城市漫步·静安寺", (2024, 4, 13, 9), 45, True, HELD),
]

ESPORTS_WEEK = "第十三届残疾人健身周（浙江）全国残疾人电子竞技项目推广活动"
DARTS_WEEK = "第十三届残疾人健身周（江西）全国残疾人飞镖项目推广活动·个人组"
ROULIQIU = "第十三届残疾人健身周上海市主题活动暨上海市残疾人柔力球比赛"
FUSION_2023 = "上海城市业余联赛残健融合运动会—融合电竞赛"
ABILYMPICS = "第十届国际残疾人职业技能竞赛（法国）·文本处理"
# competition, event slug or "", awarded on, kind, team (or "" for a registry person), place
AWARDS = [
    (ESPORTS_WEEK, "", (2023, 8, 12), "team", "静安区听障电竞队", "second"),
    (DARTS_WEEK, "", (2023, 8, 19), "person", "", "second"),
    (DARTS_WEEK, "", (2023, 8, 19), "person", "", "third"),
    (DARTS_WEEK, "", (2023, 8, 19), "person", "", "third"),
    (DARTS_WEEK, "", (2023, 8, 19), "person", "", "fifth"),
    (FUSION_2023, "2023-esports-fusion", (2023, 11, 4), "team", "静安区残健融合电竞队", "second"),
    (ROULIQIU, "", (2023, 8, 26), "team", "静安区代表团", "first_prize"),
    ("上海市第四届市民运动会残健融合电竞赛", "", (2024, 4, 20), "team", "静安队", "first"),
    (ABILYMPICS, "", (2023, 3, 26), "person", "", "bronze"),
]
# The awards of 2023 in the article: e-sports second, darts 2nd/3rd/3rd/5th, fusion e-sports second,
# rouliqiu first prize, and the bronze medal of the 10th International Abilympics (France, 2023).
ARTICLE_AWARDS = 8

# Party days (党日活动): "一年多来……已组织逾15次党日活动". With the vanguard party day above, 16 in the
# demo year; internal, so held without being published. (slug, title, month, day)
PARTY_DAYS_2023 = [
    ("2023-party-day-01", "主题党日：学习贯彻党的二十大精神", 1, 13),
    ("2023-party-day-02", "主题党日：参观中共一大纪念馆", 2, 24),
    ("2023-party-day-03", "主题党日：“学习在残联”读书分享", 3, 17),
    ("2023-party-day-04", "主题党日：龙华烈士陵园缅怀先烈", 4, 4),
    ("2023-party-day-05", "主题党日：“奉献在残联”助残志愿服务", 4, 21),
    ("2023-party-day-06", "主题党日：参观中共二大会址纪念馆", 5, 26),
    ("2023-party-day-07", "主题党日：重温入党誓词", 6, 30),
    ("2023-party-day-08", "主题党日：走访困难残疾人家庭", 7, 21),
    ("2023-party-day-09", "主题党日：参观四行仓库抗战纪念馆", 8, 11),
    ("2023-party-day-10", "主题党日：主题教育专题学习", 9, 15),
    ("2023-party-day-11", "主题党日：“微文化在残联”支部文化建设", 9, 28),
    ("2023-party-day-12", "主题党日：参观中国共产党发现纪念馆", 10, 20),
    ("2023-party-day-13", "主题党日：调研成果交流", 11, 10),
    ("2023-party-day-14", "主题党日：参观陈云纪念馆", 11, 24),
    ("2023-party-day-15", "主题党日：年度组织生活会", 12, 22),
]
ARTICLE_PARTY_DAYS = 16

# The six research topics of the party group's study (大兴调查研究, "六个方面"), each with its report. The
# article gives no dates: the demo starts them with the theme education in September and reports in December.
RESEARCH_TOPICS = [
    "坚持和加强党对残疾人事业的全面领导",
    "进一步密切与残疾人群众血肉联系",
    "进一步加强残疾人工作者队伍建设",
    "发挥残疾人工作委员会职能作用",
    "提高静安区残障人士生活品质",
    "一网通办助推智慧助残",
]

# The choir's 12 disabled performers at the city's Spring Festival reception on 7 February 2024.
CHOIR_RECEPTION = ("2024-spring-reception-choir", "上海市各界人士春节团拜会：合唱《一起奋斗吧》", (2024, 2, 7, 15), 12)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
GIVEN = [
    *("伟", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇"),
    *("艳", "杰", "娟", "涛", "明", "超", "秀英", "桂兰", "建华", "志强"),
]
VENUES = [
    ("静安区残疾人综合服务中心", "静安区共和新路1988号"),
    ("大宁会议中心", "静安区大宁路1号"),
    ("静安区文化馆", "静安区乌鲁木齐北路459号"),
    ("静安体育中心", "静安区江场路1515号"),
]
ALL_PROVISIONS = {"step_free": True, "accessible_toilet": True, "sign_language": True}


def _at(year: int, month: int, day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, 30 if hour == 0 else 0, tzinfo=timezone.get_default_timezone())


def _event(slug: str, title: str, category: str, starts_at: datetime.datetime, **fields: Any) -> Event:
    venue, address = VENUES[sum(map(ord, slug)) % len(VENUES)]
    defaults = {
        "title": title,
        "category": category,
        "summary": f"{title}。欢迎残疾朋友和家属参加，现场提供无障碍服务。",
        "description": (
            f"**{title}**\n\n- 地点：{venue}\n- 费用：免费\n\n需要手语翻译或轮椅位的朋友，请在报名时告诉我们。"
        ),
        "starts_at": starts_at,
        "ends_at": starts_at + datetime.timedelta(hours=3),
        "venue": venue,
        "address": address,
        "capacity": 50,
        "is_published": True,
        **ALL_PROVISIONS,
        **fields,
    }
    event, _created = Event.objects.update_or_create(slug=slug, defaults=defaults)
    return event


def _public_registrations(
    event: Event,
    index: int,
    *,
    attended: int = 0,
    absent: int = 0,
    pending: int = 0,
    waiting: int = 0,
    persons: list[Person] = (),
) -> None:
    """Registrations for `event`, once: registry persons first, then made-up members of the public."""
    if event.registrations.exists():
        return
    rng = random.Random(index)
    rows = []
    statuses = (
        [(Registration.Status.CONFIRMED, Registration.Attendance.ATTENDED)] * attended
        + [(Registration.Status.CONFIRMED, Registration.Attendance.ABSENT)] * absent
        + [(Registration.Status.CONFIRMED, Registration.Attendance.PENDING)] * pending
        + [(Registration.Status.WAITLISTED, Registration.Attendance.PENDING)] * waiting
    )
    created = min(event.starts_at - datetime.timedelta(days=7), timezone.now() - datetime.timedelta(days=1))
    for n, (status, attendance) in enumerate(statuses):
        common = {
            "event": event,
            "status": status,
            "attendance": attendance,
            "attendance_recorded_at": event.ends_at if attendance != Registration.Attendance.PENDING else None,
            "needs_wheelchair_space": rng.random() < 0.15,
            "needs_interpreter": rng.random() < 0.1,
            "needs_companion": rng.random() < 0.2,
            "created_at": created + datetime.timedelta(minutes=n),
        }
        if n < len(persons):
            person = persons[n]
            rows.append(
                Registration(source=Registration.Source.REGISTRY, person=person, **person.as_served(), **common)
            )
        else:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            rows.append(
                Registration(
                    source=Registration.Source.PUBLIC,
                    name=name,
                    phone=f"139{index:02d}{n:06d}",
                    consented_at=created,
                    **common,
                )
            )
    Registration.objects.bulk_create(rows, batch_size=1000)


def seed_year(year: int, persons: list[Person]) -> None:
    """The events, registrations and awards of the demo year and the traps around it."""
    assert len(CULTURE_AND_SPORTS_2023) == ARTICLE_EVENTS
    assert sum(row[4] for row in CULTURE_AND_SPORTS_2023) == ARTICLE_PARTICIPANTS
    offset = year - 2023
    for index, (slug, title, category, (month, day, hour), came) in enumerate(
        CULTURE_AND_SPORTS_2023 + OTHER_CATEGORIES_2023
    ):
        event = _event(slug, title, category, _at(year, month, day, hour), capacity=came + came // 10 + 5, status=HELD)
        _public_registrations(
            event, index, attended=came, absent=came // 20, persons=persons[index * 6 : index * 6 + 6]
        )
    for index, (slug, title, (y, month, day, hour), came, published, outcome) in enumerate(NOT_COUNTED, start=40):
        event = _event(
            slug,
            title,
            C.CULTURE,
            _at(y + offset, month, day, hour),
            capacity=came + 10,
            is_published=published,
            status=outcome,
            cancelled_at=_at(y + offset, month, day, 8) if outcome == CANCELLED else None,
        )
        _public_registrations(event, index, attended=came, absent=0)
    for slug, title, month, day in PARTY_DAYS_2023:
        _event(slug, title, C.PARTY_BUILDING, _at(year, month, day, 14), capacity=40, is_published=False, status=HELD)
    for n, title in enumerate(RESEARCH_TOPICS):
        ResearchTopic.objects.get_or_create(
            title=title,
            defaults={"started_on": datetime.date(year, 9, 20), "reported_on": datetime.date(year, 12, 8 + n)},
        )
    slug, title, (y, month, day, hour), performers = CHOIR_RECEPTION
    _event(
        slug,
        title,
        C.CULTURE,
        _at(y + offset, month, day, hour),
        capacity=performers,
        organiser="上海市各界人士春节团拜会",
        takes_registrations=False,
        performers=performers,
        status=HELD,
    )
    winners = iter(persons[-10:])
    for competition, event_slug, (y, month, day), kind, team, place in AWARDS:
        person = next(winners, None) if kind == "person" else None
        if kind == "person" and person is None:
            continue  # no registry to take the athletes from
        Award.objects.get_or_create(
            competition=competition,
            awarded_on=datetime.date(y + offset, month, day),
            kind=kind,
            place=place,
            team_name=team,
            person=person,
            defaults={"event": Event.objects.get(slug=event_slug) if event_slug else None},
        )


def seed_upcoming(persons: list[Person]) -> None:
    """Events to come, relative to today, so the public pages always have something to show."""
    today = timezone.localdate()

    def on(days: int, hour: int = 14) -> datetime.datetime:
        day = today + datetime.timedelta(days=days)
        return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_default_timezone())

    film = _event(
        "upcoming-accessible-film",
        "无障碍电影放映：手语与字幕场",
        C.CULTURE,
        on(3),
        capacity=60,
        captions=True,
        hearing_loop=True,
        guide_dogs=True,
        sign_language_video_url="https://example.org/sign/film",
    )
    _public_registrations(film, 60, pending=18, persons=persons[:3])
    darts = _event("upcoming-darts-taster", "飞镖体验日", C.SPORTS, on(6, 9), capacity=20, large_print=True)
    _public_registrations(darts, 61, pending=20, waiting=3, persons=persons[3:8])
    _event("upcoming-esports-friendly", "残健融合电竞友谊赛", C.ESPORTS, on(10), capacity=40)
    _event(
        "upcoming-hearing-day",
        "爱耳护耳：听力筛查与预防讲座",
        C.PREVENTION,
        on(14, 9),
        capacity=200,
        takes_registrations=False,
        captions=True,
        hearing_loop=True,
    )
    _event(
        "upcoming-smartphone-training",
        "智能手机使用培训（视障长者专场）",
        C.TRAINING,
        on(20, 9),
        capacity=25,
        large_print=True,
        easy_read=True,
        easy_read_text="我们教你用手机。\n\n手机会读出屏幕上的字。\n\n带上你的手机来。",
        registration_deadline=on(17, 17),
    )
    _event(
        "upcoming-choir-rehearsal",
        "合唱队公开排练",
        C.CULTURE,
        on(2, 19),
        capacity=30,
        registration_deadline=on(-1, 17),
    )
    _event("upcoming-vanguard-service", "党员先锋队助残服务日", C.PARTY_BUILDING, on(25, 9), capacity=30)
    _event("upcoming-guide-volunteers", "助盲志愿者培训", C.VOLUNTEERING, on(45, 9), capacity=40)
    _event(
        "upcoming-walk-cancelled",
        "苏州河健步走",
        C.SPORTS,
        on(12, 8),
        capacity=80,
        status=Event.Status.CANCELLED,
        cancelled_at=timezone.now(),
    )
    _event("upcoming-draft", "新春游园会（筹备中）", C.CULTURE, on(40), capacity=100, is_published=False)


# The 2023 prevention campaign: 15 educational videos on the WeChat account (the article), a few articles,
# and the online quiz with prizes. (title, month, day, captioned, signed)
PREVENTION_VIDEOS_2023 = [
    ("预防先天残疾：孕前检查很重要", 1, 10, True, False),
    ("新生儿听力筛查知多少", 1, 31, True, True),
    ("儿童弱视早发现早治疗", 2, 21, True, False),
    ("老年人防跌倒居家小贴士", 3, 3, True, True),
    ("爱耳日：远离噪声性耳聋", 3, 3, True, True),
    ("脑卒中的早期信号", 4, 11, True, False),
    ("糖尿病视网膜病变的预防", 5, 9, True, False),
    ("科学认识孤独症", 4, 2, True, False),
    ("心理健康：抑郁不是懒", 5, 25, True, False),
    ("安全用药，预防药物性耳聋", 6, 13, True, True),
    ("交通安全与意外伤害预防", 7, 18, True, False),
    ("全国残疾预防日：预防先天残疾 守护美好未来", 8, 25, True, True),
    ("骨质疏松与骨折预防", 9, 12, True, False),
    ("全国爱眼日回顾：青少年近视防控", 10, 17, True, False),
    ("康复之家：家门口的康复服务", 11, 21, True, True),
]
PREVENTION_ARTICLES_2023 = [("残疾预防知识问答（图文）", 8, 20), ("静安区残疾预防行动工作方案解读", 6, 1)]
ARTICLE_VIDEOS = 15


def seed_prevention(year: int) -> None:
    """The year's prevention videos, articles and quiz, and a video of the year before that must not count."""
    assert len(PREVENTION_VIDEOS_2023) == ARTICLE_VIDEOS
    campaign = Event.objects.filter(slug="2023-prevention-day").first()
    rows = [
        (PreventionMaterial.Kind.VIDEO, title, datetime.date(year, month, day), captioned, signed, n)
        for n, (title, month, day, captioned, signed) in enumerate(PREVENTION_VIDEOS_2023)
    ]
    rows += [
        (PreventionMaterial.Kind.ARTICLE, title, datetime.date(year, month, day), False, False, 50 + n)
        for n, (title, month, day) in enumerate(PREVENTION_ARTICLES_2023)
    ]
    rows.append((PreventionMaterial.Kind.VIDEO, "助残日宣传片", datetime.date(year - 1, 5, 15), True, False, 90))
    for kind, title, published_on, captioned, signed, n in rows:
        PreventionMaterial.objects.get_or_create(
            url=f"https://mp.weixin.qq.com/s/jingan-prevention-{published_on.year}-{n:02d}",
            defaults={
                "kind": kind,
                "title": title,
                "published_on": published_on,
                "captioned": captioned,
                "signed": signed,
                "campaign": campaign if published_on.month == 8 and published_on.year == year else None,
            },
        )
    # The article names the quiz but gives no counts: these participants and winners are made up for the demo.
    QuizCampaign.objects.get_or_create(
        title="“残疾预防，普及健康”线上有奖知识竞答",
        starts_on=datetime.date(year, 8, 18),
        defaults={
            "ends_on": datetime.date(year, 9, 10),
            "participants": 2368,
            "prize_winners": 200,
            "campaign": campaign,
        },
    )


def seed(*, year: int, persons: int, stdout: Any) -> None:
    registry = list(Person.objects.filter(status=Person.Status.ACTIVE).order_by("id_number")[:200])
    seed_year(year, registry)
    seed_upcoming(registry)
    seed_prevention(year)
    public_pages_changed()
    stdout.write(
        f"Events: {Event.objects.count()} ({Event.objects.filter(starts_at__year=year).count()} in {year}), "
        f"{Registration.objects.count()} registrations, {Award.objects.count()} awards."
    )
