"""Every admin change form refuses a stale save over HTTP: generated from the admin registry, so a new admin is covered.

For each registered admin whose change view staff or a superuser can post, two people open the same
record; A saves an edit, B saves the page they opened before: B gets the page back with the conflict
and the record keeps A's edit. A save from the current page still goes through, and a post without
the version token (not a page the portal rendered) is refused.
"""

import datetime
import importlib
from collections.abc import Callable
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.concurrency import CONFLICT, NOT_FROM_PAGE, VERSION_FIELDS
from services.models import User
from services.registry import roles
from tests.conftest import make_user
from tests.services.test_concurrency import page_form_data

pytestmark = pytest.mark.django_db


# --- a record of every model: add a line when you register an admin ----------------------------------


def _person():
    from tests.services.factories import PersonFactory

    return PersonFactory()


def _worker():
    from tests.employment.factories import worker

    return worker()


def _member():
    from services.models import Street

    street = Street.objects.get(code="310106006")
    return make_user(f"member_{User.objects.count()}", roles.COMMITTEE_MEMBER, streets=(street,))


def _need(need: str):
    from tests.services.factories import file_visit

    person = _worker()
    visit = file_visit(person, _member(), needs=[need])
    return visit.follow_ups.get(need=need)


def _referral():
    from employment.actions import referral_create
    from employment.models import Referral

    need = _need("job")
    return referral_create(follow_up=need, kind=Referral.Kind.JOB, by=need.visit.visitor)


def _rehab_referral():
    from services.rehab.actions import rehab_referral_create
    from tests.services.rehab_factories import RehabCentreFactory

    need = _need("rehabilitation")
    return rehab_referral_create(
        follow_up=need, centre=RehabCentreFactory(street=need.visit.person.street), by=need.visit.visitor
    )


def _placement():
    from tests.employment.factories import PlacementFactory

    return PlacementFactory()


def _placement_follow_up():
    from employment.models import PlacementFollowUp

    return PlacementFollowUp.objects.create(placement=_placement(), months=1, due_on=datetime.date(2023, 6, 8))


def _booking():
    from services.escorts import actions as escorts
    from services.models import EscortBooking, EscortService
    from tests.services.factories import eligible_person, make_slot, make_volunteer

    member = _member()
    for n in (1, 2):  # who A and B assign
        make_volunteer(f"escort_{n}", signs=True, phone=f"1370000{n}{n}{n}{n}")
    return escorts.escort_booking_create(
        person=eligible_person(member.street_assignments.get().street),
        slot=make_slot(days_ahead=3),
        need=EscortBooking.Need.DEAF,
        services=list(EscortService.objects.all()[:1]),
        by=member,
    )


def _prevention(make: str):
    def saved():
        from events import actions
        from tests.events import test_prevention

        return actions.prevention_record_save(record=getattr(test_prevention, make)(), by=None)

    return saved


def _interval():
    from django_celery_beat.models import IntervalSchedule

    return IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)


def _beat(name: str) -> Callable:
    def make():
        from django_celery_beat import models

        return {
            "ClockedSchedule": lambda: models.ClockedSchedule.objects.create(clocked_time=timezone.now()),
            "CrontabSchedule": lambda: models.CrontabSchedule.objects.create(minute="0", hour="8"),
            "IntervalSchedule": _interval,
            "SolarSchedule": lambda: models.SolarSchedule.objects.create(
                event="sunrise", latitude=Decimal("31.23"), longitude=Decimal("121.45")
            ),
            "PeriodicTask": lambda: models.PeriodicTask.objects.create(
                name="stale-save", task="services.heartbeat", interval=_interval()
            ),
        }[name]()

    return make


def _axes(name: str) -> Callable:
    def make():
        from axes import models

        fields = {"username": "someone", "ip_address": "127.0.0.1", "user_agent": "test", "path_info": "/"}
        if name == "AccessAttempt":
            return models.AccessAttempt.objects.create(**fields, failures_since_start=1)
        if name == "AccessLog":
            return models.AccessLog.objects.create(**fields)
        return models.AccessFailureLog.objects.create(**fields)

    return make


