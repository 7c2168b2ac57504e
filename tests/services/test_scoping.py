"""The street-scoping rule: who sees which persons."""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from services.models import Person, Street, StreetAssignment
from services.registry.scoping import StreetScopedQuerySet
from tests.services.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def persons(street, other_street):
    return PersonFactory(street=street), PersonFactory(street=other_street)


def visible(user) -> set:
    return set(Person.objects.visible_to(user))


def test_staff_and_auditors_see_every_street(persons, staff_user, auditor):
    assert visible(staff_user) == set(persons)
    assert visible(auditor) == set(persons)


def test_a_committee_member_sees_only_their_street(persons, member, other_member):
    mine, theirs = persons
    assert visible(member) == {mine}
    assert visible(other_member) == {theirs}


def test_a_member_of_two_streets_sees_both(persons, member, other_street):
    StreetAssignment.objects.create(user=member, street=other_street)
    assert visible(member) == set(persons)


def test_anyone_else_sees_nothing(persons, volunteer, django_user_model):
    assert visible(volunteer) == set()
    assert visible(AnonymousUser()) == set()
    no_role = django_user_model.objects.create_user("nobody")
    assert visible(no_role) == set()


def test_a_disabled_account_sees_nothing(persons, staff_user):
    staff_user.is_active = False
    staff_user.save()
    assert visible(staff_user) == set()


def test_counts_never_include_other_streets(street, other_street, member):
    PersonFactory.create_batch(3, street=street)
    PersonFactory.create_batch(5, street=other_street)
    assert Person.objects.visible_to(member).count() == 3


def test_superuser_sees_all(persons, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")
    assert visible(root) == set(persons)


def street_scoped_models() -> list:
    return [m for m in apps.get_models() if isinstance(m._default_manager.all(), StreetScopedQuerySet)]


def test_every_street_scoped_model_declares_one_street_lookup_that_reaches_a_street():
    models = street_scoped_models()
    assert len(models) >= 18  # the registry, visits, escorts, rehab, accessibility, employment, events
    for model in models:
        target = model
        for name in model.street_lookup.split("__"):
            target = target._meta.get_field(name).related_model
        assert target is Street, model


def test_the_statistics_street_filter_is_the_scoping_filter(persons, street, other_street, member):
    mine, theirs = persons
    assert set(Person.objects.in_streets(Street.objects.filter(pk=street.pk))) == {mine}
    assert set(Person.objects.in_streets([other_street])) == {theirs}
    assert set(Person.objects.in_streets(None)) == set(persons)
    assert set(Person.objects.visible_to(member)) == set(Person.objects.in_streets([street]))
