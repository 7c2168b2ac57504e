"""Every admin change form whose model has audit codes leaves an AuditEntry when saved: generated from the registry.

A model "has audit codes" when some action writes `<app>.<model>.<verb>` for it (found in the source), so
an admin that saves such a record by hand, past its action, fails here the day it is registered.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from services.models import AuditEntry
from tests.project.test_stale_save import NOTHING_TO_EDIT, WALKED, _client, _first_valid_edit, _record, _url

pytestmark = pytest.mark.django_db

CODE = re.compile(r"""code=f?["']([a-z_]+)\.([a-z_{}]+)\.""")
DOMAIN_APPS = ("services", "accessibility", "employment", "events", "reports")
# Codes named shorter than their model, and the one code built from the model's name.
ALIASES = {
    "services.escort": {"services.escortbooking"},
    "accessibility.device": {"accessibility.deviceissue"},
    "events.{name}": {"events.preventionmaterial", "events.quizcampaign", "events.researchtopic"},
}


def audited_models() -> set[str]:
    """`app.model` for every audit code an action of the domain apps writes (model names without underscores)."""
    found = set()
    for app in DOMAIN_APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            for app_label, model in CODE.findall(path.read_text(encoding="utf-8")):
                code = f"{app_label}.{model}"
                found |= ALIASES.get(code, {code.replace("_", "")})
    return found


AUDITED = sorted(label for label in WALKED if label in audited_models() and label not in NOTHING_TO_EDIT)


def test_the_walk_covers_the_records_the_issue_names():
    assert {"services.followup", "events.event", "events.registration", "accessibility.retrofit"} <= set(AUDITED)


@pytest.mark.parametrize("label", AUDITED)
def test_a_save_through_every_audited_change_form_leaves_an_audit_entry(label):
    record = _record(label)
    url = _url(record)
    client = _client(label, "staff_a")
    page = client.get(url)
    assert page.status_code == 200
    before = AuditEntry.objects.filter(model=label, object_id=str(record.pk)).count()
    _first_valid_edit(client, url, page, label, record)
    after = AuditEntry.objects.filter(model=label, object_id=str(record.pk)).count()
    assert after > before, f"{label}: a save in its admin wrote no audit entry (saved past its action)"
