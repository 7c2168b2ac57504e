"""Signal receivers: sessions end when an account is disabled or its roles change; log-in sets the session policy.

These are the only side effects on the User model, and they touch nothing but sessions: access that
was withdrawn must end at once, wherever it is withdrawn (admin, shell, a command).
"""

import time
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_init, post_save, pre_save

from . import actions

if TYPE_CHECKING:
    from services.models import User

IDLE_KEY = "_idle_seconds"
SEEN_KEY = "_last_seen"
SECOND_FACTOR_KEY = "_second_factor"
# The session row outlives the idle limit a little, so that the idle rule (not a vanished session)
# ends it and can tell the person why; the idle rule itself is exact.
SERVER_GRACE_SECONDS = 10 * 60
_WATCHED = ("is_active", "is_staff", "is_superuser", "password")


def session_policy_apply(session: Any, user: "User") -> None:
    """Store the user's idle limit and second-factor rule in their session and start the idle clock."""
    policy = actions.session_policy_for(user)
    session[IDLE_KEY] = policy.idle_seconds
    session[SECOND_FACTOR_KEY] = policy.second_factor
    session[SEEN_KEY] = int(time.time())
    session.set_expiry(policy.idle_seconds + SERVER_GRACE_SECONDS)


def _on_login(sender: Any, request: Any, user: "User", **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_policy_apply(request.session, user)


def _remember_access(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance._access_at_load = tuple(instance.__dict__.get(name) for name in _WATCHED)


def _note_lost_access(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    before = getattr(instance, "_access_at_load", None)
    if raw or instance._state.adding or before is None:
        return
    # Compare only what was loaded: a deferred field is not a change.
    changed = {
        name
        for name, old in zip(_WATCHED, before, strict=True)
        if old is not None and name in instance.__dict__ and instance.__dict__[name] != old
    }
    instance._end_sessions = bool(changed - {"is_active"}) or ("is_active" in changed and not instance.is_active)


def _end_sessions_after_save(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if getattr(instance, "_end_sessions", False):
        # A password change keeps the session it was made in: Django's update_session_auth_hash()
        # copies that session to a new key after this, and every other session is gone.
        actions.user_sessions_end(user_ids=[instance.pk])
        instance._end_sessions = False
    _remember_access(sender, instance)


def _end_sessions_on_role_change(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs):
    # Any change of roles: a lost role must stop working now; a gained one applies at a fresh log-in,
    # with the second factor if it needs one. Adding a role someone already has changes nothing
    # (Django sends the signal with an empty pk_set), so their sessions stay.
    if action in {"post_add", "post_remove"} and pk_set:
        # `instance` is a user whose roles changed, or a role group whose people changed: then one
        # DELETE for all of them, however many.
        actions.user_sessions_end(user_ids=pk_set if reverse else [instance.pk])
    elif action == "pre_clear":
        actions.user_sessions_end(user_ids=instance.user_set.values("pk") if reverse else [instance.pk])


def connect() -> None:
    user_model = get_user_model()
    user_logged_in.connect(_on_login, dispatch_uid="accounts.session_policy")
    post_init.connect(_remember_access, sender=user_model, dispatch_uid="accounts.remember_access")
    pre_save.connect(_note_lost_access, sender=user_model, dispatch_uid="accounts.note_lost_access")
    post_save.connect(_end_sessions_after_save, sender=user_model, dispatch_uid="accounts.end_sessions")
    m2m_changed.connect(
        _end_sessions_on_role_change, sender=user_model.groups.through, dispatch_uid="accounts.role_change"
    )
