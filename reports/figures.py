"""The figure registry: the only place that names the annual report's figures.

Each `Figure` has a `Tally`: the queryset of the records it counts, from the app that owns them,
what is counted in them and the keys of its breakdowns. Its drill-down lists one row per unit
counted (`Tally.listed`): the records, or the persons or streets a figure of distinct ones counts;
a figure that sums a field lists the records summed, with their total.
The Celery job counts every figure with its breakdowns in one SQL statement (`reports.tally`). The
dashboard, the Excel export, the public page and the `annual_report` command all iterate `FIGURES`;
adding a figure is one entry below.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accessibility import stats as accessibility_stats
from accessibility.models import DeviceIssue, DeviceType, RampRetrofit, Retrofit, SignLanguagePoint
from employment import stats as employment_stats
from employment.models import CertificateLevel
from events import stats as event_stats
from events.models import Event, Registration
from services.models import (
    EscortBooking,
    EscortService,
    FollowUp,
    HomeRehabSession,
    HomeVisit,
    Hospital,
    Person,
    RehabCentre,
    Street,
    TeamService,
)

from .tally import Counted, Streets, Tally, count_all, record_ids

# Breakdowns read what the record kept when the service was given (its street and the person's category
# then), never the person's today: a closed year stays put when a person moves or is reassessed, and
# the report's statement needs no join to the registry for them.
BY_STREET = {"street": "street__code"}
BY_CATEGORY = {"category": "category"}
PERSONS: dict[str, Any] = {"count": "person", "distinct": True}  # each person once, however many records


@dataclass(frozen=True)
class Column:
    """One column of a figure's drill-down list: a heading and how to read it from a record."""

    label: Promise  # gettext_lazy: read in the active language
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Figure:
    """One figure of the annual report, defined once."""

    key: str
    # Visible texts are lazy gettext strings: the catalogues (locale/) hold their Chinese and English.
    label: Promise
    unit: Promise
    tally: Tally
    columns: tuple[Column, ...]
    # The rows a figure's drill-down lists, when they are not `Tally.listed` (one per unit counted).
    listed: Callable[[int], QuerySet] | None = None
    # Sentence template (str.format, gettext): {value} {unit} {plan} {above} {percent} {share} {b[name][key]} {f[key]}
    # {vs_plan}: where the comparison with an approved plan goes, right after the value it is about (at the
    # end when the template has no {vs_plan}); empty without a plan.
    sentence: Promise | str = ""
    has_plan: bool = True  # staff may set a target for it in AnnualPlan
    share_of: str = ""  # another figure's key: {share} is this value as a percentage of that one
    select_related: tuple[str, ...] = ()

    def compute(self, year: int, streets: Streets = None) -> int:
        """The figure for `year` on the given streets (the whole district when None), in one query."""
        return self.tally.value(year, streets)

    def drilldown(self, year: int) -> QuerySet:
        """The rows behind the figure for `year`: as many as the figure counts (with `tally.total`, their
        summed field adds up to it)."""
        return (self.listed or self.tally.listed)(year)


# The record columns shared by figures about persons: masked numbers only, never the full ones.
PERSON_COLUMNS = (
    Column(_("Name"), lambda r: r.person.name),
    Column(_("ID number"), lambda r: r.person.masked_id_number),
    Column(pgettext_lazy("disability", "Category"), lambda r: r.get_category_display()),
    Column(_("Street"), lambda r: r.street.name if r.street_id else ""),
)
# The columns of a figure that counts persons and lists each once (Tally.listed): the person's own fields.
PERSON_LISTED_COLUMNS = (
    Column(_("Name"), lambda r: r.name),
    Column(_("ID number"), lambda r: r.masked_id_number),
    Column(pgettext_lazy("disability", "Category"), lambda r: r.get_category_display()),
    Column(_("Street"), lambda r: r.street.name),
)


