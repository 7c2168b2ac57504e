"""Figures of the annual report from events: events held by category, participants and awards.

Definitions, for one calendar year in Asia/Shanghai time:

- An event is *held* in a year when staff recorded it as held (its outcome) and it starts in that
  year. Whether the public site shows it (`is_published`) does not matter: taking a past event off
  the site changes no figure.
- *Participants* are person-times (人次): registrations recorded as attended at events held.
  A person who came to three events counts three times; waiting, absent and cancelled
  registrations never count.
- The article's *culture and sports events* (文体活动: 16 events, 1616 participants in 2023) are
  the held events of the categories culture, sports and e-sports. Prevention campaigns,
  trainings, party-building and volunteering events are counted by category, but are reported by
  their own figures (prevention work, employment training, volunteer service), not as 文体活动.
- *Prevention videos* are prevention materials of the kind video published (dated) in the year;
  articles are counted apart. *Quiz participants* are the participants of the quiz campaigns that
  ended in the year (their count is final when a quiz closes).
- *Awards* are the places won by Jing'an teams and athletes with an award date in the year, at
  the federation's own events (held ones only) or at competitions held by others.
- *Party days* (党日活动) are the held events of the party-building category; *research topics*
  (调研课题) count in the year their report was done.

The report's figures among these (culture and sports events and participants, prevention videos,
quiz participants) are counted by `reports.figures` over `held_events`, `CULTURE_AND_SPORTS`,
`prevention_videos` and `quiz_campaigns`; the functions here give the fuller picture, on the staff page
of the year's other figures (`reports.views.more_figures`).
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from .models import Award, Event, PreventionMaterial, QuizCampaign, Registration, ResearchTopic
from .selectors import year_bounds

CULTURE_AND_SPORTS = (Event.Category.CULTURE, Event.Category.SPORTS, Event.Category.ESPORTS)
ATTENDED = Q(registrations__attendance=Registration.Attendance.ATTENDED)


@dataclass(frozen=True)
class CategoryYear:
    """One category's events held in a year and their participants."""

    category: str
    label: str
    events: int
    participants: int


@dataclass(frozen=True)
class EventYear:
    """Events held in a year: by category (every category, zeros included) and in total."""

    year: int
    by_category: tuple[CategoryYear, ...]
    events: int
    participants: int


@dataclass(frozen=True)
class AwardYear:
    """Awards won in a year: in total, by team and individual, and by place (only places won)."""

    year: int
    total: int
    team: int
    individual: int
    by_place: tuple[tuple[str, str, int], ...]


def held_events(year: int):
    """The events held in `year`: recorded as held, starting in the year (published or not)."""
    start, end = year_bounds(year)
    return Event.objects.filter(status=Event.Status.HELD, starts_at__gte=start, starts_at__lt=end)


def events_by_category(*, year: int) -> EventYear:
    """Events held in `year` and their participants (person-times), by category, in one query."""
    rows = {
        row["category"]: row
        for row in held_events(year)
        .values("category")
        .annotate(events=Count("id", distinct=True), participants=Count("registrations", filter=ATTENDED))
        .order_by()
    }
    by_category = tuple(
        CategoryYear(
            category=value,
            label=str(label),
            events=rows.get(value, {}).get("events", 0),
            participants=rows.get(value, {}).get("participants", 0),
        )
        for value, label in Event.Category.choices
    )
    return EventYear(
        year=year,
        by_category=by_category,
        events=sum(c.events for c in by_category),
        participants=sum(c.participants for c in by_category),
    )


def awards_won(year: int) -> QuerySet[Award]:
    """The awards and placings of `year`: dated in the year, at our held events or at competitions of others."""
    return Award.objects.filter(awarded_on__year=year).filter(
        Q(event__isnull=True) | Q(event__status=Event.Status.HELD)
    )


def party_days(year: int) -> QuerySet[Event]:
    """The party days (党日活动) of `year`: held events of the party-building category, published or not."""
    return held_events(year).filter(category=Event.Category.PARTY_BUILDING)


def research_topics_reported(year: int) -> QuerySet[ResearchTopic]:
    """The research topics whose report was done in `year`."""
    return ResearchTopic.objects.filter(reported_on__year=year)


def awards(*, year: int) -> AwardYear:
    """Awards dated in `year`, at our held events or elsewhere, in two queries."""
    counted = awards_won(year)
    totals = counted.aggregate(
        total=Count("id"),
        team=Count("id", filter=Q(kind=Award.Kind.TEAM)),
        individual=Count("id", filter=Q(kind=Award.Kind.PERSON)),
    )
    places = dict(counted.values("place").annotate(n=Count("id")).order_by().values_list("place", "n"))
    by_place = tuple((value, str(label), places[value]) for value, label in Award.Place.choices if value in places)
    return AwardYear(year=year, by_place=by_place, **totals)


VIDEO = Q(kind=PreventionMaterial.Kind.VIDEO)


def prevention_materials(year: int) -> QuerySet[PreventionMaterial]:
    """Prevention materials (videos and articles) published in `year`."""
    return PreventionMaterial.objects.filter(published_on__year=year)


def prevention_videos(year: int) -> QuerySet[PreventionMaterial]:
    """Prevention videos published in `year` (articles never count)."""
    return prevention_materials(year).filter(VIDEO)


def quiz_campaigns(year: int) -> QuerySet[QuizCampaign]:
    """Quiz campaigns that ended in `year`; their participants, summed, are the year's quiz participants."""
    return QuizCampaign.objects.filter(ends_on__year=year)


@dataclass(frozen=True)
class PreventionYear:
    """Prevention work of a year: materials published and quiz campaigns closed."""

    year: int
    videos: int
    captioned_videos: int
    signed_videos: int
    articles: int
    quizzes: int
    quiz_participants: int
    prize_winners: int


def prevention(*, year: int) -> PreventionYear:
    """Prevention materials published and quiz campaigns ended in `year`, in two queries."""
    # The videos are prevention_videos(year): the same materials of the year, with the same VIDEO rule.
    materials = prevention_materials(year).aggregate(
        videos=Count("pk", filter=VIDEO),
        captioned_videos=Count("pk", filter=VIDEO & Q(captioned=True)),
        signed_videos=Count("pk", filter=VIDEO & Q(signed=True)),
        articles=Count("pk", filter=Q(kind=PreventionMaterial.Kind.ARTICLE)),
    )
    quizzes = quiz_campaigns(year).aggregate(
        quizzes=Count("pk"),
        quiz_participants=Coalesce(Sum("participants"), 0),
        prize_winners=Coalesce(Sum("prize_winners"), 0),
    )
    return PreventionYear(year=year, **materials, **quizzes)
