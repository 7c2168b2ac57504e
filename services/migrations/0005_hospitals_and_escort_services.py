"""The three hospitals with deaf-and-blind escort clinics, their clinic hours, and the escort services.

Clinic hours are a starting point that staff edit in the admin.
"""

import datetime

from django.db import migrations

HOSPITALS = [
    ("华东医院", "Huadong Hospital", "延安西路221号"),
    ("第十人民医院", "Shanghai Tenth People's Hospital", "延长中路301号"),
    ("市北医院", "Shibei Hospital", "共和新路4500号"),
]
SERVICES = [
    ("registration", "挂号", "Registration"),
    ("guiding", "导盲", "Guiding"),
    ("medicine", "配药", "Medicine pick-up"),
    ("sign_language", "手语翻译", "Sign-language interpretation"),
]


def load(apps, schema_editor):
    Hospital = apps.get_model("services", "Hospital")
    ClinicHours = apps.get_model("services", "ClinicHours")
    EscortService = apps.get_model("services", "EscortService")
    for name_zh, name_en, address in HOSPITALS:
        hospital, created = Hospital.objects.get_or_create(
            name_zh=name_zh, defaults={"name_en": name_en, "address": address, "clinic": "助聋助盲门诊"}
        )
        if created:
            for weekday in range(5):
                ClinicHours.objects.create(
                    hospital=hospital, weekday=weekday, opens=datetime.time(8, 0), closes=datetime.time(11, 30)
                )
    for code, name_zh, name_en in SERVICES:
        EscortService.objects.get_or_create(code=code, defaults={"name_zh": name_zh, "name_en": name_en})


def unload(apps, schema_editor):
    apps.get_model("services", "Hospital").objects.filter(name_zh__in=[h[0] for h in HOSPITALS]).delete()
    apps.get_model("services", "EscortService").objects.filter(code__in=[s[0] for s in SERVICES]).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0004_escorts")]

    operations = [migrations.RunPython(load, unload)]