def persons_figure(
    *, key: str, label: Promise, records: Callable[[int], QuerySet], by: dict[str, str], **options: Any
) -> Figure:
    """A figure that counts the persons in `records`, each once however many records they have, broken
    down `by` the records' own fields, and lists each person once with their own columns."""
    return Figure(
        key=key,
        label=label,
        unit=pgettext_lazy("unit", "people"),
        tally=Tally(records, **PERSONS, by=by),
        select_related=("street",),
        columns=PERSON_LISTED_COLUMNS,
        **options,
    )


# Escort clinics


def escort_bookings_completed(year: int) -> QuerySet[EscortBooking]:
    """The records behind escort person-visits: completed escorts whose clinic session is in `year`, of people
    within the escort rules (those booked by a staff exception are counted apart, below)."""
    return EscortBooking.objects.filter(
        slot__starts_at__year=year, status=EscortBooking.Status.COMPLETED, eligibility_override=""
    )


def escort_bookings_by_exception(year: int) -> QuerySet[EscortBooking]:
    """The records behind escorts by exception: completed escorts in `year` of people outside the escort rules,
    booked by staff with a reason (the article's sentence names only the people within the rules)."""
    return EscortBooking.objects.filter(slot__starts_at__year=year, status=EscortBooking.Status.COMPLETED).exclude(
        eligibility_override=""
    )


ESCORT_PERSON_VISITS = Figure(
    key="escort_person_visits",
    label=_("Escort clinic person-visits"),
    unit=pgettext_lazy("unit", "person-visits"),
    tally=Tally(
        escort_bookings_completed,
        by={"hospital": "slot__hospital__name_zh", "service": "services__code", **BY_STREET, **BY_CATEGORY},
    ),
    select_related=("person", "street", "slot__hospital"),
    columns=(
        *PERSON_COLUMNS,
        Column(_("Hospital"), lambda r: str(r.slot.hospital)),
        Column(_("Time"), lambda r: r.slot.starts_at),
    ),
    sentence=_("{value} escort clinic person-visits for deaf and blind patients in the year"),
)

ESCORT_BY_EXCEPTION = Figure(
    key="escort_by_exception",
    label=_("Escort clinic person-visits by staff exception"),
    unit=pgettext_lazy("unit", "person-visits"),
    tally=Tally(escort_bookings_by_exception, by={"hospital": "slot__hospital__name_zh", **BY_STREET, **BY_CATEGORY}),
    select_related=("person", "street", "slot__hospital"),
    columns=(
        *ESCORT_PERSON_VISITS.columns,
        Column(_("Eligibility exception"), lambda r: r.eligibility_override),
    ),
    has_plan=False,
)


# Accessibility


RETROFITS = Figure(
    key="home_retrofits",
    label=_("Home retrofits"),
    unit=pgettext_lazy("unit", "households"),
    # The article counts homes (households): two members of one household make one retrofitted home.
    tally=Tally(
        accessibility_stats.accepted_retrofits,
        count="household",
        distinct=True,
        by={"type": "type", **BY_STREET, **BY_CATEGORY},
    ),
    # Listed as it counts: each home once (Tally.listed gives the households, not their cases).
    select_related=("street",),
    columns=(
        Column(_("Household"), lambda h: h),
        Column(_("Street"), lambda h: h.street.name),
    ),
    sentence=_("{value} home retrofits completed{vs_plan}: {b[type][standard]} standard and {b[type][basic]} basic"),
)


def ramps_completed(year: int) -> QuerySet[RampRetrofit]:
    """The records behind ramp passages: ramps completed in `year`."""
    return RampRetrofit.objects.filter(completed_on__year=year)


RAMP_PASSAGES = Figure(
    key="ramp_passages",
    label=_("Ramp retrofits on old compounds' passages"),
    unit=pgettext_lazy("unit", "passages"),
    tally=Tally(ramps_completed, by=BY_STREET),
    select_related=("street",),
    columns=(
        Column(_("Street"), lambda r: r.street.name),
        Column(_("Compound"), lambda r: r.compound),
        Column(_("Passage"), lambda r: r.passage),
        Column(_("Completed on"), lambda r: r.completed_on),
    ),
    sentence=_("Ramps built on {value} passages of old compounds in {f[ramp_streets]} streets{vs_plan}"),
)

