"""Pages of online applications: the public form, the code, the private status page; the field app's queue."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core import ratelimit
from core.forms import add_action_errors
from core.http import client_bucket, confirmed_post, private_page
from services.applications import actions, selectors
from services.applications.forms import ApplicationCodeForm, ApplicationStartForm, ApplicationVisitForm
from services.models import Application, ApplicationChallenge
from services.registry.views import field_member_required

WINDOW_SECONDS = 10 * 60
START_SCOPE = "services.apply.start"
NUMBER_SCOPE = "services.apply.number"
NUMBER_DAY_SCOPE = "services.apply.number_day"
DAY_SECONDS = 24 * 60 * 60
CODE_SCOPE = "services.apply.code"
SESSION_KEY = "application_challenge"
JUST_SUBMITTED_KEY = "application_just_submitted"


def _sign_video() -> dict[str, str]:
    """The form's sign-language video and its captions, when configured (static paths); else nothing."""
    video, captions = settings.APPLICATION_SIGN_VIDEO, settings.APPLICATION_SIGN_VIDEO_CAPTIONS
    if video and captions:
        return {"sign_video": static(video), "sign_captions": static(captions)}
    return {}


def _refused(request: HttpRequest, reason: str, *, window: int = WINDOW_SECONDS) -> HttpResponse:
    return private_page(
        ratelimit.refused_page(
            request, "services/public/apply_too_many.html", {"reason": reason, "nav": "apply"}, window=window
        )
    )


@never_cache
@require_http_methods(["GET", "POST"])
def apply_start(request: HttpRequest) -> HttpResponse:
    """The public form: the service, who applies, the two numbers and where the code goes. Every accepted form
    leads to the same code page, whether or not the numbers matched anyone."""
    now = timezone.now()
    sessions = selectors.escort_sessions_to_choose(now=now)
    initial = {}
    if request.GET.get("service") in Application.Service.values:
        initial["service"] = request.GET["service"]
    form = ApplicationStartForm(request.POST or None, sessions=sessions, initial=initial)
    if request.method == "POST":
        ip = client_bucket(request)
        if ratelimit.hit(START_SCOPE, ip, window=WINDOW_SECONDS) > settings.APPLICATION_STARTS_PER_ADDRESS:
            return _refused(request, "address")
        if form.is_valid():
            data = form.cleaned_data
            # Counted by a keyed digest: the cache holds no ID number.
            digest = actions.number_digest(data["id_number"])
            if ratelimit.hit(NUMBER_SCOPE, digest, window=WINDOW_SECONDS) > settings.APPLICATION_STARTS_PER_NUMBER:
                return _refused(request, "number")
            # Each start texts the phone on file: a day's cap too, so the 10-minute windows, one after the
            # other, neither flood that phone nor give unlimited guesses at the code.
            day_limit = settings.APPLICATION_STARTS_PER_NUMBER_PER_DAY
            if ratelimit.hit(NUMBER_DAY_SCOPE, digest, window=DAY_SECONDS) > day_limit:
                return _refused(request, "number_day", window=DAY_SECONDS)
            challenge = actions.application_challenge_start(
                id_number=data["id_number"],
                certificate_number=data["certificate_number"],
                contact=data["contact"],
                service=data["service"],
                applicant=data["applicant"],
                applicant_name=data["applicant_name"].strip(),
                escort_slot=data["escort_slot"],
                note=data["note"].strip(),
                language=get_language() or settings.LANGUAGE_CODE,
                now=now,
            )
            request.session[SESSION_KEY] = challenge.pk
            return redirect("applications:code")
    context = {"form": form, "nav": "apply", "has_sessions": sessions.exists(), **_sign_video()}
    return private_page(render(request, "services/public/apply_form.html", context, status=400 if form.errors else 200))


