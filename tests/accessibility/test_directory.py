"""The public directory of accessible places (#21): the selector, the page, its filters and its CSV and JSON."""

import csv
import dataclasses
import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from accessibility.selectors import PlaceKind, PublicPlace, public_place_list
from services.models import Street
from tests.accessibility.factories import RampRetrofitFactory, SignLanguagePointFactory
from tests.services.factories import PersonFactory, file_visit
from tests.services.rehab_factories import ContractFactory, RehabCentreFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The directory's downloads are the open-data API's, kept in the cache for minutes: each test starts empty."""
    cache.clear()
    yield
    cache.clear()


TODAY = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC)
PUBLIC_FIELDS = {
    "kind",
    "kind_label",
    "name",
    "address",
    "street_code",
    "street_name",
    "hours",
    "access_notes",
    "services",
    "phone",
}


@pytest.fixture(autouse=True)
def _today_in_chinese(_in_english, settings):
    """Chinese first, as the public reads the portal (this folder's conftest speaks English); a test that wants
    English asks for it with the language cookie or translation.override."""
    settings.LANGUAGE_CODE = "zh-hans"
    with time_machine.travel(TODAY, tick=False), translation.override("zh-hans"):
        yield


@pytest.fixture
def places(street, other_street, member):
    """One listed place of each kind in `street`, one in `other_street`, and what must never be listed."""
    point = SignLanguagePointFactory(
        street=street,
        venue="江宁路社区事务受理服务中心",
        kind="street_counter",
        address="静安区江宁路100号",
        opening_hours="周一至周五 9:00–17:00",
        opening_hours_en="Mon–Fri 9:00–17:00",
        access_notes="正门无台阶",
        access_notes_en="Step-free main entrance",
    )
    home = RehabCentreFactory(street=street, name="江宁路街道社区卫生服务中心", lift=True, phone="021-62000001")
    ramp = RampRetrofitFactory(
        street=street,
        compound="西康路300弄",
        passage="1号楼单元入口",
        public=True,
        address="静安区西康路300弄",
        opening_hours="全天开放",
        access_notes="坡度1:12，两侧扶手",
        note="内部：业主王先生13900001111",
    )
    other = SignLanguagePointFactory(street=other_street, venue="大宁路社区事务受理服务中心")
    # Never listed: a ramp not marked public, a closed point, a point not yet open, an uncertified centre.
    RampRetrofitFactory(street=street, compound="私人小区", public=False)
    SignLanguagePointFactory(
        street=street,
        venue="已关闭服务点",
        in_service_from=datetime.date(2022, 1, 1),
        in_service_to=datetime.date(2023, 6, 30),
    )
    SignLanguagePointFactory(street=street, venue="明年开放服务点", in_service_from=datetime.date(2027, 3, 1))
    RehabCentreFactory(street=street, name="未认证中心", certification="applied", accepted_on=None)
    # A person with a contract, a session and a visit in the same street: nothing of them may be shown.
    person = PersonFactory(street=street, name="赵秘密", address="静安区隐私路1号", phone="13900009999")
    contract = ContractFactory(person=person, centre=home, doctor="钱医生团队")
    SessionFactory(contract=contract, given_by="孙治疗师", note="左侧偏瘫")
    file_visit(person, by=member, needs=["rehabilitation"])
    return {"point": point, "home": home, "ramp": ramp, "other": other, "person": person}


def private_texts(places) -> list[str]:
    person = places["person"]
    return [
        person.name,
        person.id_number,
        person.masked_id_number,
        person.phone,
        person.address,
        "钱医生团队",
        "孙治疗师",
        "左侧偏瘫",
        "王先生",
        "13900001111",
    ]


# --- the selector --------------------------------------------------------------------------------------------


def test_the_selector_lists_only_public_places_sorted_by_street_kind_and_name(places, street, other_street):
    names = [place.name for place in public_place_list()]
    assert names == [
        "江宁路社区事务受理服务中心",
        "江宁路街道社区卫生服务中心",
        "西康路300弄 1号楼单元入口",
        "大宁路社区事务受理服务中心",
    ]
    assert street.code < other_street.code


def test_a_place_is_a_frozen_dataclass_of_public_fields_only(places):
    place = public_place_list(kind=PlaceKind.RAMP)[0]
    assert isinstance(place, PublicPlace)
    assert {f.name for f in dataclasses.fields(PublicPlace)} == PUBLIC_FIELDS
    with pytest.raises(dataclasses.FrozenInstanceError):
        place.name = "x"  # type: ignore[misc]
    assert place == PublicPlace(
        kind="ramp",
        kind_label="小区无障碍坡道",
        name="西康路300弄 1号楼单元入口",
        address="静安区西康路300弄",
        street_code="310106006",
        street_name="江宁路街道",
        hours="全天开放",
        access_notes="坡度1:12，两侧扶手",
        services="",
        phone="",
    )


def test_no_place_carries_personal_data_or_an_internal_note(places):
    text = repr(public_place_list())
    for private in private_texts(places):
        assert private not in text


def test_the_selector_filters_by_street_code_and_by_kind(places, street, other_street):
    assert {p.name for p in public_place_list(street_code=other_street.code)} == {"大宁路社区事务受理服务中心"}
    assert [p.name for p in public_place_list(kind=PlaceKind.REHAB_HOME)] == ["江宁路街道社区卫生服务中心"]
    both = public_place_list(street_code=street.code, kind=PlaceKind.SIGN_LANGUAGE_POINT)
    assert [p.name for p in both] == ["江宁路社区事务受理服务中心"]
    assert public_place_list(street_code="999999999") == []
    assert public_place_list(kind="nonsense") == []


def test_a_sign_language_point_is_listed_through_its_last_day_of_service(places, street):
    SignLanguagePointFactory(street=street, venue="今天最后一天", in_service_to=datetime.date(2026, 12, 7))
    SignLanguagePointFactory(street=street, venue="昨天结束", in_service_to=datetime.date(2026, 12, 6))
    names = {p.name for p in public_place_list(kind=PlaceKind.SIGN_LANGUAGE_POINT)}
    assert "今天最后一天" in names
    assert "昨天结束" not in names


def test_english_text_is_used_in_english_mode_where_the_record_has_it(places):
    with translation.override("en"):
        point = public_place_list(kind=PlaceKind.SIGN_LANGUAGE_POINT)[0]
        ramp = public_place_list(kind=PlaceKind.RAMP)[0]
        home = public_place_list(kind=PlaceKind.REHAB_HOME)[0]
    assert (point.hours, point.access_notes, point.street_name) == (
        "Mon–Fri 9:00–17:00",
        "Step-free main entrance",
        "Jiangning Road Subdistrict",
    )
    assert point.kind_label == "Sign-language video point"
    assert ramp.hours == "全天开放"  # no English text: the Chinese
    assert home.access_notes == "Step-free entrance, Accessible toilet, Lift to every floor"
    assert home.phone == "021-62000001"  # the centre's public number
    chinese = public_place_list(kind=PlaceKind.SIGN_LANGUAGE_POINT)[0]
    assert (chinese.hours, chinese.access_notes) == ("周一至周五 9:00–17:00", "正门无台阶")


def test_the_selector_takes_one_query_per_kind_however_many_places(places, street, django_assert_num_queries):
    for n in range(5):
        RampRetrofitFactory(street=street, public=True)
        SignLanguagePointFactory(street=street)
        RehabCentreFactory(street=street, name=f"又一中心{n}")
    with django_assert_num_queries(3):
        assert len(public_place_list()) == 4 + 15
    with django_assert_num_queries(1):
        public_place_list(kind=PlaceKind.RAMP)


# --- the page ------------------------------------------------------------------------------------------------


def test_anyone_sees_the_directory_with_every_fact_of_a_place(client, places):
    response = client.get(reverse("places:list"))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "江宁路社区事务受理服务中心",
        "静安区江宁路100号",
        "周一至周五 9:00–17:00",
        "正门无台阶",
        "江宁路街道",
        "在线手语视频服务点",
        "康复之家",
        "小区无障碍坡道",
        "西康路300弄 1号楼单元入口",
        "大宁路社区事务受理服务中心",
        'role="status"',
        "找到 4 个场所。",
    ):
        assert text in html, text
    for hidden in ("私人小区", "已关闭服务点", "明年开放服务点", "未认证中心"):
        assert hidden not in html


def test_the_page_shows_no_personal_data(client, places):
    html = client.get(reverse("places:list")).content.decode()
    for private in private_texts(places):
        assert private not in html


def test_the_filters_narrow_the_list_and_keep_the_choice(client, places, other_street):
    html = client.get(reverse("places:list"), {"street": other_street.code}).content.decode()
    assert "大宁路社区事务受理服务中心" in html
    assert "江宁路社区事务受理服务中心" not in html
    assert "找到 1 个场所。" in html
    assert f'<option value="{other_street.code}" selected>' in html
    html = client.get(reverse("places:list"), {"kind": "ramp"}).content.decode()
    assert "西康路300弄" in html
    assert "江宁路社区事务受理服务中心" not in html
    assert '<option value="ramp" selected>' in html
    assert 'href="/api/v1/places/places.csv?kind=ramp&amp;lang=zh-hans"' in html


def test_the_filter_form_is_a_labelled_get_form(client, places):
    html = client.get(reverse("places:list")).content.decode()
    assert '<form method="get" action="/places/"' in html
    assert '<label class="form-label fw-bold" for="id_street">' in html
    assert '<label class="form-label fw-bold" for="id_kind">' in html
    assert html.count("<option") == 1 + Street.objects.count() + 1 + len(PlaceKind.choices)


@pytest.mark.parametrize(
    "query",
    [{"street": "abc"}, {"street": "x" * 10_000}, {"kind": "people"}, {"street": "310106006", "kind": "1"}],
)
def test_an_unknown_street_or_kind_is_a_clear_message_and_no_list(client, places, query):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("places:list"), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "Choose one from the list." in html
    assert "江宁路社区事务受理服务中心" not in html
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert "x" * 100 not in summary  # the message does not repeat the value
    assert 'href="/places/">Show all places</a>' in html


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999999999999999999", "9999", "1e309"])
def test_any_page_number_answers_a_page_of_the_list(client, places, page):
    response = client.get(reverse("places:list"), {"page": page})
    assert response.status_code == 200
    assert "江宁路社区事务受理服务中心" in response.content.decode()


def test_unknown_parameters_are_ignored(client, places):
    response = client.get(reverse("places:list"), {"utm_source": "wechat", "street": ""})
    assert response.status_code == 200
    assert "找到 4 个场所。" in response.content.decode()


def test_the_list_is_paginated_25_a_page_with_the_filter_kept(client, places, street):
    for n in range(30):
        RampRetrofitFactory(street=street, compound=f"测试小区{n:02d}", public=True)
    html = client.get(reverse("places:list"), {"kind": "ramp"}).content.decode()
    assert html.count('<li class="card mb-3">') == 25
    assert "找到 31 个场所。" in html
    assert "当前显示第 1 至 25 个。" in html
    assert 'href="?kind=ramp&amp;page=2"' in html
    second = client.get(reverse("places:list"), {"kind": "ramp", "page": "2"}).content.decode()
    assert second.count('<li class="card mb-3">') == 6


def test_the_page_costs_the_same_with_4_and_40_places(client, places, street, django_assert_num_queries):
    client.get(reverse("places:list"))  # warm: sessions, language
    # The streets of the filter, then one query per kind of place.
    with django_assert_num_queries(4):
        assert client.get(reverse("places:list")).status_code == 200
    for n in range(12):
        RampRetrofitFactory(street=street, public=True)
        SignLanguagePointFactory(street=street)
        RehabCentreFactory(street=street, name=f"又一中心{n}")
    with django_assert_num_queries(4):
        assert client.get(reverse("places:list")).status_code == 200


def test_the_page_reads_in_english_with_the_records_english_text(client, places):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("places:list")).content.decode()
    assert "Accessible places" in html
    assert "Mon–Fri 9:00–17:00" in html
    assert "Step-free main entrance" in html
    assert "Jiangning Road Subdistrict" in html
    assert "4 places found." in html
    assert "周一至周五 9:00–17:00" not in html


def test_the_page_takes_no_post(client, places):
    assert client.post(reverse("places:list")).status_code == 405
    assert client.post(reverse("api:places_csv")).status_code == 405
    assert client.post(reverse("api:places")).status_code == 405


def test_the_old_rehabilitation_homes_address_is_a_permanent_redirect_to_that_kind(client, places):
    response = client.get("/rehab-homes/")
    assert response.status_code == 301
    assert response["Location"] == "/places/?kind=rehab_home"
    html = client.get(response["Location"]).content.decode()
    assert "江宁路街道社区卫生服务中心" in html
    assert "西康路300弄" not in html


def test_the_directory_and_its_downloads_are_in_the_sitemap_and_linked_from_every_public_page(client, places):
    sitemap = client.get(reverse("sitemap")).content.decode()
    assert reverse("places:list") in sitemap
    assert reverse("open_data") in sitemap  # which documents the directory's downloads
    assert "/rehab-homes/" not in sitemap
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("places:list")}"' in home
    assert f'href="{reverse("api:places_csv")}"' in home  # the footer
    here = client.get(reverse("places:list")).content.decode()
    assert f'href="{reverse("places:list")}" aria-current="page"' in here


# --- the downloads -------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_starts_with_a_bom_and_holds_the_filtered_places(client, places, other_street):
    response = client.get(reverse("api:places_csv"), {"street": other_street.code})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="jingan-accessible-places-zh-hans.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, *rows = read_csv(response)
    assert header == ["名称", "场所类型", "街道", "街道代码", "地址", "开放时间", "无障碍须知", "服务项目", "电话"]
    assert [row[0] for row in rows] == ["大宁路社区事务受理服务中心"]
    assert rows[0][1:4] == ["在线手语视频服务点", "大宁路街道", other_street.code]


def test_the_csv_has_every_place_and_nothing_personal(client, places):
    response = client.get(reverse("api:places_csv"))
    _header, *rows = read_csv(response)
    assert len(rows) == 4
    text = response.content.decode("utf-8-sig")
    for private in private_texts(places):
        assert private not in text


def test_the_csv_neutralises_cells_a_spreadsheet_would_run(client, places):
    point = places["point"]
    point.venue, point.address, point.access_notes = '=HYPERLINK("http://x")', "+1 路", "@SUM(A1)"
    point.save()
    _header, *rows = read_csv(client.get(reverse("api:places_csv"), {"kind": "sign_language_point"}))
    row = next(r for r in rows if "HYPERLINK" in r[0])
    assert row[0] == '\'=HYPERLINK("http://x")'
    assert row[4] == "'+1 路"
    assert row[6] == "'@SUM(A1)"


def test_the_csv_reads_in_english_in_english_mode(client, places):
    header, *rows = read_csv(client.get(reverse("api:places_csv"), {"kind": "sign_language_point", "lang": "en"}))
    assert header[:4] == ["Name", "Kind of place", "Street", "Street code"]
    assert rows[0][5] == "Mon–Fri 9:00–17:00"


def test_the_json_holds_the_same_places_with_every_public_field(client, places, street):
    response = client.get(reverse("api:places"), {"street": street.code})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["count"] == 3
    assert [p["name"] for p in data["places"]] == [p.name for p in public_place_list(street_code=street.code)]
    assert set(data["places"][0]) == PUBLIC_FIELDS
    assert "江宁路" in response.content.decode()  # Chinese as text, not \u escapes
    for private in private_texts(places):
        assert private not in response.content.decode()


@pytest.mark.parametrize("name", ["api:places_csv", "api:places"])
def test_a_download_with_an_unknown_filter_is_a_400_with_a_message(client, places, name):
    client.cookies["django_language"] = "en"
    response = client.get(reverse(name), {"kind": "persons"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_parameter"
    assert error["message"] == "The directory has no such kind of place. Choose one from the list."