RAMP_STREETS = Figure(
    key="ramp_streets",
    label=_("Streets with ramp retrofits"),
    unit=pgettext_lazy("unit", "streets"),
    tally=Tally(ramps_completed, count="street", distinct=True),
    columns=(Column(_("Street"), lambda r: r.name),),
    has_plan=False,
)


def sign_language_points(year: int) -> QuerySet[SignLanguagePoint]:
    """The records behind sign-language points: points in service on 31 December of `year`."""
    year_end = datetime.date(year, 12, 31)
    return SignLanguagePoint.objects.filter(in_service_from__lte=year_end).filter(
        Q(in_service_to__isnull=True) | Q(in_service_to__gte=year_end)
    )


SIGN_LANGUAGE_POINTS = Figure(
    key="sign_language_points",
    label=_("Online sign-language video points"),
    unit=pgettext_lazy("unit", "points"),
    tally=Tally(sign_language_points, by={"kind": "kind", **BY_STREET}),
    select_related=("street",),
    columns=(
        Column(_("Venue"), lambda r: r.venue),
        Column(_("Kind"), lambda r: r.get_kind_display()),
        Column(_("Street"), lambda r: r.street.name),
        Column(_("In service from"), lambda r: r.in_service_from),
    ),
    sentence=_("{value} online sign-language video points in service"),
)


# Issued to a person whose disability, as when it was issued (the record's own category), is or (a multiple
# one) includes the intellectual category: Person.has_category. Which categories a multiple one holds is the person's.
INTELLECTUAL = Q(category=Person.Category.INTELLECTUAL) | Q(
    category=Person.Category.MULTIPLE,
    person__multiple_categories__contains=str(Person.Category.INTELLECTUAL.value),
)


def wristbands_issued(year: int) -> QuerySet[DeviceIssue]:
    """The records behind wristbands: smart wristbands issued in `year` to people with an intellectual
    disability, as the sentence says; those issued to others are not its figure."""
    return DeviceIssue.objects.filter(INTELLECTUAL, issued_on__year=year, device_type=DeviceType.SMART_WRISTBAND)


WRISTBANDS = Figure(
    key="smart_wristbands",
    label=_("Smart wristbands issued"),
    unit=pgettext_lazy("unit", "wristbands"),
    tally=Tally(wristbands_issued, by={**BY_STREET, **BY_CATEGORY}),
    select_related=("person", "street"),
    columns=(*PERSON_COLUMNS, Column(_("Issued on"), lambda r: r.issued_on)),
    sentence=_("{value} smart wristbands issued to people with intellectual disabilities"),
)


# Employment


TRAINED = persons_figure(
    key="trained",
    label=_("Working-age people trained"),
    records=employment_stats.trained_enrollments,
    by={**BY_STREET, **BY_CATEGORY},
    sentence=_("{value} working-age disabled people trained"),
)

CERTIFIED = persons_figure(
    key="certified",
    label=_("People certified"),
    records=employment_stats.certificates_issued,
    by={**BY_STREET, **BY_CATEGORY, "level": "certificate_level"},
    sentence=_("{value} people earned a vocational skill certificate"),
)

PLACED = persons_figure(
    key="placed",
    label=_("People placed in jobs"),
    records=employment_stats.recommended_placements,
    by={**BY_STREET, **BY_CATEGORY},
    sentence=_("{value} people placed in jobs on the federation's recommendation"),
)

NEW_GRADUATES = persons_figure(
    key="new_graduates",
    label=_("New graduates"),
    records=employment_stats.graduates_of,
    by=BY_STREET,
    has_plan=False,
)


