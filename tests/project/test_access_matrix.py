"""The access matrix: every URL pattern of the URL conf × every role has an expected outcome.

The patterns are walked from `get_resolver()` (admin's, i18n's, every app's), each is given a concrete
URL built from real records of street A, and each role opens it. A pattern without a rule fails the
test, so a new URL cannot ship unclassified. Object-level rules come first: a committee member of
street B gets a 404 on street A's person, visit, escort, retrofit or referral pages.
"""

import dataclasses
import datetime
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
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

from accessibility import actions as retrofit_actions
from accessibility.models import Retrofit, RetrofitTypeCap
from employment.actions import referral_create
from employment.models import Enrollment, Referral
from events import actions as event_actions
from events.models import PreventionMaterial, QuizCampaign, ResearchTopic
from exports.models import ExportJob
from jingan_portal.urls import urlpatterns as portal_urlpatterns
from reports.actions import annual_report_compute, annual_report_freeze, annual_report_request, annual_report_start
from reports.figures import FIGURES
from reports.models import AnnualPlan, AnnualReport
from services.escorts import actions as escorts
from services.models import (
    AccessLog,
    DigestSent,
    EscortBooking,
    EscortService,
    FamilyDoctorContract,
    FollowUp,
    HomeRehabSession,
    HomeVisit,
    RehabCentre,
    Reminder,
    Street,
    TeamService,
    VolunteerTeam,
)
from services.registry import roles
from services.registry.access_log import access_log_record
from services.rehab.actions import rehab_referral_create
from tests.accessibility.factories import (
    DeviceIssueFactory,
    RampRetrofitFactory,
    RetrofitItemFactory,
    SignLanguagePointFactory,
)
from tests.conftest import make_user
from tests.employment.factories import CourseFactory, EnrollmentFactory, GraduateFactory, place, worker
from tests.events.factories import AwardFactory, EventFactory, image_upload
from tests.services.applications.factories import make_application
from tests.services.factories import EscortBookingFactory, PersonFactory, file_visit, make_slot, make_volunteer

# --- roles and outcomes -----------------------------------------------------------------------------

ANON, REGISTRANT, VOLUNTEER, MEMBER_A, MEMBER_B, STAFF, AUDITOR = ROLES = (
    "anonymous",
    "registrant",
    "volunteer",
    "member_a",
    "member_b",
    "staff",
    "auditor",
)
LOGIN = "login"  # 302 to the portal's or the admin's login page
REDIRECT = "redirect"  # 302 anywhere else
OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 403, 404, 405

Rule = dict[str, Any]


def everyone(outcome: Any = OK) -> Rule:
    return dict.fromkeys(ROLES, outcome)


def signed_in(default: Any, **by_role: Any) -> Rule:
    """Anonymous visitors and registrants (no account) go to the login page; the others as given."""
    return {ANON: LOGIN, REGISTRANT: LOGIN, **dict.fromkeys(ROLES[2:], default), **by_role}


def admin_only(staff: Any, auditor: Any) -> Rule:
    """Admin pages: whoever is not staff is sent to the admin's login page."""
    return {**dict.fromkeys(ROLES[:5], LOGIN), STAFF: staff, AUDITOR: auditor}


def field_member(own: Any = OK, other: Any = OK, **by_role: Any) -> Rule:
    """Committee members' pages: members as given (own street, other street), everyone else refused."""
    return signed_in(FORBIDDEN, **{MEMBER_A: own, MEMBER_B: other, **by_role})


# --- the rules, keyed by URL name (namespace:name) ---------------------------------------------------

