"""Every admin action, ours and third-party, declares its permission, and a read-only role changes nothing with it.

Generated from admin.site._registry: a new admin or a new action is tested the day it is added. A model
whose admin offers actions needs a row builder in BUILDERS below (reusing tests/*/factories.py).
"""

import datetime
import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as AxesAccessLog
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accessibility import actions as accessibility_actions
from accessibility.models import RetrofitTypeCap
from accounts.actions import otp_devices_reset
from core.concurrency import OptimisticLockAdminMixin
from employment import actions as employment_actions
from employment.models import Certificate, Enrollment, PlacementFollowUp, Referral
from events import actions as events_actions
from events.prevention import PreventionMaterial, QuizCampaign
from reports.actions import annual_plan_approve, annual_report_freeze
from reports.models import AnnualPlan, AnnualReport
from services.escorts import actions as escorts
from services.models import (
    Application,
    AuditEntry,
    EscortBooking,
    EscortService,
    EscortSlot,
    Hospital,
    Street,
    User,
    Volunteer,
    VolunteerTeam,
)
from services.registry import roles
from tests.accessibility.factories import (
    RampRetrofitFactory,
    RetrofitFactory,
    SignLanguagePointFactory,
    make_retrofit,
)
from tests.conftest import make_user
from tests.employment.factories import CourseFactory, EnrollmentFactory, GraduateFactory, PlacementFactory, worker
from tests.events.factories import AwardFactory, EventFactory, PersonRegistrationFactory, in_days
from tests.services.applications.factories import make_application
from tests.services.factories import eligible_person, file_visit, make_slot, make_volunteer

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


def _staff() -> User:
    return make_user(f"builder{next(_n)}", roles.STAFF, is_staff=True)


def _booking() -> EscortBooking:
    person = eligible_person(_street())
    return escorts.escort_booking_create(
        person=person,
        slot=make_slot(),
        need="deaf",
        services=list(EscortService.objects.filter(code="registration")),
        by=_staff(),
    )


def _completed_booking() -> EscortBooking:
    """A booking recorded as given (written directly: its session is still to come), for the correction."""
    booking = _booking()
    EscortBooking.objects.filter(pk=booking.pk).update(status=EscortBooking.Status.COMPLETED, minutes=60)
    booking.refresh_from_db()
    return booking


def _street() -> Street:
    return Street.objects.get(code="310106006")


def _referral() -> Referral:
    member = make_user(f"member{next(_n)}", roles.COMMITTEE_MEMBER, streets=(_street(),))
    visit = file_visit(worker(street=_street()), by=member, needs=["job"], purpose="needs_assessment")
    return employment_actions.referral_create(follow_up=visit.follow_ups.get(need="job"), kind="job", by=member)


def _enrolled() -> Enrollment:
    today = timezone.localdate()
    course = CourseFactory(starts_on=today - datetime.timedelta(days=40), ends_on=today - datetime.timedelta(days=1))
    return EnrollmentFactory(course=course, status=Enrollment.Status.ENROLLED)


def _certificate() -> Enrollment:
    return EnrollmentFactory(
        certificate_level="5",
        certificate_issuer="上海市职业技能鉴定中心",
        certificate_issued_on=datetime.date(2023, 5, 1),
    )


def _past_registration():
    event = EventFactory(starts_at=in_days(-1), ends_at=in_days(-1) + datetime.timedelta(hours=2))
    return PersonRegistrationFactory(event=event)


def _done_report() -> AnnualReport:
    return AnnualReport.objects.create(
        year=2023, status=AnnualReport.Status.DONE, generated_at=timezone.now(), progress_done=1, progress_total=1
    )


def _periodic_task(*, enabled: bool = False) -> PeriodicTask:
    """A job switched off (enable and toggle change it) or on, after a run (disable changes it)."""
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    return PeriodicTask.objects.create(
        name=f"job{next(_n)}",
        task="services.send_escort_reminders",
        interval=every,
        enabled=enabled,
        last_run_at=timezone.now(),
    )


def _user() -> User:
    user = make_user(f"someone{next(_n)}", roles.STAFF, is_staff=True)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


_AXES = {"user_agent": "test", "http_accept": "*/*", "path_info": "/accounts/login/", "username": "someone"}