def _otp(name: str) -> Callable:
    def make():
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        model = TOTPDevice if name == "totp" else StaticDevice
        return model.objects.create(user=make_user(f"owner_{name}", roles.STAFF, is_staff=True), name="device")

    return make


def _application():
    from tests.services.applications.factories import make_application

    return make_application()[0]


def _factory(path: str, **kwargs) -> Callable:
    def make():
        module, name = path.rsplit(".", 1)
        return getattr(importlib.import_module(module), name)(**kwargs)

    return make


def _first(label: str) -> Callable:
    def make():
        from django.apps import apps

        return apps.get_model(label)._default_manager.order_by("pk").first()

    return make


def _volunteer_team():
    from services.models import VolunteerTeam

    return VolunteerTeam.objects.create(name="静安区助聋志愿服务队")


def _annual_plan():
    from reports.figures import FIGURES
    from reports.models import AnnualPlan

    return AnnualPlan.objects.create(year=2023, figure=FIGURES[0].key, target=2000)


def _team_service():
    from services.models import TeamService, VolunteerTeam

    team = VolunteerTeam.objects.create(name="党员先锋队", party_vanguard=True)
    return TeamService.objects.create(team=team, served_on=datetime.date(2023, 3, 1), place="华东医院", person_times=30)


def _research_topic():
    from events.models import ResearchTopic

    return ResearchTopic.objects.create(title="智慧助残", started_on=datetime.date(2023, 9, 1))


def _type_cap():
    from accessibility.models import Retrofit, RetrofitTypeCap

    return RetrofitTypeCap.objects.get_or_create(type=Retrofit.Type.STANDARD, defaults={"cap": Decimal(8000)})[0]


FACTORIES: dict[str, Callable] = {
    "accessibility.deviceissue": _factory("tests.accessibility.factories.DeviceIssueFactory"),
    "accessibility.rampretrofit": _factory("tests.accessibility.factories.RampRetrofitFactory"),
    "accessibility.retrofit": _factory("tests.accessibility.factories.make_retrofit"),
    "accessibility.retrofititem": _factory("tests.accessibility.factories.RetrofitItemFactory"),
    "accessibility.retrofittypecap": _type_cap,
    "accessibility.signlanguagepoint": _factory("tests.accessibility.factories.SignLanguagePointFactory"),
    "auth.group": lambda: Group.objects.create(name="一个小组"),
    "axes.accessattempt": _axes("AccessAttempt"),
    "axes.accessfailurelog": _axes("AccessFailureLog"),
    "axes.accesslog": _axes("AccessLog"),
    "django_celery_beat.clockedschedule": _beat("ClockedSchedule"),
    "django_celery_beat.crontabschedule": _beat("CrontabSchedule"),
    "django_celery_beat.intervalschedule": _beat("IntervalSchedule"),
    "django_celery_beat.periodictask": _beat("PeriodicTask"),
    "django_celery_beat.solarschedule": _beat("SolarSchedule"),
    "employment.course": _factory("tests.employment.factories.CourseFactory"),
    "employment.employer": _factory("tests.employment.factories.EmployerFactory"),
    "employment.enrollment": _factory("tests.employment.factories.EnrollmentFactory"),
    "employment.graduate": _factory("tests.employment.factories.GraduateFactory"),
    "employment.placement": _placement,
    "employment.placementfollowup": _placement_follow_up,
    "employment.referral": _referral,
    "events.award": _factory("tests.events.factories.AwardFactory"),
    "events.event": _factory("tests.events.factories.EventFactory"),
    "events.preventionmaterial": _prevention("material"),
    "events.quizcampaign": _prevention("quiz"),
    "events.registration": _factory("tests.events.factories.PublicRegistrationFactory"),
    "events.researchtopic": _research_topic,
    "otp_static.staticdevice": _otp("static"),
    "otp_totp.totpdevice": _otp("totp"),
    "reports.annualplan": _annual_plan,
    "services.application": lambda: _application(),
    "services.escortbooking": _booking,
    "services.escortservice": _first("services.EscortService"),
    "services.escortslot": _factory("tests.services.factories.make_slot"),
    "services.familydoctorcontract": _factory("tests.services.rehab_factories.ContractFactory"),
    "services.followup": lambda: _need("training"),
    "services.homerehabsession": _factory("tests.services.rehab_factories.SessionFactory"),
    "services.homevisit": lambda: _need("training").visit,
    "services.hospital": _first("services.Hospital"),
    "services.person": _person,
    "services.rehabcentre": _factory("tests.services.rehab_factories.RehabCentreFactory"),
    "services.rehabreferral": _rehab_referral,
    "services.street": _first("services.Street"),
    "services.teamservice": _team_service,
    "services.user": _member,
    "services.volunteer": _factory("tests.services.factories.make_volunteer", username="volunteer_wu"),
    "services.volunteerteam": lambda: _first("services.VolunteerTeam")() or _volunteer_team(),
}