RULES: dict[str, Rule] = {
    # Public pages.
    "home": everyone(),
    "favicon": everyone(REDIRECT),  # to the static icon
    "healthz": everyone(),
    "healthz_ready": everyone(),
    "set_display": everyone(NOT_ALLOWED),  # POST only
    "set_language": everyone(REDIRECT),
    "login": everyone(),
    "logout": everyone(NOT_ALLOWED),  # POST only
    "password_change": signed_in(OK),
    "password_change_done": signed_in(OK),
    "accessibility_statement": everyone(),
    "rehab_homes": everyone(REDIRECT),  # the directory's rehabilitation homes (#21)
    "places:list": everyone(),
    # Two-factor log-in pages: for staff and auditors; other accounts are refused.
    "otp_setup": signed_in(FORBIDDEN, staff=OK, auditor=OK),
    "otp_verify": signed_in(FORBIDDEN, staff=REDIRECT, auditor=REDIRECT),  # no device yet: to the set-up
    "otp_recovery_codes": signed_in(FORBIDDEN, staff=OK, auditor=OK),
    "sitemap": everyone(),
    "events:list": everyone(),
    "events:past": everyone(),
    "events:calendar_feed": everyone(),
    "events:rss": everyone(),
    "events:atom": everyone(),
    # The registrant's link is their token; anyone else's guess finds nothing.
    "events:registration": {**everyone(NOT_FOUND), REGISTRANT: OK},
    "events:detail": everyone(),
    "events:register": everyone(),
    "events:registration_sent": everyone(),
    # Asking for a lost link again: a public form, answered the same for every number.
    "events:resend_link": everyone(),
    "events:resend_link_sent": everyone(),
    "events:ics": everyone(),
    # Online applications: the public form; the code page without a form sent first goes back to the form;
    # the applicant's status link is their token, anyone else's guess finds nothing.
    "applications:start": everyone(),
    "applications:code": everyone(REDIRECT),
    "applications:status": {**everyone(NOT_FOUND), REGISTRANT: OK},
    "reports:public": everyone(),
    # Open data (#21): the documentation page and the read-only API, the same for everyone.
    "open_data": everyone(),
    "api:index": everyone(),
    "api:reports": everyone(),
    "api:report": everyone(),
    "api:report_csv": everyone(),
    "api:places": everyone(),
    "api:places_csv": everyone(),
    "api:not_found": everyone(NOT_FOUND),  # any other address under /api/: a JSON 404
    # Staff dashboard: staff and auditors read, committee members and volunteers are refused.
    "reports:dashboard_index": signed_in(FORBIDDEN, staff=REDIRECT, auditor=REDIRECT),
    "reports:dashboard": signed_in(FORBIDDEN, staff=OK, auditor=OK),
    "reports:compute": everyone(NOT_ALLOWED),  # POST only; see test_post_only_views_change_nothing
    "reports:export": signed_in(FORBIDDEN, staff=OK, auditor=OK),
    "reports:print": signed_in(FORBIDDEN, staff=OK, auditor=OK),
    "reports:records": signed_in(FORBIDDEN, staff=OK, auditor=OK),
    "reports:records_export": signed_in(FORBIDDEN, staff=OK, auditor=OK),
    "reports:more": signed_in(FORBIDDEN, staff=OK, auditor=OK),
    "reports:freeze": everyone(NOT_ALLOWED),  # POST only
    # An export job (staff asked for it): its page, progress and file are the owner's alone, a 404 for others.
    "exports:job": signed_in(NOT_FOUND, staff=OK),
    "exports:status": signed_in(NOT_FOUND, staff=OK),
    "exports:download": signed_in(NOT_FOUND, staff=OK),
    # The field app: the member's own street only.
    "field:home": field_member(),
    "field:service_worker": everyone(),  # the worker's script, like a static file: nothing personal
    "field:offline": field_member(),
    "field:saved_offline": field_member(),
    "field:person": field_member(own=OK, other=NOT_FOUND),
    "field:visit": field_member(own=OK, other=NOT_FOUND),
    "field:escort": field_member(own=OK, other=NOT_FOUND),
    "field:follow_up": field_member(own=OK, other=NOT_FOUND),
    "field:quality": field_member(staff=OK, auditor=OK),
    # The persons behind one count of street A: member B is not of that street.
    "field:quality_persons": field_member(own=OK, other=NOT_FOUND, staff=OK, auditor=OK),
    "field_events:list": field_member(staff=OK),
    "field_events:event": field_member(staff=OK),
    "field_retrofits:list": field_member(),
    "field_retrofits:apply": field_member(own=OK, other=NOT_FOUND),
    "field_retrofits:withdraw": field_member(own=OK, other=NOT_FOUND),
    "field_employment:refer": field_member(own=OK, other=NOT_FOUND),
    "field:rehab_refer": field_member(own=OK, other=NOT_FOUND),
    "field_applications:list": field_member(),
    "field_applications:detail": field_member(own=OK, other=NOT_FOUND),
    # Volunteers: their own escorts.
    "volunteer:home": signed_in(FORBIDDEN, volunteer=OK),
    "volunteer:certificate": signed_in(FORBIDDEN, volunteer=OK),
    "volunteer:complete": signed_in(FORBIDDEN, volunteer=NOT_ALLOWED),  # POST only
    "volunteer:no_show": signed_in(FORBIDDEN, volunteer=NOT_ALLOWED),
    "volunteer:decline": signed_in(FORBIDDEN, volunteer=NOT_ALLOWED),
    # The admin site's own pages.
    "admin:index": admin_only(OK, OK),
    "admin:login": {**everyone(OK), STAFF: REDIRECT, AUDITOR: REDIRECT},
    "admin:logout": {**everyone(REDIRECT), STAFF: NOT_ALLOWED, AUDITOR: NOT_ALLOWED},  # POST only
    "admin:password_change": admin_only(OK, OK),
    "admin:password_change_done": admin_only(OK, OK),
    "admin:autocomplete": admin_only(FORBIDDEN, FORBIDDEN),  # without its parameters
    "admin:jsi18n": admin_only(OK, OK),
    "admin:view_on_site": admin_only(NOT_FOUND, NOT_FOUND),  # no model has a public address of its own
    "admin:app_list": admin_only(OK, OK),  # services
    "admin:catch_all": admin_only(NOT_FOUND, NOT_FOUND),
    # Pages that model admins add.
    "admin:auth_user_password_change": admin_only(FORBIDDEN, FORBIDDEN),
    "admin:services_person_import": admin_only(OK, FORBIDDEN),
    "admin:services_person_import_template": admin_only(OK, FORBIDDEN),
    "admin:services_person_export": admin_only(OK, OK),
    "admin:services_person_duplicates": admin_only(OK, OK),
    "admin:services_person_merge": admin_only(REDIRECT, FORBIDDEN),  # without two records: back, with a message
    "admin:services_person_record": admin_only(OK, OK),
    "admin:services_volunteer_hours": admin_only(OK, OK),
    "admin:accessibility_retrofit_advance": admin_only(OK, OK),  # the auditor sees the form, cannot submit it
    "admin:accessibility_retrofit_photo_add": admin_only(OK, FORBIDDEN),
    "admin:accessibility_retrofitphoto_file": admin_only(OK, FORBIDDEN),  # photos of homes: staff only
    "admin:accessibility_retrofit_export": admin_only(REDIRECT, REDIRECT),  # without ?year=: back, with a message
    "admin:otp_totp_totpdevice_config": admin_only(FORBIDDEN, FORBIDDEN),
    "admin:otp_totp_totpdevice_qrcode": admin_only(FORBIDDEN, FORBIDDEN),
    "admin:reports_annualplan_simple_history": admin_only(OK, OK),
    "admin:reports_annualreport_simple_history": admin_only(OK, OK),
}


