"""The one guard of the field and volunteer pages (core.guards.page_required): log-in, permissions, no cache."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from core.guards import page_required


class Member:
    """Just enough of a user for the guard: logged in, holding `perms`."""

    is_authenticated = True

    def __init__(self, *perms: str, volunteer: bool = False) -> None:
        self.perms = set(perms)
        if volunteer:
            self.volunteer = object()

    def has_perms(self, perms) -> bool:
        return set(perms) <= self.perms


def _page(request):
    return HttpResponse("ok")


def _get(user):
    request = RequestFactory().get("/field/")
    request.user = user
    return request


def test_an_anonymous_reader_is_sent_to_log_in():
    response = page_required("services.use_field_app")(_page)(_get(AnonymousUser()))
    assert response.status_code == 302
    assert "/field/" in response["Location"]


@pytest.mark.parametrize("perms", [(), ("services.use_field_app",), ("employment.add_referral",)])
def test_a_member_missing_one_permission_is_refused(perms):
    view = page_required("services.use_field_app", "employment.add_referral")(_page)
    with pytest.raises(PermissionDenied):
        view(_get(Member(*perms)))


def test_a_member_with_every_permission_gets_the_page_uncached():
    view = page_required("services.use_field_app", "employment.add_referral")(_page)
    response = view(_get(Member("services.use_field_app", "employment.add_referral")))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_the_test_refuses_a_user_it_does_not_pass():
    view = page_required(test=lambda user: hasattr(user, "volunteer"))(_page)
    with pytest.raises(PermissionDenied):
        view(_get(Member()))
    assert view(_get(Member(volunteer=True))).status_code == 200
