"""The field app shows retrofits through its extension points: nav link, person panel, need action."""

import pytest
from django.urls import reverse

from accessibility.models import Retrofit
from tests.services.factories import PersonFactory, file_visit

pytestmark = pytest.mark.django_db


def test_the_person_page_offers_an_application_for_a_retrofit_need_and_lists_cases(client, member, street):
    person = PersonFactory(street=street)
    follow_up = file_visit(person, by=member, needs=["retrofit"]).follow_ups.get()
    client.force_login(member)
    page = client.get(reverse("field:person", args=[person.pk])).content.decode()
    apply_url = reverse("field_retrofits:apply", args=[person.pk])
    assert f"{apply_url}?follow_up={follow_up.pk}" in page
    assert 'id="person-retrofits"' in page
    assert reverse("field_retrofits:list") in page  # the navigation link
    response = client.post(f"{apply_url}?follow_up={follow_up.pk}", {"type": "basic", "note": "卫生间扶手"})
    assert response.status_code == 302
    retrofit = Retrofit.objects.get()
    assert (retrofit.person, retrofit.from_follow_up, retrofit.status) == (person, follow_up, "applied")
    page = client.get(response["Location"]).content.decode()
    assert f"#{retrofit.pk}" in page