@dataclasses.dataclass(frozen=True)
class AdminViews:
    """Expected outcomes of one role on a model admin's changelist, add, change, history and delete pages."""

    changelist: Any
    add: Any
    change: Any
    history: Any
    delete: Any


EDITS = AdminViews(OK, OK, OK, OK, FORBIDDEN)  # nothing is deleted through the portal
READS = AdminViews(OK, FORBIDDEN, OK, OK, FORBIDDEN)
CHANGES = AdminViews(OK, FORBIDDEN, OK, OK, FORBIDDEN)  # edits, but records are created elsewhere
NOTHING = AdminViews(FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
EDITS_DELETES = AdminViews(OK, OK, OK, OK, OK)

# Every registered model admin: (staff, auditor). Non-staff roles always go to the admin's login page.
ADMIN_MODELS: dict[str, tuple[AdminViews, AdminViews]] = {
    "auth.group": (NOTHING, NOTHING),
    "django_celery_beat.periodictask": (EDITS, READS),  # staff retime the periodic jobs
    "django_celery_beat.clockedschedule": (NOTHING, NOTHING),
    "django_celery_beat.crontabschedule": (EDITS, NOTHING),
    "django_celery_beat.solarschedule": (NOTHING, NOTHING),
    "django_celery_beat.intervalschedule": (EDITS, NOTHING),
    "services.person": (EDITS, READS),
    "exports.exportjob": (NOTHING, NOTHING),  # the administrator's; each user reaches their own at /exports/
    "services.household": (READS, READS),  # derived from the persons' addresses: shown, never typed
    "services.street": (READS, READS),
    "services.user": (NOTHING, NOTHING),
    "services.accesslog": (NOTHING, READS),
    "services.auditentry": (NOTHING, READS),
    "services.correction": (READS, READS),  # written by the *_correct actions only
    "services.homevisit": (READS, READS),
    "services.followup": (CHANGES, READS),
    "services.application": (CHANGES, READS),  # from the public form; steps through the admin actions
    "services.digestsent": (READS, NOTHING),
    "services.hospital": (EDITS, READS),
    "services.escortservice": (EDITS, READS),
    "services.volunteerteam": (EDITS, READS),
    "services.volunteer": (EDITS, READS),
    "services.escortslot": (EDITS, READS),
    "services.escortbooking": (EDITS, READS),
    "services.reminder": (READS, READS),
    "accessibility.retrofit": (EDITS, READS),
    "accessibility.retrofitphoto": (READS, NOTHING),
    "accessibility.retrofitstatuschange": (READS, READS),
    "accessibility.retrofititem": (EDITS, READS),
    "accessibility.retrofittypecap": (EDITS, READS),
    "accessibility.rampretrofit": (EDITS, READS),
    "accessibility.signlanguagepoint": (EDITS, READS),
    "accessibility.deviceissue": (EDITS, READS),
    "employment.course": (EDITS, READS),
    "employment.enrollment": (EDITS, READS),
    "employment.certificate": (READS, READS),
    "employment.employer": (EDITS, READS),
    "employment.placement": (EDITS, READS),
    "employment.placementfollowup": (CHANGES, READS),
    "employment.graduate": (EDITS, READS),
    "employment.referral": (EDITS, READS),
    "events.event": (EDITS, READS),
    "events.registration": (EDITS, READS),
    "events.award": (EDITS_DELETES, READS),
    "reports.annualplan": (EDITS, READS),
    "reports.annualreport": (READS, READS),
    # Rehabilitation and prevention (issue 12).
    "services.rehabcentre": (EDITS, READS),
    "services.familydoctorcontract": (EDITS, READS),
    "services.homerehabsession": (EDITS, READS),
    "services.rehabreferral": (CHANGES, READS),  # referrals start from a visit in the field app
    "events.preventionmaterial": (EDITS, READS),
    "events.quizcampaign": (EDITS, READS),
    # The article's other numbers (issue 19): research topics, the volunteer teams' services.
    "events.researchtopic": (EDITS, READS),
    "services.teamservice": (EDITS, READS),
    # The persons' change history: auditors only, read-only.
    "services.historicalperson": (NOTHING, READS),
    # Log-in security (issue 10 part A): lockout records and second-factor devices, superusers only.
    "axes.accessattempt": (NOTHING, NOTHING),
    "axes.accessfailurelog": (NOTHING, NOTHING),
    "axes.accesslog": (NOTHING, NOTHING),
    "otp_totp.totpdevice": (NOTHING, NOTHING),
    "otp_static.staticdevice": (NOTHING, NOTHING),
}
ADMIN_VIEWS = ("changelist", "add", "change", "history", "delete")


# --- the records the URLs point at ---------------------------------------------------------------------


@dataclasses.dataclass
class World:
    users: dict[str, Any]
    person_a: Any
    person_b: Any
    visit_a: HomeVisit
    training_need: FollowUp
    rehabilitation_need: FollowUp
    retrofit: Retrofit
    booking: EscortBooking
    other_volunteer: Any
    event: Any
    token: str
    application_token: str
    application: Any
    report: AnnualReport
    unfrozen_report: AnnualReport
    photo: Any
    export_job: ExportJob
    admin_objects: dict[str, Any]

    def client(self, role: str) -> Client:
        client = Client()
        user = self.users.get(role)
        if user is not None:
            client.force_login(user)
        return client


def build_world() -> World:
    """Records of street A (江宁路) and B (大宁路) for every page, made through the actions where they exist."""
    street_a = Street.objects.get(code="310106006")
    street_b = Street.objects.get(code="310106019")
    staff = make_user("matrix_staff", roles.STAFF, is_staff=True)
    auditor = make_user("matrix_auditor", roles.AUDITOR, is_staff=True)
    member_a = make_user("matrix_member_a", roles.COMMITTEE_MEMBER, streets=(street_a,))
    member_b = make_user("matrix_member_b", roles.COMMITTEE_MEMBER, streets=(street_b,))
    volunteer = make_volunteer("matrix_volunteer", signs=True)
    other_volunteer = make_volunteer("matrix_volunteer_2", signs=True, phone="13700002222").user
    team = VolunteerTeam.objects.create(name="静安区助聋志愿服务队")
    TeamService.objects.create(team=team, served_on=datetime.date(2023, 3, 1), place="华东医院", person_times=30)
    ResearchTopic.objects.create(title="智慧助残", started_on=datetime.date(2023, 9, 1))

    # A hearing-impaired person of working age: eligible for escorts, training and jobs.
    person_a = worker(street=street_a, category=2, grade=1)
    person_b = PersonFactory(street=street_b)
    visit_a = file_visit(person_a, member_a, needs=["training", "job", "retrofit", "escort", "rehabilitation"])
    needs = {f.need: f for f in visit_a.follow_ups.all()}
    retrofit = retrofit_actions.retrofit_apply(
        person=person_a, by=member_a, type=Retrofit.Type.STANDARD, from_follow_up=needs["retrofit"]
    )
    RetrofitTypeCap.objects.get_or_create(type=Retrofit.Type.STANDARD, defaults={"cap": Decimal(8000)})
    RetrofitItemFactory()
    photo = retrofit_actions.retrofit_photo_add(
        retrofit=retrofit, by=staff, stage="before", image=image_upload(), alt_text="卫生间入口有台阶"
    )
    RampRetrofitFactory()
    SignLanguagePointFactory()
    DeviceIssueFactory(person=person_a)

    booking = escorts.escort_booking_create(
        person=person_a,
        slot=make_slot(days_ahead=3),
        need=EscortBooking.Need.DEAF,
        services=list(EscortService.objects.all()[:1]),
        by=member_a,
    )
    booking = escorts.escort_booking_assign(booking=booking, volunteer=volunteer, by=staff)
    Reminder.objects.create(
        booking=booking, recipient="patient", channel="console", address="139****0001", message="明天上午八点"
    )
    # A completed escort of street B voided as entered in error: a row for the corrections' admin pages.
    voided = EscortBookingFactory(
        person=person_b,
        slot=make_slot(days_ahead=-30),
        need=EscortBooking.Need.OTHER,
        status=EscortBooking.Status.COMPLETED,
        requested_by=staff,
    )
    escorts.escort_booking_correct(booking=voided, by=staff, reason="entered twice")
    DigestSent.objects.create(sent_on=timezone.localdate(), follow_ups=1, recipients=1)
    access_log_record(user=staff, action=AccessLog.Action.OPENED, person=person_a)

    course = CourseFactory(ends_on=timezone.localdate() + datetime.timedelta(days=60))
    enrollment = EnrollmentFactory(person=person_a, course=course)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        certificate_level="5",
        certificate_number="2023-001",
        certificate_issuer="上海市职业技能鉴定中心",
        certificate_issued_on=datetime.date(2023, 5, 10),
    )
    place(staff, person_a, started_on=datetime.date(2023, 5, 8))
    GraduateFactory()
    referral_create(follow_up=needs["job"], kind=Referral.Kind.JOB, by=member_a)

    event = EventFactory(slug="matrix-event")
    _registration, token = event_actions.registration_create(
        event=event, name="王小明", phone="13800001111", consent=True
    )
    event_actions.registration_create(event=event, by=member_a, person=person_a)
    AwardFactory()

    _rehabilitation(person_a, member_a, staff)
    application, application_token = make_application(person_a)
    PreventionMaterial.objects.create(
        kind=PreventionMaterial.Kind.VIDEO, title="预防听力损失", published_on=datetime.date(2023, 3, 3)
    )
    QuizCampaign.objects.create(
        title="残疾预防知识竞答",
        starts_on=datetime.date(2023, 8, 1),
        ends_on=datetime.date(2023, 8, 25),
        participants=100,
        prize_winners=10,
    )

    AnnualPlan.objects.create(year=2023, figure=FIGURES[0].key, target=2000)
    report = _finished_report(2023)
    annual_report_freeze(report=report, by=staff)
    unfrozen = _finished_report(2022)

    _log_in_records()
    # A large export staff asked for, made: its page and file are theirs alone.
    export_job = ExportJob.objects.create(
        owner=staff, kind="services.persons", language="en", filename="persons.xlsx", rows_total=1, rows_done=1
    )
    export_job.file.save("matrix.xlsx", ContentFile(b"PK"), save=False)
    export_job.status, export_job.expires_at = ExportJob.Status.DONE, timezone.now() + datetime.timedelta(hours=24)
    export_job.save()

    interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    CrontabSchedule.objects.create(minute="0", hour="8")
    SolarSchedule.objects.create(event="sunrise", latitude=Decimal("31.23"), longitude=Decimal("121.45"))
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    PeriodicTask.objects.create(name="matrix", task="services.heartbeat", interval=interval)

    users = {
        VOLUNTEER: volunteer.user,
        MEMBER_A: member_a,
        MEMBER_B: member_b,
        STAFF: staff,
        AUDITOR: auditor,
    }
    # The admin pages open street A's records where a model has streets, else the first record (see _obj).
    admin_objects = {
        "services.person": person_a,
        "services.homevisit": visit_a,
        "accessibility.retrofit": retrofit,
        "services.household": retrofit.household,
        "services.escortbooking": booking,
        "services.user": member_a,
        "services.street": street_a,
    }
    return World(
        users=users,
        person_a=person_a,
        person_b=person_b,
        visit_a=visit_a,
        training_need=needs["training"],
        rehabilitation_need=needs["rehabilitation"],
        retrofit=retrofit,
        booking=booking,
        other_volunteer=other_volunteer,
        event=event,
        token=token,
        application_token=application_token,
        application=application,
        report=report,
        unfrozen_report=unfrozen,
        photo=photo,
        export_job=export_job,
        admin_objects=admin_objects,
    )