def graduates_placed(year: int) -> QuerySet:
    """The records behind new graduates placed: graduates of `year` with a placement as a new graduate."""
    return employment_stats.graduates_of(year).filter(is_placed=True)


NEW_GRADUATES_PLACED = persons_figure(
    key="new_graduates_placed",
    label=_("New graduates placed"),
    records=graduates_placed,
    by=BY_STREET,
    share_of="new_graduates",
    sentence=_("{value} of {f[new_graduates]} new graduates placed in jobs ({share}%)"),
)


# Events


def culture_and_sports_events(year: int) -> QuerySet[Event]:
    """The records behind culture and sports events: those held in `year` (published, not cancelled)."""
    return event_stats.held_events(year).filter(category__in=event_stats.CULTURE_AND_SPORTS)


def culture_and_sports_attendance(year: int) -> QuerySet[Registration]:
    """The records behind participants: attended registrations at culture and sports events held in `year`."""
    return Registration.objects.filter(
        event__in=culture_and_sports_events(year), attendance=Registration.Attendance.ATTENDED
    )


CULTURE_EVENTS = Figure(
    key="culture_events",
    label=_("Culture and sports events"),
    unit=pgettext_lazy("unit", "events"),
    tally=Tally(culture_and_sports_events, by={"event_category": "category"}, street=None),
    columns=(
        Column(_("Event"), lambda r: r.title),
        Column(_("Category"), lambda r: r.get_category_display()),
        Column(_("Starts"), lambda r: r.starts_at),
    ),
    sentence=_("{value} culture and sports events held{vs_plan}, with {f[culture_participants]} participants"),
)

CULTURE_PARTICIPANTS = Figure(
    key="culture_participants",
    label=_("Culture and sports participants"),
    unit=pgettext_lazy("unit", "person-times"),
    tally=Tally(culture_and_sports_attendance, by={"event_category": "event__category"}, street=None),
    select_related=("event", "person", "street"),
    columns=(
        Column(_("Event"), lambda r: r.event.title),
        Column(_("Name"), lambda r: r.person.name if r.person_id else r.name),
        Column(_("ID number"), lambda r: r.person.masked_id_number if r.person_id else ""),
        Column(_("Street"), lambda r: r.street.name if r.street_id else ""),
    ),
)


# Rehabilitation, prevention and the campaign visits (issue 12)


def rehab_homes_certified(year: int) -> QuerySet[RehabCentre]:
    """The records behind rehabilitation homes: centres certified on 31 December of `year` (revoked later still
    count)."""
    return RehabCentre.objects.certified_at_end_of(year)


def home_rehab_sessions(year: int) -> QuerySet[HomeRehabSession]:
    """The records behind home rehabilitation: sessions given in `year` under a family-doctor contract (the
    sentence counts rehabilitation brought home with family-doctor contracts; a session without one is not)."""
    return HomeRehabSession.objects.filter(given_on__year=year, contract__isnull=False)


def campaign_visits_with_help(year: int) -> QuerySet[HomeVisit]:
    """The records behind campaign visits with targeted help: campaign visits in `year`, in the person's home
    (the sentence's home survey: not a phone call nor a meeting elsewhere), that found at least one need."""
    return HomeVisit.objects.filter(
        Exists(FollowUp.objects.filter(visit=OuterRef("pk"))),
        purpose=HomeVisit.Purpose.CAMPAIGN,
        mode=HomeVisit.Mode.HOME,
        visited_on__year=year,
    )


def _people_helped_in_the_campaign(year: int) -> QuerySet[Person]:
    """The persons behind the campaign figure: each person visited and helped in `year`, once."""
    return Person.objects.filter(pk__in=campaign_visits_with_help(year).values("person"))


