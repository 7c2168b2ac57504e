"""The one permission check every write action makes on the user it acts for, whoever calls it."""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from services.models import User


def action_permission_check(by: "User | None", *permissions: str) -> None:
    """Refuse a write unless `by` is the system (None: a task, a migration) or holds one of `permissions`.

    Admin actions hide themselves from users without their permission, but the action must not rely on
    that: a view, a task or another admin may call it too. Raises ValidationError (code
    "permission_denied"), which the admin and the field pages show as a message.
    """
    if by is None:
        return
    if by.is_authenticated and by.is_active and any(by.has_perm(permission) for permission in permissions):
        return
    raise ValidationError(_("You do not have permission to do this."), code="permission_denied")