def _rehabilitation(person, member, staff) -> None:
    """A certified centre of street A, the person's family doctor, a referral from a visit and a session."""
    centre = RehabCentre.objects.create(
        name="江宁路街道社区卫生服务中心",
        street=person.street,
        address="江宁路1号",
        certification=RehabCentre.Certification.CERTIFIED,
        accepted_on=datetime.date(2023, 6, 30),
    )
    FamilyDoctorContract.objects.create(
        person=person, street=person.street, centre=centre, doctor="王医生团队", signed_on=datetime.date(2023, 1, 9)
    )
    earlier = file_visit(
        person, member, needs=["rehabilitation"], visited_on=timezone.localdate() - datetime.timedelta(1)
    )
    need = earlier.follow_ups.get()
    referral = rehab_referral_create(follow_up=need, centre=centre, by=member)
    HomeRehabSession.objects.create(
        person=person,
        **person.as_served(),
        centre=centre,
        referral=referral,
        given_on=datetime.date(2023, 7, 1),
        kind=HomeRehabSession.Kind.ASSESSMENT,
        minutes=60,
        given_by="康复师李",
    )


def _log_in_records() -> None:
    """A failed and a good log-in (django-axes keeps both), and second-factor devices of a staff member."""
    owner = make_user("matrix_device_owner", roles.STAFF, is_staff=True)
    Client().post(reverse("login"), {"username": owner.username, "password": "wrong"})
    Client().post(reverse("login"), {"username": owner.username, "password": "pw-for-tests-only"})
    # The failure log is off by default (AXES_ENABLE_ACCESS_FAILURE_LOG); its admin page is not.
    AccessFailureLog.objects.create(username=owner.username, ip_address="127.0.0.1", path_info=reverse("login"))
    TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    StaticDevice.objects.create(user=owner, name="recovery codes", confirmed=True)