REHAB_HOMES = Figure(
    key="rehab_homes",
    label=pgettext_lazy("annual report figure", "Rehabilitation homes"),
    unit=pgettext_lazy("unit", "centres"),
    tally=Tally(rehab_homes_certified, by=BY_STREET),
    select_related=("street",),
    columns=(
        Column(_("Community health service centre"), lambda r: r.name),
        Column(_("Street"), lambda r: r.street.name),
        Column(_("Municipal acceptance"), lambda r: r.accepted_on),
    ),
    sentence=_("{value} community health service centres accepted by the city as rehabilitation homes"),
)

HOME_REHAB_PEOPLE = persons_figure(
    key="home_rehab_people",
    label=_("People given rehabilitation at home"),
    records=home_rehab_sessions,
    by={**BY_STREET, **BY_CATEGORY},
    sentence=_("Rehabilitation brought to {value} people at home, in {f[home_rehab_sessions]} sessions"),
)

HOME_REHAB_SESSIONS = Figure(
    key="home_rehab_sessions",
    label=_("Home rehabilitation sessions"),
    unit=pgettext_lazy("unit", "sessions"),
    tally=Tally(home_rehab_sessions, by={"session_kind": "kind", **BY_STREET}),
    select_related=("person", "street", "centre"),
    columns=(
        *PERSON_COLUMNS,
        Column(pgettext_lazy("rehabilitation session", "Kind"), lambda r: r.get_kind_display()),
        Column(_("Date"), lambda r: r.given_on),
        Column(_("Centre"), lambda r: r.centre.name),
    ),
)


PREVENTION_VIDEOS = Figure(
    key="prevention_videos",
    label=_("Prevention videos published"),
    unit=pgettext_lazy("unit", "videos"),
    tally=Tally(event_stats.prevention_videos, street=None),
    columns=(
        Column(_("Title"), lambda r: r.title),
        Column(_("Published on"), lambda r: r.published_on),
        Column(_("Captioned"), lambda r: "✓" if r.captioned else ""),
        Column(_("Sign language"), lambda r: "✓" if r.signed else ""),
    ),
    sentence=_("{value} disability prevention videos published"),
)

QUIZ_PARTICIPANTS = Figure(
    key="quiz_participants",
    label=_("Prevention quiz participants"),
    unit=pgettext_lazy("unit", "participants"),
    tally=Tally(event_stats.quiz_campaigns, total="participants", street=None),
    columns=(
        Column(_("Quiz"), lambda r: r.title),
        Column(pgettext_lazy("quiz", "Starts"), lambda r: r.starts_on),
        Column(_("Ends"), lambda r: r.ends_on),
        Column(_("Participants"), lambda r: r.participants),
        Column(_("Prize winners"), lambda r: r.prize_winners),
    ),
    sentence=_("{value} person-times took part in the online prevention quiz"),
)

# The article counts persons ("130-odd people"): a person visited twice counts once.
CAMPAIGN_VISITS_HELPED = persons_figure(
    key="campaign_visits_helped",
    label=_("People visited at home in the campaign and given targeted help"),
    records=campaign_visits_with_help,
    by={**BY_STREET, **BY_CATEGORY},
    listed=_people_helped_in_the_campaign,
    sentence=_("{value} people visited at home in the campaign and given targeted help"),
)


# The article's other numbers (issue 19): awards, the party vanguard teams' services, party days, research topics


AWARDS = Figure(
    key="awards",
    label=_("Awards and placings won"),
    unit=pgettext_lazy("unit", "awards"),
    tally=Tally(event_stats.awards_won, street=None),
    select_related=("person", "event"),
    columns=(
        Column(_("Competition"), lambda r: r.competition),
        Column(_("Place"), lambda r: r.get_place_display()),
        Column(_("Winner"), lambda r: r.team_name or r.person.name),
        Column(_("Awarded on"), lambda r: r.awarded_on),
    ),
    has_plan=False,
    sentence=_("Jing'an's disabled competitors and teams won {value} awards and placings"),
)


def vanguard_services(year: int) -> QuerySet[TeamService]:
    """The records behind the party vanguard teams' services: services their teams gave in `year`."""
    return TeamService.objects.filter(team__party_vanguard=True, served_on__year=year)


