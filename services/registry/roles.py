"""The portal's roles, kept as groups, and the permissions each one holds."""

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from services.models import User

STAFF = "federation_staff"
COMMITTEE_MEMBER = "committee_member"
VOLUNTEER = "volunteer"
AUDITOR = "auditor"

LABELS = {
    STAFF: _("Federation staff"),
    COMMITTEE_MEMBER: _("Street committee member"),
    VOLUNTEER: _("Volunteer"),
    AUDITOR: _("Auditor"),
}

# Permission codenames per role ("app_label.codename"). Model permissions of apps that land later
# are added here by their issues. Committee members and volunteers work outside the admin.
_REGISTRY_EDIT = [
    "services.view_street",
    "services.view_person",
    "services.add_person",
    "services.change_person",
    "services.view_household",
    "services.view_streetassignment",
]
_VISITS_READ = ["services.view_homevisit", "services.view_followup"]
# Online applications: members assign them and schedule the visit; staff also decide them.
_APPLICATIONS_READ = ["services.view_application", "services.view_applicationstatuschange"]
_APPLICATIONS_FIELD = [*_APPLICATIONS_READ, "services.change_application"]
_ESCORT_MODELS = [
    "hospital",
    "clinichours",
    "escortservice",
    "volunteerteam",
    "teamservice",
    "volunteer",
    "escortslot",
    "escortbooking",
]
_ESCORTS_READ = [f"services.view_{m}" for m in _ESCORT_MODELS] + ["services.view_reminder"]
_ESCORTS_EDIT = [f"services.{verb}_{m}" for m in _ESCORT_MODELS for verb in ("add", "change")]
# Other apps' models, named here so that one place says what each role may do.
_EMPLOYMENT = ["course", "enrollment", "employer", "placement", "placementfollowup", "graduate", "referral"]
_EMPLOYMENT_STAFF = [f"employment.{v}_{m}" for m in _EMPLOYMENT for v in ("view", "add", "change")]
_EMPLOYMENT_READ = [f"employment.view_{m}" for m in _EMPLOYMENT]

_ACCESSIBILITY_STAFF = [
    *(f"accessibility.{v}_retrofit" for v in ("view", "add", "change")),
    "accessibility.advance_retrofit",
    "accessibility.apply_retrofit",
    "accessibility.approve_over_cap",
    *(f"accessibility.{v}_retrofitline" for v in ("view", "add", "change", "delete")),
    "accessibility.view_retrofitstatuschange",
    "accessibility.view_retrofitphoto",
    "accessibility.add_retrofitphoto",
    *(
        f"accessibility.{v}_{m}"
        for m in ("retrofititem", "retrofittypecap", "rampretrofit", "signlanguagepoint", "deviceissue")
        for v in ("view", "add", "change")
    ),
]
_ACCESSIBILITY_READ = [
    f"accessibility.view_{m}"
    for m in (
        "retrofit",
        "retrofitline",
        "retrofitstatuschange",
        "retrofititem",
        "retrofittypecap",
        "rampretrofit",
        "signlanguagepoint",
        "deviceissue",
    )
]
_EVENTS_STAFF = [
    *(f"events.{v}_{m}" for m in ("event", "registration") for v in ("view", "add", "change")),
    *(f"events.{v}_{m}" for m in ("eventphoto", "award") for v in ("view", "add", "change", "delete")),
]
_EVENTS_READ = ["events.view_event", "events.view_eventphoto", "events.view_registration", "events.view_award"]
# Rehabilitation (issue 12): centres, family-doctor contracts, home sessions, referrals; prevention in events.
_REHAB_MODELS = ["rehabcentre", "familydoctorcontract", "homerehabsession", "rehabreferral"]
_REHAB_STAFF = [f"services.{v}_{m}" for m in _REHAB_MODELS for v in ("view", "add", "change")]
_REHAB_READ = [f"services.view_{m}" for m in _REHAB_MODELS]
_PREVENTION_STAFF = [
    f"events.{v}_{m}"
    for m in ("preventionmaterial", "quizcampaign", "researchtopic")
    for v in ("view", "add", "change")
]
_PREVENTION_READ = ["events.view_preventionmaterial", "events.view_quizcampaign", "events.view_researchtopic"]
_REPORTS_STAFF = [
    "reports.view_annualreport",
    "reports.run_annualreport",
    "reports.freeze_annualreport",
    "reports.view_figure_records",
    "reports.view_annualplan",
    "reports.add_annualplan",
    "reports.change_annualplan",
    "reports.approve_annualplan",
]
# The periodic jobs' times (django-celery-beat's database scheduler): staff may retime them, never delete.
_SCHEDULES_STAFF = [
    f"django_celery_beat.{v}_{m}"
    for m in ("periodictask", "crontabschedule", "intervalschedule")
    for v in ("view", "add", "change")
]
_REPORTS_READ = ["reports.view_annualreport", "reports.view_figure_records", "reports.view_annualplan"]