def _finished_report(year: int) -> AnnualReport:
    report, _started = annual_report_request(year=year, dispatch=False)
    report = annual_report_start(report_id=report.pk, task_id=report.task_id)
    return annual_report_compute(report=report)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """One set of records for the whole matrix, rolled back at the end of the module."""
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        override_settings(MEDIA_ROOT=media, EXPORTS_ROOT=media / "exports", LANGUAGE_CODE="en"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


# --- the URL conf, walked ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Entry:
    """One URL pattern: its rule key and how to make its URL from the world (for a role)."""

    key: str
    route: str
    url: Callable[[World, str], str]


def _admin_model_prefixes() -> dict[str, str]:
    return {f"admin/{m._meta.app_label}/{m._meta.model_name}/": m._meta.label_lower for m in admin.site._registry}


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            yield prefix + str(pattern.pattern), name, pattern


def _obj(world: World, label: str) -> Any:
    if label not in world.admin_objects:
        model = next(m for m in admin.site._registry if m._meta.label_lower == label)
        world.admin_objects[label] = model._default_manager.order_by("pk").first()
    obj = world.admin_objects[label]
    assert obj is not None, f"no {label} record for the admin pages: add one to build_world()"
    return obj


def url_kwargs(world: World, name: str, role: str) -> dict[str, Any]:
    """The path converters' values of a named URL, from the world's records."""
    year = world.report.year
    fixed: dict[str, dict[str, Any]] = {
        "events:registration": {"token": world.token if role == REGISTRANT else "x" * 43},
        "events:detail": {"slug": world.event.slug},
        "events:register": {"slug": world.event.slug},
        "events:registration_sent": {"slug": world.event.slug},
        "events:ics": {"slug": world.event.slug},
        "reports:public": {"year": year},
        "api:report": {"year": year},
        "api:report_csv": {"year": year},
        "api:not_found": {"rest": "v1/no-such-dataset/"},
        "reports:dashboard": {"year": year},
        "reports:compute": {"year": year},
        "reports:export": {"year": year},
        "reports:print": {"year": year},
        "reports:records": {"year": year, "key": FIGURES[0].key},
        "reports:records_export": {"year": year, "key": FIGURES[0].key},
        "reports:more": {"year": year},
        "reports:freeze": {"pk": world.unfrozen_report.pk},
        "exports:job": {"pk": world.export_job.pk},
        "exports:status": {"pk": world.export_job.pk},
        "exports:download": {"pk": world.export_job.pk},
        "field:person": {"pk": world.person_a.pk},
        "field:quality_persons": {"check": "active", "street": world.person_a.street.code},
        "field:visit": {"pk": world.person_a.pk},
        "field:escort": {"pk": world.person_a.pk},
        "field:follow_up": {"follow_up": world.training_need.pk},
        "field_events:event": {"slug": world.event.slug},
        "field_retrofits:apply": {"pk": world.person_a.pk},
        "field_retrofits:withdraw": {"pk": world.retrofit.pk},
        "field_employment:refer": {"follow_up": world.training_need.pk},
        "field:rehab_refer": {"follow_up": world.rehabilitation_need.pk},
        "applications:status": {"token": world.application_token if role == REGISTRANT else "x" * 43},
        "field_applications:detail": {"pk": world.application.pk},
        "volunteer:certificate": {"year": timezone.localdate().year},
        "volunteer:complete": {"pk": world.booking.pk},
        "volunteer:no_show": {"pk": world.booking.pk},
        "volunteer:decline": {"pk": world.booking.pk},
        "admin:app_list": {"app_label": "services"},
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(world.event).pk,
            "object_id": world.event.pk,
        },
        "admin:auth_user_password_change": {"id": world.users[MEMBER_A].pk},
        "admin:services_person_record": {"pk": world.person_a.pk},
        "admin:accessibility_retrofit_advance": {"pk": world.retrofit.pk, "to": Retrofit.Status.ASSESSED},
        "admin:accessibility_retrofit_photo_add": {"pk": world.retrofit.pk},
        "admin:accessibility_retrofitphoto_file": {"pk": world.photo.pk},
        "admin:otp_totp_totpdevice_config": {"pk": _obj(world, "otp_totp.totpdevice").pk},
        "admin:otp_totp_totpdevice_qrcode": {"pk": _obj(world, "otp_totp.totpdevice").pk},
    }
    if name in fixed:
        return fixed[name]
    if name.endswith("_simple_history"):
        label = name.removeprefix("admin:").removesuffix("_simple_history").replace("_", ".", 1)
        obj = _obj(world, label)
        return {"object_id": obj.pk, "version_id": obj.history.order_by("history_id").first().history_id}
    return {}