VANGUARD_COLUMNS = (
    Column(_("Volunteer team"), lambda r: r.team.name),
    Column(_("Served on"), lambda r: r.served_on),
    Column(_("Location"), lambda r: r.place),
    Column(_("Person-times"), lambda r: r.person_times),
)

VANGUARD_SERVICES = Figure(
    key="vanguard_services",
    label=_("Party vanguard teams' volunteer services"),
    unit=pgettext_lazy("unit", "services"),
    tally=Tally(vanguard_services, street=None),
    select_related=("team",),
    columns=VANGUARD_COLUMNS,
    sentence=_(
        "The party vanguard teams gave {value} volunteer services, serving {f[vanguard_person_times]} person-times"
    ),
)

VANGUARD_PERSON_TIMES = Figure(
    key="vanguard_person_times",
    label=_("Person-times served by the party vanguard teams"),
    unit=pgettext_lazy("unit", "person-times"),
    tally=Tally(vanguard_services, total="person_times", street=None),
    select_related=("team",),
    columns=VANGUARD_COLUMNS,
)

PARTY_DAYS = Figure(
    key="party_days",
    label=_("Party days held"),
    unit=pgettext_lazy("unit", "events"),
    tally=Tally(event_stats.party_days, street=None),
    columns=(
        Column(_("Event"), lambda r: r.title),
        Column(_("Starts"), lambda r: r.starts_at),
    ),
    has_plan=False,
    sentence=_("{value} party days held"),
)

RESEARCH_TOPICS = Figure(
    key="research_topics",
    label=_("Research topics reported"),
    unit=pgettext_lazy("unit", "topics"),
    tally=Tally(event_stats.research_topics_reported, street=None),
    columns=(
        Column(_("Title"), lambda r: r.title),
        Column(_("Research started on"), lambda r: r.started_on),
        Column(_("Report done on"), lambda r: r.reported_on),
    ),
    has_plan=False,
    sentence=_("{value} research topics studied, each with its research report"),
)


FIGURES: tuple[Figure, ...] = (
    ESCORT_PERSON_VISITS,
    ESCORT_BY_EXCEPTION,
    RETROFITS,
    RAMP_PASSAGES,
    RAMP_STREETS,
    SIGN_LANGUAGE_POINTS,
    WRISTBANDS,
    TRAINED,
    CERTIFIED,
    PLACED,
    NEW_GRADUATES,
    NEW_GRADUATES_PLACED,
    CULTURE_EVENTS,
    CULTURE_PARTICIPANTS,
    REHAB_HOMES,
    HOME_REHAB_PEOPLE,
    HOME_REHAB_SESSIONS,
    PREVENTION_VIDEOS,
    QUIZ_PARTICIPANTS,
    CAMPAIGN_VISITS_HELPED,
    AWARDS,
    VANGUARD_SERVICES,
    VANGUARD_PERSON_TIMES,
    PARTY_DAYS,
    RESEARCH_TOPICS,
)
BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}
assert len(BY_KEY) == len(FIGURES), "figure keys must be unique"


def counted(year: int, figures: Iterable[Figure] = FIGURES) -> dict[str, Counted]:
    """The figures' values and breakdowns for `year`, by key, in one SQL statement."""
    return count_all({figure.key: figure.tally for figure in figures}, year)


def listed_ids(year: int, figures: Iterable[Figure] = FIGURES) -> dict[str, list[int]]:
    """The primary keys of the rows each figure's drill-down lists for `year`, by key, in one SQL statement."""
    return record_ids({figure.key: figure.drilldown(year) for figure in figures})


def counted_for_model(model: type[Model], year: int) -> dict[str, dict[str, Any]]:
    """The figures of `year` whose records are `model`'s, value and breakdowns by key, in one SQL statement.

    Registered with services.corrections: a correction counts them before and after its change.
    """
    tallies = {f.key: f.tally for f in FIGURES if f.tally.records(year).model is model}
    return {key: {"value": c.value, "breakdowns": c.breakdowns} for key, c in count_all(tallies, year).items()}