# Change forms that show nothing to edit: django-axes' records, the streets (set by a migration), and
# records changed only through their actions (a referral is closed by an admin action; a visit is filed
# in the field app and its follow-ups are closed on their own page).
NOTHING_TO_EDIT = {
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "services.street",
    "employment.referral",
    "services.homevisit",
    "services.application",  # from the public form; its steps are admin actions calling the actions
}


def _certificate(record) -> tuple[dict, dict]:
    issued = (record.course.starts_on + datetime.timedelta(days=30)).isoformat()
    whole = {"certificate_level": "5", "certificate_issuer": "鉴定中心", "certificate_issued_on": issued}
    return {**whole, "certificate_number": "S1"}, {**whole, "certificate_number": "S2"}


def _ending(record) -> tuple[dict, dict]:
    later = [(record.started_on + datetime.timedelta(days=d)).isoformat() for d in (30, 60)]
    return {"ended_on": later[0], "end_reason": "resigned"}, {"ended_on": later[1], "end_reason": "resigned"}


def _assignment(record) -> tuple[dict, dict]:
    from services.models import Volunteer

    first, second = Volunteer.objects.filter(user__username__in=["escort_1", "escort_2"]).order_by("user__username")
    return {"volunteer": str(first.pk)}, {"volunteer": str(second.pk)}


# Where one field alone cannot change validly, the edit A and B make (record -> (A's, B's)).
EDITS: dict[str, Callable] = {
    "employment.enrollment": _certificate,
    "employment.placement": _ending,
    "services.escortbooking": _assignment,
    "services.rehabreferral": lambda record: (
        {"close": "on", "reason": "已由医院康复科接收"},
        {"close": "on", "reason": "转上级医院"},
    ),
}


# --- the walked set: every admin whose change view staff or a superuser can post ---------------------


def _superuser_request():
    request = RequestFactory().get("/")
    request.user = User(username="walker", is_superuser=True, is_staff=True, is_active=True)
    return request


def editable_admins() -> list[str]:
    request = _superuser_request()
    return sorted(
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_change_permission(request)
    )


def _staff_can_change(label: str) -> bool:
    app, model = label.split(".")
    return f"{app}.change_{model}" in roles.PERMISSIONS[roles.STAFF]


def _client(label: str, username: str) -> Client:
    """Staff where their role may change the model, else a superuser (the only one who can)."""
    if _staff_can_change(label):
        user = make_user(username, roles.STAFF, is_staff=True)
    else:
        user = User.objects.create_superuser(username=username, password="pw-for-tests-only")
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _record(label: str):
    assert label in FACTORIES, f"no factory for {label}: add one to FACTORIES in {__name__}"
    record = FACTORIES[label]()
    assert record is not None, f"FACTORIES[{label!r}] made nothing"
    assert record._meta.label_lower == label, f"FACTORIES[{label!r}] made {record!r}"
    return record


