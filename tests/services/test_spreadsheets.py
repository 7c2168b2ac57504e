"""The registry in Excel: the template, the all-or-nothing import, the masked export and who may use them."""

import datetime
import io
import os
import zipfile
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from core.excel import neutralise
from services.models import AccessLog, AuditEntry, Person, Street
from services.registry.identity import check_character
from services.registry.sample import sample_persons
from services.registry.spreadsheets import RowError, import_persons
from tests.services.factories import PersonFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT = "admin:services_person_import"
TEMPLATE = "admin:services_person_import_template"
EXPORT = "admin:services_person_export"
NOW = datetime.datetime(2024, 6, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# The template's header row: the contract with the people who fill it in.
HEADERS = [
    "姓名*",
    "身份证号*",
    "残疾证号",
    "残疾类别*",
    "残疾等级*",
    "多重残疾包含类别",
    "街道*",
    "地址",
    "联系电话",
    "监护人姓名",
    "监护人关系",
    "监护人电话",
    "是否独居",
    "状态*",
    "状态变更日期",
    "残疾证有效期至",
    "同意依据*",
    "同意日期*",
    "备注",
]
CATEGORY_WORDS = {1: "视力", 2: "听力", 3: "言语", 4: "肢体", 5: "智力", 6: "精神", 7: "多重"}
GRADE_WORDS = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
STATUS_WORDS = {"active": "在册", "moved_out": "迁出", "deceased": "死亡"}
CONSENT_WORDS = {"person": "本人书面同意", "guardian": "监护人书面同意", "legal_duty": "履行法定职责"}

ID_A = "11010519491231002X"  # GB 11643-1999's own example, also the template's example row
ID_B = "31010619850315004" + check_character("31010619850315004")


def an_id(first17: str) -> str:
    return first17 + check_character(first17)


def valid_row(**changes: Any) -> dict[str, Any]:
    """One valid row, keyed by the bare Chinese header; `changes` are keyed the same way (via **{...})."""
    row = {
        "姓名": "王小明",
        "身份证号": ID_B,
        "残疾证号": f"{ID_B}21",
        "残疾类别": "听力",
        "残疾等级": "一级",
        "街道": "江宁路街道",
        "地址": "江宁路1号101室",
        "联系电话": "13800000000",
        "是否独居": "否",
        "状态": "在册",
        "残疾证有效期至": "2030-12-31",
        "同意依据": "本人书面同意",
        "同意日期": "2023-01-05",
    }
    row.update(changes)
    return row


def person_row(person: Person, street_names: dict[int, str]) -> dict[str, Any]:
    return {
        "姓名": person.name,
        "身份证号": person.id_number,
        "残疾证号": person.certificate_number,
        "残疾类别": CATEGORY_WORDS[person.category],
        "残疾等级": GRADE_WORDS[person.grade],
        "街道": street_names[person.street_id],
        "地址": person.address,
        "联系电话": person.phone,
        "监护人姓名": person.guardian_name,
        "监护人关系": person.guardian_relation,
        "监护人电话": person.guardian_phone,
        "是否独居": "是" if person.lives_alone else "否",
        "状态": STATUS_WORDS[person.status],
        "状态变更日期": person.status_changed_on,
        "残疾证有效期至": person.certificate_valid_until,
        "同意依据": CONSENT_WORDS[person.consent_basis],
        "同意日期": person.consent_given_on,
        "备注": person.notes,
    }


def xlsx(rows: list[dict[str, Any]], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h.rstrip("*")) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_import(data: bytes, by, language: str = "en"):
    with translation.override(language):
        return import_persons(data=data, by=by)


def written() -> tuple[int, int, int]:
    """What an import may write: persons, audit entries, history rows."""
    return Person.objects.count(), AuditEntry.objects.count(), Person.history.count()


def upload(data: bytes, name: str = "persons.xlsx") -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile(name, data, content_type=XLSX)}


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def all_text(content: bytes) -> str:
    """Every part of the .xlsx, unzipped: the cells, the shared strings, the properties."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


@pytest.fixture(autouse=True)
def _pinned_time(time_machine):
    time_machine.move_to(NOW)


@pytest.fixture
def street_names() -> dict[int, str]:
    return dict(Street.objects.values_list("pk", "name_zh"))


@pytest.fixture
def five_hundred(street, other_street) -> list[Person]:
    return list(sample_persons(500, street_ids=[street.pk, other_street.pk], seed=7))


@pytest.fixture
def staff_member(member) -> Client:
    """The committee member of 江宁路街道, let into the admin (their group already has view_person)."""
    member.is_staff = True
    member.save()
    assert member.has_perm("services.view_person")
    client = Client()
    client.force_login(member)
    return client


# The template


def test_template_downloads_with_chinese_headers_and_its_example_row_imports(staff_client, staff_user, street):
    response = staff_client.get(reverse(TEMPLATE))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    data = response.getvalue()
    rows = sheet_rows(data)
    assert list(rows[0]) == HEADERS
    assert len(rows) == 2  # the headers and one example row

    imported = staff_client.post(reverse(IMPORT), upload(data))

    assert imported.status_code == 302
    assert imported["Location"] == reverse("admin:services_person_changelist")
    person = Person.objects.get()
    assert person.id_number == ID_A
    assert person.certificate_number == f"{ID_A}21"
    assert (person.category, person.grade) == (Person.Category.HEARING, Person.Grade.GRADE_1)
    assert person.street == street
    assert person.consent_basis == Person.ConsentBasis.PERSON
    assert person.consent_given_on == datetime.date(2023, 1, 5)
    assert person.consent_recorded_by == staff_user
    assert person.history.get().history_user == staff_user


# The all-or-nothing import of a large file


def test_one_bad_row_of_500_imports_nothing_and_names_the_row_column_and_reason(staff_user, five_hundred, street_names):
    rows = [person_row(p, street_names) for p in five_hundred]
    good = rows[248]["身份证号"]
    rows[248]["身份证号"] = good[:17] + ("0" if good[17] != "0" else "1")  # spreadsheet row 250
    before = written()

    result = run_import(xlsx(rows), staff_user)

    assert not result.ok
    assert result.errors == [
        RowError(
            250,
            "身份证号",
            "The last character of this ID number does not match the others: check for a mistyped digit.",
        )
    ]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert written() == before == (0, 0, 0)


def test_one_bad_row_of_500_through_the_admin_is_a_400_naming_the_row(staff_client, five_hundred, street_names):
    rows = [person_row(p, street_names) for p in five_hundred]
    rows[248]["身份证号"] = rows[248]["身份证号"][:17] + ("0" if rows[248]["身份证号"][17] != "0" else "1")

    response = staff_client.post(reverse(IMPORT), upload(xlsx(rows)))

    assert response.status_code == 400
    html = response.content.decode()
    assert "<td>250</td><td>身份证号</td>" in html
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(250, "身份证号")]
    assert written() == (0, 0, 0)


def test_500_rows_import_then_reimport_is_unchanged_and_one_changed_phone_updates_one(
    staff_user, five_hundred, street_names
):
    rows = [person_row(p, street_names) for p in five_hundred]

    first = run_import(xlsx(rows), staff_user)

    assert first.errors == []
    assert (first.created, first.updated, first.unchanged) == (500, 0, 0)
    assert Person.objects.count() == 500
    assert Person.history.filter(history_type="+", history_user=staff_user).count() == 500
    entry = AuditEntry.objects.get()
    assert entry.code == "services.person.imported"
    assert entry.user == staff_user
    assert entry.data == {"created": 500, "updated": 0, "unchanged": 0}
    assert set(Person.objects.values_list("id_number", flat=True)) == {p.id_number for p in five_hundred}
    before = written()

    again = run_import(xlsx(rows), staff_user)

    assert again.errors == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, 500)
    assert written() == before  # no person, no audit entry, no history row

    rows[123]["联系电话"] = "13912345678"
    changed = run_import(xlsx(rows), staff_user)

    assert changed.errors == []
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 499)
    assert Person.objects.count() == 500
    assert Person.history.count() == before[2] + 1
    person = Person.objects.get(id_number=rows[123]["身份证号"])
    assert person.phone == "13912345678"
    latest = person.history.first()
    assert latest.history_type == "~"
    assert latest.phone == "13912345678"
    assert latest.history_user == staff_user
    assert person.history.count() == 2
    assert AuditEntry.objects.order_by("-id").first().data == {"created": 0, "updated": 1, "unchanged": 499}


# Bad input: a clear error, nothing written


@pytest.fixture
def existing(street) -> Person:
    """Someone already registered, so "nothing written" also covers changing what is there."""
    return PersonFactory(street=street, name="已登记", phone="13700000000")


def zip_without_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


def empty_workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


NOT_AN_XLSX = "This is not an Excel .xlsx file that can be read."


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param(lambda: os.urandom(4096), NOT_AN_XLSX, id="random_bytes_are_not_an_xlsx"),
        pytest.param(zip_without_a_workbook, NOT_AN_XLSX, id="a_zip_that_is_not_a_workbook_is_not_an_xlsx"),
        pytest.param(empty_workbook, "The file is empty.", id="an_empty_workbook"),
        pytest.param(lambda: xlsx([]), "The file has no rows of data.", id="headers_without_rows"),
    ],
)
def test_a_file_with_no_rows_to_read_is_refused_whole(staff_user, existing, content, error):
    before = written()

    result = run_import(content(), staff_user)

    assert result.errors == [RowError(0, "", error)]
    assert written() == before


def test_random_bytes_through_the_admin_are_a_400(staff_client, existing):
    before = written()

    response = staff_client.post(reverse(IMPORT), upload(os.urandom(4096)))

    assert response.status_code == 400
    assert "无法读取：这不是有效的 Excel .xlsx 文件。" in response.content.decode()
    assert written() == before


def test_a_missing_required_column_is_named(staff_user, existing):
    headers = [h for h in HEADERS if h != "身份证号*"]
    before = written()

    result = run_import(xlsx([valid_row()], headers=headers), staff_user)

    assert result.errors == [RowError(1, "身份证号", "This required column is missing.")]
    assert written() == before


def test_a_file_over_5_mb_is_refused(staff_user, existing):
    before = written()

    result = run_import(b"x" * (settings.SPREADSHEET_IMPORT_MAX_BYTES + 1), staff_user)

    assert result.errors == [RowError(0, "", "The file is larger than 5 MB.")]
    assert written() == before


def test_a_file_over_5_mb_through_the_admin_is_refused(staff_client, existing):
    before = written()

    response = staff_client.post(reverse(IMPORT), upload(os.urandom(settings.SPREADSHEET_IMPORT_MAX_BYTES + 1)))

    assert response.status_code == 400
    assert "文件超过 5 MB。" in response.content.decode()
    assert written() == before


def test_a_post_without_a_file_asks_for_one(staff_client, existing):
    before = written()

    response = staff_client.post(reverse(IMPORT), {})

    assert response.status_code == 400
    assert "请选择要导入的 .xlsx 文件。" in response.content.decode()
    assert written() == before


def test_the_same_id_twice_names_both_rows(staff_user, existing):
    rows = [
        valid_row(**{"身份证号": ID_A, "残疾证号": f"{ID_A}21"}),
        valid_row(),
        valid_row(**{"姓名": "李四", "身份证号": "110105 19491231 002x", "残疾证号": f"{ID_A}21"}),
    ]
    before = written()

    result = run_import(xlsx(rows), staff_user)

    # Row 4 holds row 2's ID number again, typed with spaces and a lower-case x.
    assert result.errors == [RowError(4, "身份证号", "The same ID number is already on row 2.")]
    assert written() == before


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        pytest.param(
            {"残疾证号": f"{ID_B}41"},
            "残疾证号",
            "The certificate says category 4, but the category chosen is 2.",
            id="certificate-category",
        ),
        pytest.param(
            {"残疾证号": f"{ID_B}23"},
            "残疾证号",
            "The certificate says grade 3, but the grade chosen is 1.",
            id="certificate-grade",
        ),
        pytest.param(
            {"残疾证号": f"{ID_A}21"},
            "残疾证号",
            "The certificate number does not begin with this person's ID number.",
            id="certificate-of-another-id",
        ),
        pytest.param({"街道": "外滩街道"}, "街道", "“外滩街道” is not a street of Jing'an.", id="unknown-street"),
        pytest.param(
            {"身份证号": an_id("11010519490231003")},
            "身份证号",
            "The birth date in this ID number (19490231) is not a real date.",
            id="impossible-birth-date",
        ),
        pytest.param(
            {"身份证号": an_id("11010520990101003")},
            "身份证号",
            "The birth date in this ID number (2099-01-01) is not possible.",
            id="future-birth-date",
        ),
        pytest.param(
            {"身份证号": ID_B + "1"},
            "身份证号",
            "An ID number has 18 characters; this one has 19.",
            id="19-characters",
        ),
        pytest.param(
            {"同意日期": "05/01/2023"},
            "同意日期",
            "“05-01-2023” is not a date; write it as 2023-06-30.",
            id="date-day-first",
        ),
        pytest.param(
            {"同意日期": "2023年1月5日"},
            "同意日期",
            "“2023年1月5日” is not a date; write it as 2023-06-30.",
            id="date-in-words",
        ),
        pytest.param(
            {"状态": "迁出"},
            "状态变更日期",
            "Give the date the person moved out or died.",
            id="moved-out-undated",
        ),
        pytest.param(
            {"同意日期": NOW.date() + datetime.timedelta(days=1)},
            "同意日期",
            "Consent cannot be given in the future.",
            id="consent-in-future",
        ),
        pytest.param({"残疾类别": "聋"}, "残疾类别", "“聋” is not one of the allowed values.", id="unknown-category"),
        pytest.param({"姓名": "  "}, "姓名", "This cell is required.", id="blank-name"),
        pytest.param({"是否独居": "也许"}, "是否独居", "Write 是 or 否.", id="yes-no"),
    ],
)
def test_a_bad_cell_is_named_and_nothing_is_written(staff_user, existing, changes, column, message):
    rows = [valid_row(**{"身份证号": ID_A, "残疾证号": f"{ID_A}21"}), valid_row(**changes)]
    before = written()

    result = run_import(xlsx(rows), staff_user)

    assert result.errors == [RowError(3, column, message)]
    assert written() == before
    assert not Person.objects.filter(id_number=ID_A).exists()  # the good row 2 was not written either


def test_a_certificate_held_by_another_registered_person_is_refused(staff_user, street):
    # Entered before the rules were enforced: someone else holds the certificate that begins with ID_B.
    holder = PersonFactory(street=street, certificate_number=f"{ID_B}21")
    before = written()

    result = run_import(xlsx([valid_row()]), staff_user)

    assert result.errors == [RowError(2, "残疾证号", "Another person already holds this certificate.", holder.pk)]
    assert written() == before
    holder.refresh_from_db()
    assert holder.certificate_number == f"{ID_B}21"


def test_every_problem_of_every_row_is_listed_in_one_pass_through_the_import_page(staff_client, street):
    """Three bad rows with two problems each: six messages at once, each with its row, and nothing written.

    Before, a file was fixed in rounds: a cell that could not be read hid the row's rule checks, and any
    problem hid the checks against the registry (a certificate someone else holds)."""
    id_c, id_d = an_id("31010619850315005"), an_id("31010619850315006")
    PersonFactory(street=street, certificate_number=f"{id_d}21")  # holds the certificate row 5 gives
    before = written()
    rows = [
        valid_row(**{"身份证号": ID_A, "残疾证号": f"{ID_A}21"}),  # row 2: good, and not written either
        valid_row(**{"身份证号": ID_B[:17] + ("0" if ID_B[17] != "0" else "1"), "残疾等级": "五级"}),
        valid_row(**{"身份证号": id_c, "残疾证号": f"{id_c}21", "街道": "外滩街道", "同意日期": "2024-07-01"}),
        valid_row(**{"身份证号": id_d, "残疾证号": f"{id_d}21", "联系电话": "12345"}),
    ]

    response = staff_client.post(reverse(IMPORT), upload(xlsx(rows)), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [
        (3, "身份证号"),
        (3, "残疾等级"),
        (4, "街道"),
        (4, "同意日期"),
        (5, "残疾证号"),
        (5, "联系电话"),
    ]
    html = response.content.decode()
    assert "Nothing was imported: 6 problems were found." in html
    for error in errors:
        # (a message may be followed by a link to the record it names, in the same cell)
        assert f"<td>{error.row}</td><td>{error.column}</td><td>{error.message}" in html.replace("&#x27;", "'")
    assert "Another person already holds this certificate." in html
    assert written() == before
    assert not Person.objects.filter(id_number__in=[ID_A, id_c, id_d]).exists()


def test_a_bad_row_does_not_change_an_existing_person(staff_user, existing, street_names):
    rows = [person_row(existing, street_names) | {"联系电话": "13999999999"}, valid_row(**{"街道": "外滩街道"})]
    before = written()

    result = run_import(xlsx(rows), staff_user)

    assert [(e.row, e.column) for e in result.errors] == [(3, "街道")]
    assert written() == before
    existing.refresh_from_db()
    assert existing.phone == "13700000000"


# Normalisation and the words accepted


def test_an_id_typed_with_spaces_full_width_digits_and_lower_case_x_is_stored_normalised(staff_user):
    typed_id = " 110105 １９４９１２３１\u3000002x "
    typed_certificate = "１１０１０５19491231002x 21"
    row = valid_row(**{"身份证号": typed_id, "残疾证号": typed_certificate})

    result = run_import(xlsx([row]), staff_user)

    assert result.errors == []
    assert result.created == 1
    person = Person.objects.get()
    assert person.id_number == ID_A
    assert person.certificate_number == f"{ID_A}21"
    assert person.birth_date == datetime.date(1949, 12, 31)


def test_a_normalised_id_matches_the_registered_person(staff_user, street):
    PersonFactory(street=street, id_number=ID_A, certificate_number=f"{ID_A}21", phone="13700000000")
    row = valid_row(**{"身份证号": "110105 19491231 002x", "残疾证号": f"{ID_A}21", "联系电话": "13700000000"})

    result = run_import(xlsx([row]), staff_user)

    assert (result.created, result.updated) == (0, 1)
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("category", "grade", "certificate_digits", "expected"),
    [
        ("听力", "一级", "21", (2, 1)),
        ("2", "1", "21", (2, 1)),
        (2, 1, "21", (2, 1)),
        ("听力残疾", "一级残疾", "21", (2, 1)),
        ("肢体", "三级", "43", (4, 3)),
        ("4", "3", "43", (4, 3)),
        ("多重", "四级", "74", (7, 4)),
    ],
)
def test_category_and_grade_accept_digits_and_chinese_words(staff_user, category, grade, certificate_digits, expected):
    row = valid_row(**{"残疾类别": category, "残疾等级": grade, "残疾证号": ID_B + certificate_digits})

    result = run_import(xlsx([row]), staff_user)

    assert result.errors == []
    person = Person.objects.get()
    assert (person.category, person.grade) == expected


@pytest.mark.parametrize(
    "typed",
    ["310106006", 310106006, "江宁路街道", "Jiangning Road Subdistrict", "jiangning road subdistrict"],
)
def test_street_accepts_the_code_the_chinese_and_the_english_name(staff_user, street, typed):
    result = run_import(xlsx([valid_row(**{"街道": typed})]), staff_user)

    assert result.errors == []
    assert Person.objects.get().street == street


def test_english_headers_are_accepted(staff_user, street):
    english = {
        "姓名": "Name",
        "身份证号": "ID number",
        "残疾证号": "Certificate number",
        "残疾类别": "Category",
        "残疾等级": "Grade",
        "街道": "Street",
        "状态": "Status",
        "同意依据": "Consent basis",
        "同意日期": "Consent given on",
    }
    row = {english[k]: v for k, v in valid_row().items() if k in english}

    result = run_import(xlsx([row], headers=list(english.values())), staff_user)

    assert result.errors == []
    assert Person.objects.get().id_number == ID_B


# Errors in the user's language


def test_errors_come_in_the_users_language(staff_user):
    no_id_column = xlsx([valid_row()], headers=[h for h in HEADERS if h != "身份证号*"])
    long_id = xlsx([valid_row(**{"身份证号": ID_B + "1"})])

    assert run_import(no_id_column, staff_user, "en").errors[0].message == "This required column is missing."
    assert run_import(no_id_column, staff_user, "zh-hans").errors[0].message == "缺少这一必填列。"
    assert run_import(long_id, staff_user, "en").errors[0].message == "An ID number has 18 characters; this one has 19."
    assert run_import(long_id, staff_user, "zh-hans").errors[0].message == "身份证号应为 18 位，此号码为 19 位。"


def test_the_import_page_shows_errors_in_the_browsers_language(staff_client):
    no_id_column = xlsx([valid_row()], headers=[h for h in HEADERS if h != "身份证号*"])

    english = staff_client.post(reverse(IMPORT), upload(no_id_column), HTTP_ACCEPT_LANGUAGE="en")
    chinese = staff_client.post(reverse(IMPORT), upload(no_id_column), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert english.status_code == chinese.status_code == 400
    assert "This required column is missing." in english.content.decode()
    assert "缺少这一必填列。" in chinese.content.decode()


# The export


@pytest.fixture
def registered(street, other_street) -> list[Person]:
    persons = [
        PersonFactory(street=street, name="甲方", id_number=ID_A, certificate_number=f"{ID_A}21"),
        PersonFactory(street=street, name="乙方"),
        PersonFactory(street=other_street, name="丙方"),
    ]
    for person in persons:
        person.refresh_from_db()  # the birth date is computed by the database
    return persons


def test_export_holds_only_masked_id_numbers(staff_client, registered):
    response = staff_client.get(reverse(EXPORT))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "no-store" in response["Cache-Control"]
    data = response.getvalue()
    rows = sheet_rows(data)
    cells = [str(value) for row in rows for value in row if value is not None]
    everything = all_text(data)
    assert len(rows) == 1 + len(registered)
    for person in registered:
        assert not any(person.id_number in cell for cell in cells)
        assert person.id_number not in everything
        assert person.certificate_number not in everything
        assert person.masked_id_number in cells
    assert "110105************" in cells
    assert "110105**************" in cells


def test_export_rows_do_not_reveal_the_masked_birth_date(staff_client, registered):
    # The masked characters of an ID number are exactly its birth date: a birth date beside the
    # masked number would give the whole number back.
    rows = sheet_rows(staff_client.get(reverse(EXPORT)).getvalue())

    for person in registered:
        row = next(r for r in rows[1:] if person.masked_id_number in r)
        born = person.birth_date
        for value in row:
            day = value.date() if isinstance(value, datetime.datetime) else value
            assert day != born
            assert born.strftime("%Y%m%d") not in str(value)
            assert born.isoformat() not in str(value)


def test_export_shows_the_gender_label_and_the_age(staff_client, registered):
    rows = sheet_rows(staff_client.get(reverse(EXPORT)).getvalue())

    row = next(r for r in rows[1:] if r[0] == "甲方")
    assert "女" in row  # the 17th digit of 11010519491231002X is even
    assert 74 in row  # born 1949-12-31, exported on 2024-06-03


def test_export_follows_the_changelist_filters(staff_client, registered, other_street):
    response = staff_client.get(reverse(EXPORT), {"street__id__exact": other_street.pk})

    rows = sheet_rows(response.getvalue())
    names = {row[0] for row in rows[1:]}
    assert names == {"丙方"}


def test_export_follows_the_changelist_search(staff_client, registered):
    rows = sheet_rows(staff_client.get(reverse(EXPORT), {"q": "乙方"}).getvalue())

    assert [row[0] for row in rows[1:]] == ["乙方"]


def test_export_writes_one_access_log_row(staff_client, staff_user, registered, street):
    staff_client.get(reverse(EXPORT), {"street__id__exact": street.pk}).getvalue()

    log = AccessLog.objects.get()
    assert log.action == AccessLog.Action.EXPORTED == "exported"
    assert log.user == staff_user
    assert log.person is None
    assert log.detail.startswith("2 persons;")
    assert f"street__id__exact={street.pk}" in log.detail


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_quotes_a_formula_prefix(prefix):
    assert neutralise(prefix + "SUM(A1:A9)") == "'" + prefix + "SUM(A1:A9)"


@pytest.mark.parametrize("value", ["王小明", "江宁路1号", "", "1+1", " =1", None, 42, datetime.date(2024, 1, 1)])
def test_neutralise_leaves_other_values_alone(value):
    assert neutralise(value) == value


def test_export_neutralises_formula_injection(staff_client, street):
    dangerous = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1"]
    for n, text in enumerate(dangerous):
        PersonFactory(street=street, name=text, address=f"{text}{n}")
    PersonFactory(street=street, name="王五", address="江宁路1号")

    response = staff_client.get(reverse(EXPORT))

    sheet = load_workbook(io.BytesIO(response.getvalue())).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    by_value = {cell.value: cell for cell in cells}
    for n, text in enumerate(dangerous):
        for expected in ("'" + text, f"'{text}{n}"):
            assert expected in by_value, expected
            assert by_value[expected].data_type == "s"
        assert text not in by_value
    assert "王五" in by_value
    assert "江宁路1号" in by_value


# Who may export and import


def test_a_committee_member_outside_the_admin_is_sent_to_log_in(member, registered):
    client = Client()
    client.force_login(member)
    login = reverse("admin:login")

    for name in (EXPORT, IMPORT, TEMPLATE):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(login)
    response = client.post(reverse(IMPORT), upload(xlsx([valid_row()])))
    assert response.status_code == 302
    assert response["Location"].startswith(login)
    assert AccessLog.objects.count() == 0
    assert Person.objects.count() == len(registered)


def test_a_staff_flagged_committee_member_exports_only_their_street(staff_member, member, registered, other_street):
    everything = staff_member.get(reverse(EXPORT))
    other = staff_member.get(reverse(EXPORT), {"street__id__exact": other_street.pk})

    assert everything.status_code == other.status_code == 200
    assert sorted(row[0] for row in sheet_rows(everything.getvalue())[1:]) == sorted(["甲方", "乙方"])
    assert sheet_rows(other.getvalue())[1:] == []
    assert AccessLog.objects.filter(user=member, action="exported").count() == 2


def test_a_staff_flagged_committee_member_cannot_import(staff_member, registered):
    before = written()

    assert staff_member.get(reverse(IMPORT)).status_code == 403
    assert staff_member.post(reverse(IMPORT), upload(xlsx([valid_row()]))).status_code == 403
    assert staff_member.get(reverse(TEMPLATE)).status_code == 403
    assert written() == before


def test_an_auditor_cannot_import(client, auditor):
    client.force_login(auditor)

    assert client.post(reverse(IMPORT), upload(xlsx([valid_row()]))).status_code == 403
    assert Person.objects.count() == 0
