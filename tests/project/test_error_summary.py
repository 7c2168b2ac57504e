"""One error summary for every form: one partial, its links reaching fields however the form is rendered."""

import re
from pathlib import Path

from crispy_forms.utils import render_crispy_form
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

PARTIAL = "includes/_error_summary.html"


class Sample(forms.Form):
    name = forms.CharField(label="Name")
    mode = forms.ChoiceField(label="Mode", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    needs = forms.MultipleChoiceField(
        label="Needs", choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(label="I agree to everything written above, at length")


def test_only_one_template_draws_an_error_summary():
    root = Path(settings.BASE_DIR) / "templates"
    drawing = {
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if 'class="alert alert-danger error-summary"' in path.read_text(encoding="utf-8")
    }
    assert drawing == {PARTIAL}


def test_every_link_of_the_summary_reaches_its_field_in_crispy_and_plain_rendering():
    form = Sample(data={})
    with translation.override("en"):
        summary = render_to_string(PARTIAL, {"form": form})
    targets = re.findall(r'href="#([\w-]+)"', summary)
    assert targets == ["id_name", "id_mode_0", "id_needs_0", "id_consent"]
    for page in (render_crispy_form(form), form.as_div()):
        ids = set(re.findall(r'id="([\w-]+)"', page))
        assert set(targets) <= ids
    assert "I agree" not in summary  # a checkbox's long label is not repeated before its error
    assert "Mode: This field is required." in summary
