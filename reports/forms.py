"""Forms of the reports app: a drill-down's filter by street and its search box."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from services.models import Street
from services.registry.identity import is_number_search


class DrilldownFilterForm(forms.Form):
    """Narrow a drill-down to a street and to rows whose names or titles contain a text (reports.figures.SEARCH_FIELDS).

    A whole ID or certificate number is refused here: searching one confirms who holds it, which only the
    registry's logged and limited number search may do.
    """

    street = forms.ModelChoiceField(
        queryset=Street.objects.none(), to_field_name="code", required=False, label=_("street"), empty_label=_("All")
    )
    q = forms.CharField(max_length=50, required=False, label=_("Search by name or title"))

    def __init__(self, *args: Any, streets: QuerySet[Street], with_street: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_street:
            self.fields["street"].queryset = streets.order_by("code")  # type: ignore[attr-defined]
        else:
            del self.fields["street"]  # a figure counted for the whole district: its rows have no street

    def clean_q(self) -> str:
        term = self.cleaned_data["q"].strip()
        if is_number_search(term):
            raise forms.ValidationError(
                _("ID and certificate numbers are not searched here: search by name, or by number in the registry.")
            )
        return term