def entries() -> list[Entry]:
    """Every pattern of the URL conf with its rule key; admin model pages are keyed by model and view."""
    prefixes = _admin_model_prefixes()
    generic = {
        f"admin:{m._meta.app_label}_{m._meta.model_name}_{view}": (m._meta.label_lower, view)
        for m in admin.site._registry
        for view in ADMIN_VIEWS
    }
    found = []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if name in generic:
            label, view = generic[name]
            key = f"{label} {view}"

            def url(world, role, name=name, label=label, view=view):
                args = [] if view in ("changelist", "add") else [_obj(world, label).pk]
                return reverse(name, args=args)

        elif name.endswith("_simple_history"):
            key = name

            def url(world, role, name=name):
                # simple-history's pattern has unnamed groups: positional arguments only.
                kwargs = url_kwargs(world, name, role)
                return reverse(name, args=[kwargs["object_id"], kwargs["version_id"]])

        elif name:
            key = name

            def url(world, role, name=name):
                return reverse(name, kwargs=url_kwargs(world, name, role))

        elif route.endswith("<path:object_id>/") and route.removesuffix("<path:object_id>/") in prefixes:
            # The admin's old-style object address, redirecting to the change page.
            label = prefixes[route.removesuffix("<path:object_id>/")]
            key = f"{label} redirect"

            def url(world, role, label=label):
                obj = _obj(world, label)
                return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])[
                    : -len("change/")
                ]

        elif pattern.callback.__name__ == "catch_all_view" and route.startswith("admin/"):
            key = "admin:catch_all"

            def url(world, role):
                return reverse("admin:index") + "no-such-page/"

        else:
            key = f"unnamed pattern {route}"

            def url(world, role):
                raise AssertionError("no URL for an unnamed pattern")

        found.append(Entry(key=key, route=route, url=url))
    return found


