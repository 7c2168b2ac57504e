"""The report job's schedules, as django-celery-beat rows that staff edit in the admin."""

from django.db import migrations

# name, task, crontab fields (Asia/Shanghai), description
SCHEDULES = [
    (
        "reports: recompute the current year (monthly)",
        "reports.recompute_current_year",
        {"minute": "30", "hour": "2", "day_of_month": "1", "month_of_year": "*", "day_of_week": "*"},
        "On the 1st of every month at 02:30: the current year's figures so far.",
    ),
    (
        "reports: previous year's final report (15 January)",
        "reports.compute_previous_year",
        {"minute": "0", "hour": "3", "day_of_month": "15", "month_of_year": "1", "day_of_week": "*"},
        "On 15 January at 03:00, once late records are in: last year's report, for staff to check and freeze.",
    ),
]


def load(apps, schema_editor):
    """Create the schedules that do not exist yet; staff edits to existing ones are kept."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, crontab, description in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        schedule, _created = CrontabSchedule.objects.get_or_create(timezone="Asia/Shanghai", **crontab)
        PeriodicTask.objects.create(name=name, task=task, crontab=schedule, enabled=True, description=description)


def unload(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_rest in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(load, unload)]
