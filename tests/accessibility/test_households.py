"""Households: a retrofit is for a home (户), so two members of one household make one retrofitted home."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accessibility.actions import retrofit_apply
from accessibility.models import Retrofit
from reports import figures
from services.models import Household, Person
from services.registry.households import household_link, households_assign, households_link
from tests.services.factories import PersonFactory

from .conftest import english_client
from .factories import make_retrofit
from .test_workflow import codes

pytestmark = pytest.mark.django_db

Status = Retrofit.Status
HOME = "江宁路100弄5号302室"


def two_members(street, address: str = HOME) -> tuple[Person, Person]:
    """Two disabled persons of one household: the same street and address (typed a little differently)."""
    return (
        PersonFactory(street=street, address=address),
        PersonFactory(street=street, category=4, address=f" {address.replace('5号', '5号 ').replace('3', '３')} "),
    )


def test_persons_at_one_address_of_one_street_share_a_household(street, other_street):
    first, second = two_members(street)
    elsewhere = PersonFactory(street=other_street, address=HOME)  # the same words in another street
    no_address = PersonFactory(street=street)
    households_link(person_ids=[first.pk, second.pk, elsewhere.pk, no_address.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    elsewhere.refresh_from_db()
    no_address.refresh_from_db()
    assert first.household == second.household
    assert first.household.address == "江宁路100弄5号302室"
    assert elsewhere.household not in (first.household, None)
    assert no_address.household.address == ""
    assert no_address.household != first.household
    assert set(first.household.members.all()) == {first, second}


def test_new_persons_get_their_household_before_they_are_inserted(street):
    first = PersonFactory(street=street, address=HOME)
    households_link(person_ids=[first.pk])
    first.refresh_from_db()
    same_home = PersonFactory.build(street=street, address=HOME.replace("302", "３０２"))
    new_home = PersonFactory.build(street=street, address="武定路8号")
    no_address = PersonFactory.build(street=street, address="")
    households_assign(persons=[same_home, new_home, no_address])
    Person.objects.bulk_create([same_home, new_home, no_address])
    assert same_home.household == first.household
    assert new_home.household.address == "武定路8号"
    assert no_address.household.address == ""
    assert len({first.household_id, new_home.household_id, no_address.household_id}) == 3
    assert Person.objects.filter(household__isnull=True).count() == 0


def test_a_person_who_moves_leaves_the_household(street):
    first, second = two_members(street)
    household = household_link(person=first)
    assert household_link(person=second) == household
    second.address = "武定路8号"
    second.save()
    assert household_link(person=second) != household
    assert list(household.members.all()) == [first]


def test_the_second_member_of_a_household_cannot_apply_while_the_first_has_an_open_case(member, street):
    first, second = two_members(street)
    case = retrofit_apply(person=first, by=member, type="standard")
    assert case.household == Household.objects.get(address="江宁路100弄5号302室")
    with pytest.raises(ValidationError) as caught:
        retrofit_apply(person=second, by=member, type="basic")
    assert codes(caught.value) == {"household_has_retrofit"}
    assert f"case #{case.pk} of {first.name}" in str(caught.value)
    assert Retrofit.objects.count() == 1


@pytest.mark.parametrize("status", Retrofit.DONE)
def test_a_retrofitted_home_is_not_retrofitted_again_for_another_member(status, member, street):
    first, second = two_members(street)
    make_retrofit(status, person=first)
    with pytest.raises(ValidationError) as caught:
        retrofit_apply(person=second, by=member, type="basic")
    assert codes(caught.value) == {"household_has_retrofit"}
    assert Retrofit.objects.count() == 1


@pytest.mark.parametrize("status", [Status.REJECTED, Status.WITHDRAWN])
def test_a_closed_case_leaves_the_home_free_for_another_member(status, member, street):
    first, second = two_members(street)
    make_retrofit(status, person=first)
    assert retrofit_apply(person=second, by=member, type="basic").household == first.household


def test_the_retrofit_figure_counts_households_not_cases(street):
    first, second = two_members(street)
    # Written directly, as data from before the rule: two accepted cases of one home.
    make_retrofit(Status.ACCEPTED, person=first)
    make_retrofit(Status.FOLLOWED_UP, person=second, type=Retrofit.Type.BASIC)
    make_retrofit(Status.ACCEPTED, person=PersonFactory(street=street, address="武定路8号"))
    figure = figures.get("home_retrofits")
    assert figure.compute(2023, None) == 2
    assert figures.counted(2023, [figure])[figure.key].breakdowns["street"] == {street.code: 2}


def test_the_admin_refuses_the_second_member_and_names_the_existing_case(client, staff_user, street):
    first, second = two_members(street)
    existing = make_retrofit(Status.IN_WORKS, person=first)
    staff = english_client(client, staff_user)
    add = reverse("admin:accessibility_retrofit_add")
    assert "A home is retrofitted once" in staff.get(add).content.decode()
    response = staff.post(
        add, {"person": second.pk, "type": "basic", "applied_on": "2023-05-01", "application_note": ""}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"This home already has a retrofit: case #{existing.pk} of {first.name}" in page
    assert Retrofit.objects.count() == 1
    change = staff.get(reverse("admin:accessibility_retrofit_change", args=[existing.pk])).content.decode()
    assert "江宁路100弄5号302室" in change


@pytest.mark.urls("tests.accessibility.urls")
def test_the_field_page_shows_the_household_and_the_other_members_case(client, member, street):
    first, second = two_members(street)
    existing = make_retrofit(Status.APPROVED, person=first)
    member_client = english_client(client, member)
    url = reverse("field_retrofits:apply", args=[second.pk])
    page = member_client.get(url).content.decode()
    assert "江宁路100弄5号302室" in page
    assert f"#{existing.pk} · {first.name}" in page
    response = member_client.post(url, {"type": "basic"})
    assert response.status_code == 400
    assert "This home already has a retrofit" in response.content.decode()
    assert Retrofit.objects.count() == 1


def test_the_household_admin_lists_members_and_writes_nothing(client, staff_user, street):
    first, second = two_members(street)
    household = household_link(person=first)
    household_link(person=second)
    staff = english_client(client, staff_user)
    page = staff.get(reverse("admin:services_household_change", args=[household.pk])).content.decode()
    assert first.name in page
    assert second.name in page
    assert staff.get(reverse("admin:services_household_changelist")).status_code == 200
    assert staff.get(reverse("admin:services_household_add")).status_code == 403


def test_saving_a_person_links_their_household(staff_user, street):
    from services.registry.actions import person_save

    first, _second = two_members(street)
    person = PersonFactory.build(street=street, address=HOME, consent_given_on=datetime.date(2023, 1, 5))
    person_save(person=person, by=staff_user)
    first.refresh_from_db()
    assert person.household is not None
    assert Person.objects.get(pk=person.pk).household_id == household_link(person=first).pk


def test_importing_persons_links_each_to_the_household_of_their_address(staff_user):
    from tests.services.test_spreadsheets import ID_B, an_id, run_import, valid_row, xlsx

    other = an_id("31010619870412003")
    rows = [valid_row(), valid_row(**{"姓名": "王小红", "身份证号": other, "残疾证号": f"{other}21"})]
    result = run_import(xlsx(rows), staff_user)
    assert result.errors == []
    first, second = Person.objects.get(id_number=ID_B), Person.objects.get(id_number=other)
    assert first.household is not None
    assert first.household == second.household
    assert first.household.address == "江宁路1号101室"