def expected(key: str) -> Rule | None:
    if key in RULES:
        return RULES[key]
    label, _space, view = key.partition(" ")
    if label in ADMIN_MODELS:
        staff, auditor = ADMIN_MODELS[label]
        if view == "redirect":
            return admin_only(REDIRECT, REDIRECT)
        return admin_only(getattr(staff, view), getattr(auditor, view))
    return None


def outcome(response) -> Any:
    response.getvalue()  # read a streamed download to its end, as a server sends it: its file is closed then
    if response.status_code in (301, 302):
        location = response["Location"]
        login_pages = (settings.LOGIN_URL, reverse("login"), reverse("admin:login"))
        return LOGIN if location.startswith(login_pages) else REDIRECT
    return response.status_code


# --- the tests ------------------------------------------------------------------------------------------


def unclassified() -> list[str]:
    """The rule keys of the URL conf's patterns that have no rule."""
    return sorted({e.key for e in entries() if expected(e.key) is None})


def test_every_url_pattern_has_a_rule_for_every_role():
    missing = unclassified()
    assert not missing, "new URL without a rule (add it to RULES or ADMIN_MODELS):\n" + "\n".join(missing)
    incomplete = sorted(k for k, rule in RULES.items() if set(rule) != set(ROLES))
    assert not incomplete, f"rules missing a role: {incomplete}"
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert not set(ADMIN_MODELS) - registered, f"rules of unregistered admins: {set(ADMIN_MODELS) - registered}"


def _page_nobody_classified(request):
    raise AssertionError("never opened: the test only walks the URL conf")


# The portal's URL conf plus two pages without a rule, for the test below (ROOT_URLCONF = this module).
urlpatterns = [
    *portal_urlpatterns,
    path("unclassified/", _page_nobody_classified, name="unclassified_page"),
    path("unnamed/", _page_nobody_classified),
]