def _url(record) -> str:
    return reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk])


def _values(field: forms.BoundField) -> tuple[dict, dict] | None:
    """Two new values of an editable field as posted (A's and B's), or None to leave the field alone."""
    formfield, name, current = field.field, field.html_name, field.value()
    if isinstance(formfield, forms.ModelChoiceField | forms.MultipleChoiceField | forms.FileField):
        return None
    if isinstance(formfield, forms.SplitDateTimeField):
        when = formfield.compress(formfield.clean(current)) if isinstance(current, list) else current
        when = timezone.localtime(when) if when else timezone.localtime()
        return tuple(  # type: ignore[return-value]
            {f"{name}_0": f"{when + datetime.timedelta(days=d):%Y-%m-%d}", f"{name}_1": f"{when:%H:%M:%S}"}
            for d in (1, 2)
        )
    if isinstance(formfield, forms.ChoiceField):
        others = [str(v) for v, _label in formfield.choices if v not in ("", None) and str(v) != str(current)]
        if not others:
            return None
        return {name: others[0]}, {name: others[1] if len(others) > 1 else str(current or "")}
    if isinstance(formfield, forms.IntegerField | forms.DecimalField | forms.FloatField):
        number = Decimal(str(current)) if current not in (None, "") else Decimal(0)
        return {name: str(number + 1)}, {name: str(number + 2)}
    if isinstance(formfield, forms.DateField) and not isinstance(formfield, forms.DateTimeField):
        day = formfield.to_python(current) if current else timezone.localdate()
        return {name: str(day - datetime.timedelta(days=1))}, {name: str(day - datetime.timedelta(days=2))}
    if isinstance(formfield, forms.CharField) and not isinstance(formfield, forms.EmailField | forms.URLField):
        text, limit = str(current or ""), formfield.max_length or 200
        return {name: (text + "甲")[-limit:]}, {name: (text + "乙")[-limit:]}
    return None


def _editable_fields(page):
    """The fields a person can type into: the record's, then its inline rows' (not the empty extra rows)."""
    yield from page.context["adminform"].form
    for inline in page.context["inline_admin_formsets"]:
        for form in inline.formset.initial_forms:
            yield from form


def _candidates(page, label: str, record) -> list[tuple[dict, dict]]:
    """The edits A could make, text first (the least likely to fall foul of a rule), then the others."""
    if label in EDITS:
        return [EDITS[label](record)]
    order = (forms.CharField, forms.IntegerField, forms.DecimalField, forms.ChoiceField, forms.DateField)
    found = []
    for field in _editable_fields(page):
        if field.name in VERSION_FIELDS or field.is_hidden or field.field.disabled or field.name == "DELETE":
            continue
        values = _values(field)
        if values is not None:
            rank = next((i for i, kind in enumerate(order) if isinstance(field.field, kind)), len(order))
            found.append((rank, len(found), values))
    return [values for _rank, _n, values in sorted(found, key=lambda f: f[:2])]


def _row(record) -> dict:
    """The record as stored now (its version included, so a saved inline row shows too)."""
    fresh = type(record)._default_manager.get(pk=record.pk)
    return {f.attname: getattr(fresh, f.attname) for f in record._meta.concrete_fields}


def _first_valid_edit(client: Client, url: str, page, label: str, record) -> tuple[dict, dict]:
    """Post the page with one edit, edit after edit, until one saves; return A's and B's versions of it."""
    data = page_form_data(page)
    tried = []
    for edits in _candidates(page, label, record):
        if client.post(url, {**data, **edits[0]}).status_code == 302:
            return edits
        tried.append(sorted(edits[0]))
    pytest.fail(f"{label}: no edit of its change form saved (tried {tried}); add one to EDITS")


def _non_field_codes(response) -> list[str]:
    return [e.code for e in response.context["adminform"].form.non_field_errors().as_data()]


WALKED = editable_admins()