# What a drill-down's search box reads, by the model it lists: names, titles and places, never an ID or certificate
# number (a whole number searched for would confirm who holds it: services.registry.reveal). A test walks FIGURES.
SEARCH_FIELDS: dict[str, tuple[str, ...]] = {
    "services.EscortBooking": ("person__name", "slot__hospital__name_zh", "department"),
    "services.Household": ("address",),
    "services.Street": ("name_zh", "name_en"),
    "services.Person": ("name",),
    "services.RehabCentre": ("name",),
    "services.HomeRehabSession": ("person__name", "centre__name"),
    "services.TeamService": ("team__name", "place"),
    "accessibility.RampRetrofit": ("compound", "passage"),
    "accessibility.SignLanguagePoint": ("venue",),
    "accessibility.DeviceIssue": ("person__name",),
    "events.Event": ("title",),
    "events.Registration": ("person__name", "name", "event__title"),
    "events.PreventionMaterial": ("title",),
    "events.QuizCampaign": ("title",),
    "events.Award": ("competition", "team_name", "person__name"),
    "events.ResearchTopic": ("title",),
}


def search_fields(model: type[Model]) -> tuple[str, ...]:
    """The fields a drill-down of `model`'s rows searches. Raises KeyError for a model with none named."""
    return SEARCH_FIELDS[model._meta.label]


def street_lookup(model: type[Model]) -> str | None:
    """How a drill-down of `model`'s rows is narrowed to one street (by its code); None when its rows have none."""
    if model is Street:
        return "code"
    if any(f.name == "street" and f.is_relation for f in model._meta.get_fields()):
        return "street__code"
    return None


def get(key: str) -> Figure:
    """The figure called `key`. Raises KeyError."""
    return BY_KEY[key]


def plan_choices() -> list[tuple[str, Promise]]:
    """The figures a plan can set a target for, as choices in the active language (called by the model field)."""
    return [(f.key, f.label) for f in FIGURES if f.has_plan]


# Breakdowns: their names, and how their keys read.

BREAKDOWN_NAMES = {
    "street": _("By street"),
    "category": _("By disability category"),
    "hospital": _("By hospital"),
    "service": _("By service"),
    "type": _("By retrofit type"),
    "kind": _("By kind of venue"),
    "level": _("By certificate level"),
    "event_category": _("By event category"),
    "session_kind": _("By kind of session"),
}


def breakdown_name(name: str) -> str:
    """The breakdown's name in the active language (its key when it has none)."""
    return str(BREAKDOWN_NAMES.get(name, name))


def _choice_labels(choices: Iterable[tuple[Any, Any]]) -> Callable[[], dict[str, str]]:
    return lambda: {str(value): str(label) for value, label in choices}


# How each breakdown's keys read in the active language (a query for those named in a table).
KEY_LABELS: dict[str, Callable[[], dict[str, str]]] = {
    "street": lambda: {s.code: s.name for s in Street.objects.all()},
    "category": _choice_labels(Person.Category.choices),
    "hospital": lambda: {h.name_zh: str(h) for h in Hospital.objects.all()},
    "service": lambda: {s.code: str(s) for s in EscortService.objects.all()},
    "type": _choice_labels(Retrofit.Type.choices),
    "kind": _choice_labels(SignLanguagePoint.Kind.choices),
    "level": _choice_labels(CertificateLevel.choices),
    "event_category": _choice_labels(Event.Category.choices),
    "session_kind": _choice_labels(HomeRehabSession.Kind.choices),
}


def key_labels(names: Iterable[str]) -> dict[str, dict[str, str]]:
    """For each breakdown name, its keys' labels in the active language (one query per named table)."""
    return {name: KEY_LABELS.get(name, dict)() for name in set(names)}
