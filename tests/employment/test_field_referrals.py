"""Committee members refer a person from a visit's training or job need, in the field app."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from employment.models import Course, Referral
from tests.services.factories import file_visit, person_aged

pytestmark = pytest.mark.django_db


def test_a_training_need_leads_to_a_referral_to_a_course(client, member, street):
    person = person_aged(street, 30, category=4, grade=3, sequence=321)
    need = file_visit(person, by=member, needs=["training"]).follow_ups.get()
    today = timezone.localdate()
    course = Course.objects.create(
        title="面点制作",
        trade="西式面点师",
        provider="静安区职业技能培训中心",
        starts_on=today + datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=40),
        capacity=20,
    )
    client.force_login(member)
    person_page = client.get(reverse("field:person", args=[person.pk])).content.decode()
    url = reverse("field_employment:refer", args=[need.pk])
    assert url in person_page
    assert 'id="person-employment"' in person_page
    assert client.get(url).status_code == 200
    response = client.post(url, {"course": course.pk, "note": "想学烘焙"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.person, referral.kind, referral.course, referral.follow_up) == (person, "course", course, need)


def test_a_member_cannot_refer_from_another_streets_need(client, member, other_member, other_street):
    person = person_aged(other_street, 30, category=4, grade=3, sequence=321)
    need = file_visit(person, by=other_member, needs=["job"]).follow_ups.get()
    client.force_login(member)
    url = reverse("field_employment:refer", args=[need.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"note": "x"}).status_code == 404
    assert not Referral.objects.exists()


def test_a_double_submitted_referral_is_refused_on_the_page_not_with_a_server_error(client, member, street):
    person = person_aged(street, 30, category=4, grade=3, sequence=321)
    need = file_visit(person, by=member, needs=["job"]).follow_ups.get()
    client.force_login(member)
    client.raise_request_exception = False
    url = reverse("field_employment:refer", args=[need.pk])
    first = client.post(url, {"note": "想找工作"})
    again = client.post(url, {"note": "想找工作"})
    assert first.status_code == 302
    # The action's refusal is keyed by fields the form does not have: it must show on top of the form.
    assert again.status_code == 400
    assert Referral.objects.count() == 1
