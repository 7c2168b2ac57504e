"""The rehabilitation homes in the public directory of accessible places (their old page, /rehab-homes/, now leads
there): certified centres only, their hours, services and access facts, and no personal data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from accessibility.selectors import PlaceKind
from tests.services.factories import PersonFactory, file_visit
from tests.services.rehab_factories import ContractFactory, RehabCentreFactory, SessionFactory

pytestmark = pytest.mark.django_db


def homes_url() -> str:
    return f"{reverse('places:list')}?kind={PlaceKind.REHAB_HOME}"


@pytest.fixture
def homes(street, other_street, member):
    home = RehabCentreFactory(
        street=street,
        name="江宁路街道社区卫生服务中心",
        address="静安区西康路测试号",
        opening_hours="周一至周五 8:00–16:30",
        lift=True,
        sign_language=True,
        offers_speech_therapy=True,
    )
    RehabCentreFactory(street=other_street, name="未认证中心", certification="applied", accepted_on=None)
    RehabCentreFactory(
        street=other_street,
        name="已撤销中心",
        accepted_on=datetime.date(2021, 1, 1),
        certification="revoked",
        revoked_on=datetime.date(2022, 1, 1),
    )
    person = PersonFactory(street=street, name="赵秘密", address="静安区隐私路1号", phone="13900009999")
    contract = ContractFactory(person=person, centre=home, doctor="钱医生团队")
    SessionFactory(contract=contract, given_by="孙治疗师", note="左侧偏瘫")
    file_visit(person, by=member, needs=["rehabilitation"])
    return home, person


def test_anyone_sees_the_certified_homes_with_hours_and_access(client, homes):
    home, _person = homes
    response = client.get(homes_url())
    assert response.status_code == 200
    html = response.content.decode()
    for text in (home.name, home.address, home.opening_hours, "江宁路街道"):
        assert text in html
    assert "未认证中心" not in html
    assert "已撤销中心" not in html
    with translation.override("en"):
        html = client.get(homes_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Step-free entrance" in html
    assert "Lift to every floor" in html
    assert "Speech and language therapy" in html
    assert "Hearing loop" not in html  # not offered by this centre


def test_the_page_shows_no_personal_data(client, homes):
    _home, person = homes
    html = client.get(homes_url()).content.decode()
    for private in (
        person.name,
        person.id_number,
        person.masked_id_number,
        person.phone,
        person.address,
        "钱医生团队",
        "孙治疗师",
        "左侧偏瘫",
    ):
        assert private not in html


def test_the_homes_take_two_queries_however_many(client, homes, street, django_assert_num_queries):
    client.get(homes_url())  # sessions, language: warm
    for _ in range(5):
        RehabCentreFactory(street=street)
    with django_assert_num_queries(2):  # the streets of the filter, and the homes
        assert client.get(homes_url()).status_code == 200


def test_the_old_address_leads_permanently_to_the_homes_in_the_directory(client, homes):
    for method in (client.get, client.head):
        response = method(reverse("rehab_homes"))
        assert response.status_code == 301
        assert response["Location"] == homes_url()


def test_every_public_page_links_to_the_directory_and_marks_it_when_there(client):
    url = reverse("places:list")
    home = client.get(reverse("home")).content.decode()
    assert f'href="{url}"' in home
    assert f'href="{url}" aria-current="page"' not in home
    assert f'href="{url}" aria-current="page"' in client.get(homes_url()).content.decode()


def test_a_home_shows_its_english_hours_and_services_in_english_mode_and_its_chinese_otherwise(client, homes):
    home, _person = homes
    home.opening_hours_en, home.services_note = "Mon–Fri 8:00–16:30", "中医推拿"
    home.services_note_en = "Chinese massage"
    home.save()
    other = RehabCentreFactory(street=home.street, name="无英文中心", opening_hours="周六 9:00–12:00")
    client.cookies["django_language"] = "en"
    english = client.get(homes_url()).content.decode()
    assert "Mon–Fri 8:00–16:30" in english
    assert "Chinese massage" in english
    assert "周一至周五 8:00–16:30" not in english
    assert other.opening_hours in english  # no English text: the Chinese
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(homes_url()).content.decode()
    assert "周一至周五 8:00–16:30" in chinese
    assert "中医推拿" in chinese
    assert "Chinese massage" not in chinese