def test_a_url_without_a_rule_is_reported(settings):
    settings.ROOT_URLCONF = __name__
    assert unclassified() == ["unclassified_page", "unnamed pattern unnamed/"]


def test_rules_name_no_url_that_is_gone():
    keys = {e.key for e in entries()}
    stale = sorted(k for k in RULES if k not in keys)
    assert not stale, f"rules for URLs that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(world, role):
    """GET every URL as `role`; every mismatch is collected and reported at once."""
    client = world.client(role)
    client.cookies["django_language"] = "en"
    mismatches = []
    checked = 0
    for entry in entries():
        rule = expected(entry.key)
        if rule is None:
            continue  # reported by test_every_url_pattern_has_a_rule_for_every_role
        url = entry.url(world, role)
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # read to the end, which closes the file (a photo)
        got = outcome(response)
        checked += 1
        if got != rule[role]:
            mismatches.append(f"{entry.key:55} {url:70} expected {rule[role]}, got {got}")
    assert checked > 250
    assert not mismatches, f"{role}: {len(mismatches)} of {checked} URLs:\n" + "\n".join(mismatches)


# --- POST: the refused change nothing -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [ANON, MEMBER_B, "other_volunteer"])
@pytest.mark.parametrize("outcome_name", ["complete", "no_show", "decline"])
def test_others_cannot_record_a_volunteers_escort(world, role, outcome_name):
    client = Client()
    if role == "other_volunteer":
        client.force_login(world.other_volunteer)
    elif role != ANON:
        client.force_login(world.users[role])
    url = reverse(f"volunteer:{outcome_name}", args=[world.booking.pk])
    response = client.post(url, {"minutes": "90", "reason": "有事"})
    assert outcome(response) == {ANON: LOGIN, MEMBER_B: FORBIDDEN, "other_volunteer": NOT_FOUND}[role]
    booking = EscortBooking.objects.get(pk=world.booking.pk)
    assert (booking.status, booking.minutes, booking.volunteer_id) == (
        EscortBooking.Status.BOOKED,
        None,
        world.booking.volunteer_id,
    )
    assert not booking.declines.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected_outcome"), [(ANON, LOGIN), (MEMBER_A, FORBIDDEN), (AUDITOR, FORBIDDEN)])
def test_only_staff_run_or_freeze_reports(world, role, expected_outcome, django_capture_on_commit_callbacks):
    client = world.client(role)
    runs = AnnualReport.objects.count()
    with django_capture_on_commit_callbacks() as queued:
        compute = client.post(reverse("reports:compute", args=[2024]))
        freeze = client.post(reverse("reports:freeze", args=[world.unfrozen_report.pk]))
    assert (outcome(compute), outcome(freeze)) == (expected_outcome, expected_outcome)
    assert AnnualReport.objects.count() == runs
    assert not queued
    world.unfrozen_report.refresh_from_db()
    assert world.unfrozen_report.frozen_at is None


@pytest.mark.django_db
def test_a_member_of_another_street_changes_nothing_of_street_a(world):
    client = world.client(MEMBER_B)
    visits, retrofits, referrals = HomeVisit.objects.count(), Retrofit.objects.count(), Referral.objects.count()
    bookings = EscortBooking.objects.count()
    posts = {
        reverse("field:visit", args=[world.person_a.pk]): {
            "visited_on": timezone.localdate().isoformat(),
            "mode": "home",
            "purpose": "routine",
            "submission_key": str(uuid.uuid4()),
        },
        reverse("field:escort", args=[world.person_a.pk]): {"need": "deaf"},
        reverse("field_retrofits:apply", args=[world.person_a.pk]): {"type": "basic"},
        reverse("field_retrofits:withdraw", args=[world.retrofit.pk]): {"note": "不需要了"},
        reverse("field_employment:refer", args=[world.training_need.pk]): {"note": "想学面点"},
        reverse("field:follow_up", args=[world.training_need.pk]): {"note": "不符合条件"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == NOT_FOUND, url
    assert (HomeVisit.objects.count(), Retrofit.objects.count(), Referral.objects.count()) == (
        visits,
        retrofits,
        referrals,
    )
    assert EscortBooking.objects.count() == bookings
    assert Retrofit.objects.get(pk=world.retrofit.pk).status == Retrofit.Status.APPLIED


@pytest.mark.django_db
def test_a_guessed_registration_token_cancels_nothing(world):
    response = Client().post(reverse("events:registration", args=["y" * 43]))
    assert response.status_code == NOT_FOUND
    ok = Client().get(reverse("events:registration", args=[world.token]))
    assert ok.status_code == OK
    assert ok.context["registration"].status != "cancelled"
