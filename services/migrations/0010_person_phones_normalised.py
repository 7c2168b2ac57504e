"""Store every registry phone the way services.registry.validation stores it, where the phone rule can read it.

Numbers the rule cannot read stay as they were; the field app's data-quality page lists them.
"""

import re
import unicodedata

from django.db import migrations

BATCH = 1000
MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"(0\d{2,3})?[2-9]\d{6,7}")


def _as_stored(value):
    # A frozen copy of services.registry.validation.phone_as_stored as it was when this migration was written:
    # a migration must give the same result after the code it came from has moved or changed.
    text = unicodedata.normalize("NFKC", value.strip())
    text = re.sub(r"[\s\-()（）.]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    if MOBILE.fullmatch(text):
        return text
    if LANDLINE.fullmatch(text):
        return text if text.startswith("0") else "021" + text
    return value


def normalise_phones(apps, schema_editor):
    Person = apps.get_model("services", "Person")
    changed = []
    persons = Person.objects.exclude(phone="", guardian_phone="").only("pk", "phone", "guardian_phone")
    for person in persons.order_by("pk").iterator(chunk_size=BATCH):
        phone, guardian_phone = _as_stored(person.phone), _as_stored(person.guardian_phone)
        if (phone, guardian_phone) != (person.phone, person.guardian_phone):
            person.phone, person.guardian_phone = phone, guardian_phone
            changed.append(person)
        if len(changed) >= BATCH:
            Person.objects.bulk_update(changed, ["phone", "guardian_phone"])
            changed = []
    Person.objects.bulk_update(changed, ["phone", "guardian_phone"])


class Migration(migrations.Migration):
    dependencies = [("services", "0009_log_guard")]

    operations = [migrations.RunPython(normalise_phones, migrations.RunPython.noop, elidable=True)]
