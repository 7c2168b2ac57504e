"""The one guard of the field and volunteer pages: logged in, allowed, never cached."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache


def page_required(
    *permissions: str, test: Callable[[Any], bool] | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Logged in (else to the login page), holding every permission and passing `test` (else 403); never cached.

    Permissions are named as strings ("services.use_field_app"), so core imports no app.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @never_cache
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.has_perms(permissions) or (test is not None and not test(user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
