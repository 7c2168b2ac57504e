"""django-celery-beat's periodic task admin, re-registered so that each of its actions declares its permission.

Its own admin offers enable, disable, toggle and run to anyone who may view the tasks (the auditor).
Here they need the change permission: staff may retime the jobs and run one now; nobody deletes one here
without the delete permission (no role holds it). The change form refuses a stale save like ours.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django_celery_beat.admin import PeriodicTaskAdmin as BeatPeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask


def _described(action: Any) -> str:
    return action.short_description  # django-celery-beat's own translated label


class PeriodicTaskAdmin(BeatPeriodicTaskAdmin):  # type: ignore[misc]  # untyped package
    @admin.action(description=_described(BeatPeriodicTaskAdmin.enable_tasks), permissions=["change"])
    def enable_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        return super().enable_tasks(request, queryset)

    @admin.action(description=_described(BeatPeriodicTaskAdmin.disable_tasks), permissions=["change"])
    def disable_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        return super().disable_tasks(request, queryset)

    @admin.action(description=_described(BeatPeriodicTaskAdmin.toggle_tasks), permissions=["change"])
    def toggle_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        return super().toggle_tasks(request, queryset)

    # Running a job now is as strong as retiming it: the same change permission.
    @admin.action(description=_described(BeatPeriodicTaskAdmin.run_tasks), permissions=["change"])
    def run_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        return super().run_tasks(request, queryset)


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, PeriodicTaskAdmin)