@never_cache
@require_http_methods(["GET", "POST"])
def apply_code(request: HttpRequest) -> HttpResponse:
    """Enter the code: the right one files the application and opens its status page."""
    challenge = selectors.challenge_get(request.session.get(SESSION_KEY))
    if challenge is None:
        messages.info(request, _("Fill in the form first: then we send you a code."))
        return redirect("applications:start")
    form = ApplicationCodeForm(request.POST or None)
    not_eligible: actions.NotEligible | None = None
    if request.method == "POST":
        ip = client_bucket(request)
        if ratelimit.hit(CODE_SCOPE, ip, window=WINDOW_SECONDS) > settings.APPLICATION_CODES_PER_ADDRESS:
            return _refused(request, "address")
        if form.is_valid():
            try:
                _application, token = actions.application_submit(
                    challenge=challenge, code=form.cleaned_data["code"], site=request.build_absolute_uri("/")
                )
            except actions.NotEligible as exc:
                not_eligible = exc
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                del request.session[SESSION_KEY]
                request.session[JUST_SUBMITTED_KEY] = True
                return redirect("applications:status", token=token)
    context = {
        "form": form,
        "nav": "apply",
        "minutes": settings.APPLICATION_CODE_MINUTES,
        "not_eligible": not_eligible,
        "contact_label": ApplicationChallenge(contact=challenge.contact).get_contact_display(),
        **_sign_video(),
    }
    status = 400 if form.errors or not_eligible else 200
    return private_page(render(request, "services/public/apply_code.html", context, status=status))


def _status_not_found(request: HttpRequest) -> HttpResponse:
    return private_page(render(request, "services/public/apply_status_missing.html", {"nav": "apply"}, status=404))


@never_cache
@require_http_methods(["GET", "POST"])
def apply_status(request: HttpRequest, token: str) -> HttpResponse:
    """The applicant's private page: the steps so far, who to call, and withdrawing (with a confirm step)."""
    application = selectors.application_get_by_token(token)
    if application is None:
        return _status_not_found(request)
    confirming = False
    error = ""
    announce = ""
    if request.session.pop(JUST_SUBMITTED_KEY, False):
        announce = _("Your application is received. We have sent you a message with the link to this page.")
    if request.method == "POST":
        confirming, withdrawn, error = confirmed_post(
            request, lambda: actions.application_withdraw(application=application)
        )
        if withdrawn is not None:
            application, announce = withdrawn, _("Your application is withdrawn.")
    context: dict[str, Any] = {
        "application": application,
        "steps": selectors.application_steps(application),
        "can_withdraw": application.can_move_to(Application.Status.WITHDRAWN),
        "confirming": confirming and application.can_move_to(Application.Status.WITHDRAWN),
        "error": error,
        "announce": announce,
        "federation_phone": settings.FEDERATION_PHONE,
        "nav": "apply",
    }
    return private_page(render(request, "services/public/apply_status.html", context, status=400 if error else 200))


# --- the field app ---------------------------------------------------------------------------------------


@field_member_required
def field_application_list(request: HttpRequest) -> HttpResponse:
    """The open online applications of the member's streets, oldest first, with their age in working days."""
    today = timezone.localdate()
    applications = list(selectors.application_list_for(request.user))
    rows = [(application, selectors.application_age(application, today=today)) for application in applications]
    context = {"rows": rows, "nav": "applications", "overdue_days": settings.APPLICATION_OVERDUE_WORKING_DAYS}
    return render(request, "services/field/applications.html", context)


@field_member_required
def field_application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: take it (assign it to yourself) and set the day of the home visit."""
    application = get_object_or_404(
        selectors.application_list_for(request.user, open_only=False).select_related("escort_slot__hospital"), pk=pk
    )
    step = request.POST.get("step") if request.method == "POST" else None
    visit_form = ApplicationVisitForm(request.POST if step == "visit" else None)
    if step == "visit":
        if visit_form.is_valid():
            try:
                actions.application_schedule_visit(
                    application=application, by=request.user, visit_on=visit_form.cleaned_data["visit_on"]
                )
            except ValidationError as exc:
                add_action_errors(visit_form, exc)
            else:
                messages.success(request, _("The visit day is set: the applicant is told."))
                return redirect("field_applications:detail", pk=application.pk)
    elif request.method == "POST":
        # Taking the application (or a request that is neither button): the answer comes back as a message.
        try:
            if step != "assign":
                raise ValidationError(_("Choose what to do with the buttons on this page."), code="unknown_step")
            actions.application_assign(application=application, by=request.user, to_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The application is yours: the applicant is told."))
        return redirect("field_applications:detail", pk=application.pk)
    context = {
        "application": application,
        "age": selectors.application_age(application),
        "steps": selectors.application_steps(application),
        "visit_form": visit_form,
        "form": visit_form,
        "can_assign": application.can_move_to(Application.Status.ASSIGNED),
        "can_schedule": application.can_move_to(Application.Status.VISIT_SCHEDULED),
        "nav": "applications",
    }
    return render(request, "services/field/application_detail.html", context, status=400 if visit_form.errors else 200)