# One real row per model whose admin offers actions: a row each action would change (a booked escort,
# an unpublished event, an enrolment in progress...), so an action that ran would show.
BUILDERS: dict[type[models.Model], Callable[[], models.Model]] = {
    Group: lambda: Group.objects.create(name=f"group{next(_n)}"),
    User: _user,
    PeriodicTask: _periodic_task,
    ClockedSchedule: lambda: ClockedSchedule.objects.create(clocked_time=timezone.now()),
    CrontabSchedule: lambda: CrontabSchedule.objects.create(minute="5", hour="3"),
    SolarSchedule: lambda: SolarSchedule.objects.create(
        event="sunrise", latitude=Decimal("31.23"), longitude=Decimal("121.45")
    ),
    IntervalSchedule: lambda: IntervalSchedule.objects.create(every=7, period=IntervalSchedule.DAYS),
    AccessAttempt: lambda: AccessAttempt.objects.create(
        **_AXES, get_data="", post_data="", failures_since_start=3, attempt_time=timezone.now()
    ),
    AxesAccessLog: lambda: AxesAccessLog.objects.create(**_AXES),
    AccessFailureLog: lambda: AccessFailureLog.objects.create(**_AXES),
    TOTPDevice: lambda: TOTPDevice.objects.get(user=_user()),
    StaticDevice: lambda: StaticDevice.objects.create(user=_user(), name="backup", confirmed=True),
    Hospital: lambda: Hospital.objects.first(),
    EscortService: lambda: EscortService.objects.first(),
    VolunteerTeam: lambda: VolunteerTeam.objects.create(name=f"陪诊队{next(_n)}"),
    Volunteer: lambda: make_volunteer(f"volunteer{next(_n)}"),
    EscortSlot: make_slot,
    EscortBooking: _booking,
    RetrofitTypeCap: lambda: RetrofitTypeCap.objects.create(type="standard", cap=Decimal(8000)),
    RampRetrofitFactory._meta.model: RampRetrofitFactory,
    SignLanguagePointFactory._meta.model: SignLanguagePointFactory,
    RetrofitFactory._meta.model: RetrofitFactory,
    PlacementFactory._meta.model: PlacementFactory,
    Application: lambda: make_application()[0],
    PlacementFollowUp: lambda: PlacementFollowUp.objects.create(
        placement=PlacementFactory(), months=1, due_on=datetime.date(2023, 6, 8)
    ),
    GraduateFactory._meta.model: GraduateFactory,
    Referral: _referral,
    Enrollment: _enrolled,
    Certificate: _certificate,
    EventFactory._meta.model: lambda: EventFactory(is_published=False),
    PersonRegistrationFactory._meta.model: _past_registration,
    AwardFactory._meta.model: AwardFactory,
    PreventionMaterial: lambda: PreventionMaterial.objects.create(
        kind="article", title="预防知识", url=f"https://example.org/{next(_n)}", published_on=datetime.date(2023, 3, 3)
    ),
    QuizCampaign: lambda: QuizCampaign.objects.create(
        title="知识竞答", starts_on=datetime.date(2023, 3, 1), ends_on=datetime.date(2023, 3, 31)
    ),
    AnnualPlan: lambda: AnnualPlan.objects.create(year=2023, figure="escort_visits", target=2000),
    AnnualReport: _done_report,
}


def _plan_with_document() -> AnnualPlan:
    return AnnualPlan.objects.create(
        year=2023, figure="placed", target=300, document="区政府文件", document_date=datetime.date(2023, 1, 6)
    )


# Where one row cannot show every action's effect, the row for one action.
BUILDERS_FOR_ACTION: dict[tuple[type[models.Model], str], Callable[[], models.Model]] = {
    (PeriodicTask, "disable_tasks"): lambda: _periodic_task(enabled=True),
    (EventFactory._meta.model, "mark_held"): lambda: EventFactory(starts_at=in_days(-3)),
    (AnnualPlan, "approve"): lambda: _plan_with_document(),
}


def _superuser_actions(model_admin: admin.ModelAdmin) -> dict:
    request = RequestFactory().get("/")
    request.user = User(username="root", is_superuser=True, is_staff=True, is_active=True)
    return model_admin.get_actions(request)


ACTIONS = [
    pytest.param(model, name, id=f"{model._meta.label_lower}:{name}")
    for model, model_admin in admin.site._registry.items()
    for name in _superuser_actions(model_admin)
]


def _snapshot(model: type[models.Model], pk) -> dict | None:
    row = model._base_manager.filter(pk=pk).first()
    return None if row is None else {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}


def test_the_periodic_jobs_admin_is_ours_and_the_walk_finds_it():
    """The walk finds the actions this issue is about (an empty walk cannot pass silently), and the jobs'
    admin is the re-registered one, whose change form refuses a stale save."""
    names = {(model._meta.label_lower, name) for model, name in (p.values for p in ACTIONS)}
    assert ("services.escortbooking", "cancel_selected") in names
    assert ("django_celery_beat.periodictask", "run_tasks") in names
    assert ("services.escortbooking", "void_selected") in names
    assert {("accessibility.retrofit", "correct_type"), ("accessibility.retrofit", "void_selected")} <= names
    assert isinstance(admin.site._registry[PeriodicTask], OptimisticLockAdminMixin)


@pytest.mark.parametrize(("model", "name"), ACTIONS)
def test_every_admin_action_declares_its_permissions(model, name):
    func = _superuser_actions(admin.site._registry[model])[name][0]
    assert getattr(func, "allowed_permissions", None), (
        f"The admin action {name!r} of {model._meta.label} declares no permissions: add "
        "@admin.action(permissions=[...]) (for a third-party admin, re-register a subclass: "
        "see services/admin_schedules.py)."
    )