def test_every_registered_admin_is_guarded_and_the_walk_covers_those_the_issue_names():
    unguarded = sorted(
        m._meta.label_lower for m, ma in admin.site._registry.items() if not hasattr(ma, "version_checked")
    )
    assert not unguarded, f"admins registered without the version check: {unguarded}"
    named = {
        "services.person",
        "accessibility.retrofit",
        "events.event",
        "events.registration",
        "events.award",
        "reports.annualplan",
        "services.escortservice",
        "services.volunteerteam",
        "django_celery_beat.periodictask",
        "django_celery_beat.crontabschedule",
        "django_celery_beat.intervalschedule",
        "auth.group",
        "services.user",
    }
    assert named <= set(WALKED), named - set(WALKED)
    assert not set(FACTORIES) - {m._meta.label_lower for m in admin.site._registry}, "factories of unregistered admins"


def test_periodic_tasks_are_administered_by_the_portals_own_admin():
    """Lane A re-registers django-celery-beat's PeriodicTaskAdmin in core.admin_schedules (issue 17)."""
    from django_celery_beat.models import PeriodicTask

    model_admin = admin.site._registry[PeriodicTask]
    modules = [klass.__module__ for klass in type(model_admin).__mro__]
    assert "core.admin_schedules" in modules, f"PeriodicTask is administered by {modules[2]}"


@pytest.mark.parametrize("label", WALKED)
def test_a_stale_save_is_refused_on_every_change_form(label):
    record = _record(label)
    url = _url(record)
    a, b = _client(label, "staff_a"), _client(label, "staff_b")
    a_page, b_page = a.get(url), b.get(url)
    assert a_page.status_code == b_page.status_code == 200
    if label in NOTHING_TO_EDIT:
        assert not _candidates(a_page, label, record), f"{label} has fields to edit now: take it out of NOTHING_TO_EDIT"
        return
    b_data = page_form_data(b_page)
    assert b_data.get("seen_version"), f"{label}: the change form carries no version token"
    before = _row(record)

    _a_edit, b_edit = _first_valid_edit(a, url, a_page, label, record)
    after_a = _row(record)
    assert after_a != before, f"{label}: A's edit saved nothing"

    refused = b.post(url, {**b_data, **b_edit})
    assert refused.status_code == 200, f"{label}: the stale save {b_edit} was not refused"
    assert CONFLICT in _non_field_codes(refused)
    assert _row(record) == after_a, f"{label}: the stale save changed the record"


@pytest.mark.parametrize("label", [label for label in WALKED if label not in NOTHING_TO_EDIT])
def test_a_post_without_the_token_is_refused_and_the_page_it_gets_back_saves(label):
    """Not a page the portal rendered: refused; the page sent back carries the token, so saving it works."""
    record = _record(label)
    url = _url(record)
    client = _client(label, "staff_a")
    page = client.get(url)
    data = {k: v for k, v in page_form_data(page).items() if k not in VERSION_FIELDS}
    before = _row(record)
    tried = []
    for edit, _other in _candidates(page, label, record):
        refused = client.post(url, {**data, **edit})
        assert refused.status_code == 200, f"{label}: a post without the version token was saved"
        assert NOT_FROM_PAGE in _non_field_codes(refused)
        assert _row(record) == before
        # (The edit is posted again: a form whose read-only fields follow the record's state, like an
        # enrolment's certificate, shows the refused edit as read-only text on the page sent back.)
        if client.post(url, {**page_form_data(refused), **edit}).status_code == 302:
            assert _row(record) != before
            return
        tried.append(sorted(edit))
    pytest.fail(f"{label}: no edit of its change form saved from the page sent back (tried {tried}); add one to EDITS")


def test_no_admin_edits_rows_on_its_list_page():
    """A list page's editable column saves without the version check, so a colleague's edit would be lost."""
    editable = {
        model._meta.label: model_admin.list_editable
        for model, model_admin in admin.site._registry.items()
        if model_admin.list_editable
    }
    assert editable == {}
