"""django-axes' log-in attempt admin, re-registered so that its clean-up action declares its permission.

Its own "Clean up expired attempts" deletes rows but declares no permission, so anyone who may see the
attempts could run it; here it needs the delete permission (no role holds it: superusers only).
"""

from typing import Any

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest


class AccessAttemptAdmin(AxesAccessAttemptAdmin):  # type: ignore[misc]  # axes is untyped
    @admin.action(description=AxesAccessAttemptAdmin.cleanup_expired_attempts.short_description, permissions=["delete"])
    def cleanup_expired_attempts(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        return super().cleanup_expired_attempts(request, queryset)


if admin.site.is_registered(AccessAttempt):  # AXES_ENABLE_ADMIN may turn axes' admin off
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AccessAttemptAdmin)
