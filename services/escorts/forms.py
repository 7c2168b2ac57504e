"""Forms of clinic escorts: a committee member's request and a volunteer's outcome."""

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.escorts.selectors import escort_slots_open_for_booking
from services.models import EscortBooking, EscortService, EscortSlot


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, slot):
        local = timezone.localtime(slot.starts_at)
        return _("%(hospital)s, %(day)s %(time)s (%(left)d places left)") % {
            "hospital": slot.hospital,
            "day": f"{local:%Y-%m-%d}",
            "time": f"{local:%H:%M}",
            "left": slot.places_left,
        }


class EscortRequestForm(forms.Form):
    """A committee member asks for an escort for a person of their street."""

    slot = SlotChoiceField(label=_("Clinic session"), queryset=EscortSlot.objects.none(), widget=forms.RadioSelect)
    need = forms.ChoiceField(label=_("The patient is"), choices=EscortBooking.Need.choices, widget=forms.RadioSelect)
    services = forms.ModelMultipleChoiceField(
        label=_("Help needed"), queryset=EscortService.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    department = forms.CharField(label=_("Department"), max_length=60, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = escort_slots_open_for_booking(now=timezone.now())
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class VolunteerOutcomeForm(forms.Form):
    """What a volunteer records after (or instead of) an escort."""

    minutes = forms.IntegerField(label=_("Minutes spent"), min_value=1, max_value=600, required=False)
    reason = forms.CharField(label=_("Why you cannot go"), max_length=200, required=False)
