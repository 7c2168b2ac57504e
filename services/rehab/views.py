"""Rehabilitation pages: the field referral from a visit's need (the public list of homes is in the directory of
accessible places, accessibility.views.place_list)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import add_action_errors, fields_only_helper
from core.guards import page_required
from services.models import FollowUp, RehabCentre
from services.registry.views import FIELD_PERMISSION
from services.rehab import actions as rehab_actions
from services.rehab import selectors as rehab_selectors


class CentreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, centre: RehabCentre) -> str:
        if centre.certification == RehabCentre.Certification.CERTIFIED:
            return _("%(name)s (%(street)s, rehabilitation home)") % {"name": centre.name, "street": centre.street}
        return _("%(name)s (%(street)s)") % {"name": centre.name, "street": centre.street}


class RehabReferralForm(forms.Form):
    """A committee member refers a person to a centre; the centre is prefilled from the contract or street."""

    centre = CentreChoiceField(
        label=gettext_lazy("Community health service centre"),
        queryset=RehabCentre.objects.none(),
        empty_label=None,
        help_text=gettext_lazy("Prefilled with the family doctor's centre, or a rehabilitation home of the street."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note for the centre"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the person needs, e.g. walking training after a stroke. No ID numbers."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = (
            RehabCentre.objects.exclude(certification=RehabCentre.Certification.REVOKED)
            .select_related("street")
            .order_by("street__code", "name")
        )
        self.helper = fields_only_helper()


@page_required(FIELD_PERMISSION, rehab_actions.REFER_PERMISSION)
def rehab_refer(request: HttpRequest, follow_up: int) -> HttpResponse:
    """Refer the person of an open rehabilitation need to a centre, prefilled; closes the need."""
    need = get_object_or_404(
        FollowUp.objects.visible_to(request.user).select_related("person", "visit"),
        pk=follow_up,
        status=FollowUp.Status.OPEN,
        need=FollowUp.Need.REHABILITATION,
    )
    person = need.person
    contract = rehab_selectors.running_contract(person)
    centre = rehab_selectors.referral_centre_for(person, contract)
    form = RehabReferralForm(request.POST or None, initial={"centre": centre.pk if centre else None})
    if request.method == "POST" and form.is_valid():
        try:
            referral = rehab_actions.rehab_referral_create(
                follow_up=need, centre=form.cleaned_data["centre"], note=form.cleaned_data["note"], by=request.user
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Referral sent to %(centre)s.") % {"centre": referral.centre.name})
            return redirect("field:person", pk=person.pk)
    status = 400 if request.method == "POST" else 200
    context = {"person": person, "need": need, "form": form, "contract": contract}
    return render(request, "services/field/rehab_referral_form.html", context, status=status)