PERMISSIONS: dict[str, list[str]] = {
    STAFF: [
        *_REGISTRY_EDIT,
        *_VISITS_READ,
        "services.view_all_streets",
        "services.reveal_id_number",
        "services.merge_person",
        "services.change_followup",
        "services.view_digestsent",
        *_APPLICATIONS_FIELD,
        "services.decide_application",
        *_ESCORTS_READ,
        *_ESCORTS_EDIT,
        "services.override_escort_eligibility",
        # Void a closed record or change its type, with a reason (services.corrections); never auditors or members.
        "services.correct_closed_record",
        "services.view_correction",
        *_EMPLOYMENT_STAFF,
        "employment.view_certificate",
        *_ACCESSIBILITY_STAFF,
        *_EVENTS_STAFF,
        *_REPORTS_STAFF,
        *_REHAB_STAFF,
        *_PREVENTION_STAFF,
        *_SCHEDULES_STAFF,
    ],
    AUDITOR: [
        "services.view_street",
        "services.view_person",
        "services.view_household",
        *_VISITS_READ,
        "services.view_all_streets",
        "services.view_accesslog",
        "services.view_auditentry",
        "services.view_correction",
        "services.view_historicalperson",
        "services.view_streetassignment",
        *_APPLICATIONS_READ,
        *_ESCORTS_READ,
        *_EMPLOYMENT_READ,
        "employment.view_certificate",
        *_ACCESSIBILITY_READ,
        *_EVENTS_READ,
        *_REPORTS_READ,
        *_REHAB_READ,
        *_PREVENTION_READ,
        "django_celery_beat.view_periodictask",
    ],
    COMMITTEE_MEMBER: [
        "services.view_person",
        "services.use_field_app",
        "services.add_homevisit",
        *_VISITS_READ,
        *_APPLICATIONS_FIELD,
        "employment.view_course",
        "employment.view_referral",
        "employment.add_referral",
        "accessibility.view_retrofit",
        "accessibility.apply_retrofit",
        "events.view_event",
        "events.view_registration",
        "events.add_registration",
        "events.change_registration",
        # The field referral from a rehabilitation need, and the person page's rehabilitation panel.
        "services.view_rehabcentre",
        "services.view_familydoctorcontract",
        "services.view_homerehabsession",
        "services.view_rehabreferral",
        "services.add_rehabreferral",
    ],
    VOLUNTEER: [],
}


def sync_role_permissions(*args: Any, using: str = "default", **kwargs: Any) -> None:
    """Give each role group exactly the permissions listed above (run after every migrate)."""
    from django.contrib.auth.models import Group, Permission

    # One query for every listed permission, not one per name: this runs after each app's migrations
    # and before every transactional test. A name whose app has not been migrated yet is skipped.
    codenames = {name.split(".")[1] for names in PERMISSIONS.values() for name in names}
    pk_by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using)
        .filter(codename__in=codenames)
        .values_list("pk", "content_type__app_label", "codename")
    }
    for role, names in PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([pk_by_name[name] for name in names if name in pk_by_name])


def has_role(user: "User", role: str) -> bool:
    return bool(user.is_authenticated and user.groups.filter(name=role).exists())