def run_admin_action(client: Client, model, action: str, pk: int, **fields):
    """Post the admin action `action` on the row `pk` from `model`'s change list; return the response."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [pk], **fields})


@pytest.mark.parametrize(("model", "name"), ACTIONS)
def test_the_auditor_changes_nothing_with_any_admin_action(model, name, auditor):
    assert model in BUILDERS, (
        f"{model._meta.label} has admin actions but no row builder: add one to BUILDERS in {__name__}."
    )
    row = BUILDERS_FOR_ACTION.get((model, name), BUILDERS[model])()
    client = Client()
    client.force_login(auditor)  # before counting: a log-in writes a row of axes' access log
    before, rows, entries = _snapshot(model, row.pk), model._base_manager.count(), AuditEntry.objects.count()
    response = run_admin_action(client, model, name, row.pk, index=0, post="yes")
    response.getvalue()  # an export is a streamed download: read to its end, as a server sends it
    assert response.status_code < 500
    assert _snapshot(model, row.pk) == before
    assert model._base_manager.count() == rows
    assert AuditEntry.objects.count() == entries


def test_staff_still_cancel_a_booking_from_the_admin(staff_client, staff_user):
    booking = _booking()
    run_admin_action(staff_client, EscortBooking, "cancel_selected", booking.pk)
    booking.refresh_from_db()
    assert booking.status == EscortBooking.Status.CANCELLED
    assert AuditEntry.objects.filter(code="services.escort.cancelled", user=staff_user).exists()


def test_staff_still_switch_a_periodic_job_on_and_open_its_form(staff_client):
    task = _periodic_task()
    run_admin_action(staff_client, PeriodicTask, "enable_tasks", task.pk)
    task.refresh_from_db()
    assert task.enabled is True
    form = staff_client.get(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]))
    assert form.status_code == 200
    assert 'name="seen_version"' in form.content.decode()


# Each write an admin action calls, called directly as the auditor: the function itself refuses.
DIRECT_CALLS = {
    "escort_booking_cancel": (_booking, lambda row, by: escorts.escort_booking_cancel(booking=row, by=by)),
    "event_publish": (
        lambda: EventFactory(is_published=False),
        lambda row, by: events_actions.event_publish(event=row, by=by),
    ),
    "event_unpublish": (EventFactory, lambda row, by: events_actions.event_publish(event=row, by=by, published=False)),
    "event_cancel": (EventFactory, lambda row, by: events_actions.event_cancel(event=row, by=by)),
    "event_mark_held": (
        lambda: EventFactory(starts_at=in_days(-3)),
        lambda row, by: events_actions.event_mark_held(event=row, by=by),
    ),
    "attendance_record": (
        _past_registration,
        lambda row, by: events_actions.attendance_record(registration=row, attended=True, by=by),
    ),
    "registration_cancel": (
        lambda: PersonRegistrationFactory(),
        lambda row, by: events_actions.registration_cancel(registration=row, by=by),
    ),
    "enrollment_complete": (_enrolled, lambda row, by: employment_actions.enrollment_complete(enrollment=row, by=by)),
    "enrollment_drop": (_enrolled, lambda row, by: employment_actions.enrollment_drop(enrollment=row, by=by)),
    "referral_close": (_referral, lambda row, by: employment_actions.referral_close(referral=row, by=by)),
    "annual_report_freeze": (_done_report, lambda row, by: annual_report_freeze(report=row, by=by)),
    "annual_plan_approve": (_plan_with_document, lambda row, by: annual_plan_approve(plan=row, by=by)),
    "escort_booking_correct": (
        _completed_booking,
        lambda row, by: escorts.escort_booking_correct(booking=row, by=by, reason="entered twice"),
    ),
    "retrofit_correct (type)": (
        lambda: make_retrofit("accepted"),
        lambda row, by: accessibility_actions.retrofit_correct(retrofit=row, by=by, reason="wrong", type="basic"),
    ),
    "retrofit_correct (void)": (
        lambda: make_retrofit("accepted"),
        lambda row, by: accessibility_actions.retrofit_correct(retrofit=row, by=by, reason="wrong", void=True),
    ),
    "otp_devices_reset": (_user, lambda row, by: otp_devices_reset(user=row, by=by)),
}


@pytest.mark.parametrize("name", DIRECT_CALLS)
def test_each_admin_write_refuses_the_auditor_when_called_directly(name, auditor):
    build, call = DIRECT_CALLS[name]
    row = build()
    model = type(row)
    before, entries = _snapshot(model, row.pk), AuditEntry.objects.count()
    devices = TOTPDevice.objects.count()
    with pytest.raises(ValidationError) as exc:
        call(row, auditor)
    assert exc.value.error_list[0].code == "permission_denied"
    assert _snapshot(model, row.pk) == before
    assert AuditEntry.objects.count() == entries
    assert TOTPDevice.objects.count() == devices
