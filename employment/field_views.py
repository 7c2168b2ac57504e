"""The committee member's page that refers a person from a visit's training or job need."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import add_action_errors
from core.guards import page_required
from services.models import FollowUp

from .actions import referral_create
from .models import Course, Referral

NEED_TO_KIND = {FollowUp.Need.TRAINING: Referral.Kind.COURSE, FollowUp.Need.JOB: Referral.Kind.JOB}


class ReferralForm(forms.Form):
    course = forms.ModelChoiceField(
        label=gettext_lazy("Course"),
        queryset=Course.objects.none(),
        required=False,
        help_text=gettext_lazy("Optional: choose a course if one fits; staff can choose later."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note for staff"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if kind == Referral.Kind.COURSE:
            self.fields["course"].queryset = Course.objects.filter(ends_on__gte=timezone.localdate()).order_by(
                "starts_on", "title"
            )
        else:
            del self.fields["course"]


@page_required("services.use_field_app", "employment.add_referral")
def referral_new(request: HttpRequest, follow_up: int) -> HttpResponse:
    """Refer the person of an open training or job need to a course or to job matching."""
    need = get_object_or_404(
        FollowUp.objects.visible_to(request.user).select_related("person"),
        pk=follow_up,
        status=FollowUp.Status.OPEN,
        need__in=list(NEED_TO_KIND),
    )
    kind = NEED_TO_KIND[need.need]
    form = ReferralForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            referral_create(
                follow_up=need,
                kind=kind,
                course=form.cleaned_data.get("course"),
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Referral sent to the federation staff."))
            return redirect("field:person", pk=need.person_id)
    status = 400 if request.method == "POST" else 200
    context = {"person": need.person, "need": need, "form": form, "kind": kind}
    return render(request, "employment/field/referral_form.html", context, status=status)
