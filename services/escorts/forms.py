"""Forms of clinic escorts: a committee member's request and a volunteer's outcome."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.forms import fields_only_helper
from services.escorts.selectors import escort_slots_open_for_booking
from services.models import EscortBooking, EscortService, EscortSlot


class DaySlotChoiceField(forms.ModelChoiceField):
    """The sessions of one chosen day: hospital and time only, the day being said above."""

    def label_from_instance(self, slot):
        return _("%(hospital)s, %(start)s to %(end)s (%(left)d places left)") % {
            "hospital": slot.hospital,
            "start": f"{timezone.localtime(slot.starts_at):%H:%M}",
            "end": f"{timezone.localtime(slot.ends_at):%H:%M}",
            "left": slot.places_left,
        }


class EscortDayForm(forms.Form):
    """The first step of a booking: the day of the clinic visit, among the days with a free place."""

    day = forms.TypedChoiceField(
        label=_("Day of the clinic visit"),
        coerce=datetime.date.fromisoformat,
        choices=[],
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
        error_messages={"invalid_choice": _("No session on this day has a free place any more: choose another day.")},
    )

    def __init__(self, *args: Any, days: list[tuple[datetime.date, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [
            (
                day.isoformat(),
                _("%(day)s, %(weekday)s (%(count)d sessions)")
                % {
                    "day": date_format(day, "SHORT_DATE_FORMAT"),
                    "weekday": date_format(day, "l"),
                    "count": count,
                },
            )
            for day, count in days
        ]


class EscortRequestForm(forms.Form):
    """A committee member asks for an escort for a person of their street."""

    slot = DaySlotChoiceField(
        label=_("Hospital and time"), queryset=EscortSlot.objects.none(), widget=forms.RadioSelect
    )
    need = forms.ChoiceField(label=_("The patient is"), choices=EscortBooking.Need.choices, widget=forms.RadioSelect)
    services = forms.ModelMultipleChoiceField(
        label=_("Help needed"), queryset=EscortService.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    department = forms.CharField(label=_("Department"), max_length=60, required=False)

    def __init__(self, *args: Any, day: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The sessions of the day chosen first: a few to pick from, not every session of the next 30 days.
        self.fields["slot"].queryset = escort_slots_open_for_booking(now=timezone.now()).filter(starts_at__date=day)
        self.helper = fields_only_helper()


class VolunteerOutcomeForm(forms.Form):
    """What a volunteer records after (or instead of) an escort."""

    minutes = forms.IntegerField(label=_("Minutes spent"), min_value=1, max_value=600, required=False)
    reason = forms.CharField(label=_("Why you cannot go"), max_length=200, required=False)
