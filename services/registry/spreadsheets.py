"""The registry in Excel: the import template, the all-or-nothing import and the masked export."""

import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.excel import export_today, labels
from core.i18n import in_english
from core.uploads import file_too_large, is_xlsx, zip_too_large
from services.models import Person, Street, User
from services.registry.audit import audit_record
from services.registry.households import households_link
from services.registry.identity import mask_number, normalise_number
from services.registry.lifecycle import person_services_end
from services.registry.selectors import age_on
from services.registry.validation import person_errors, phone_as_stored

MAX_IMPORT_ROWS = 20_000
BATCH = 1000

TRUE_WORDS = {"是", "y", "yes", "true", "1", "独居"}
FALSE_WORDS = {"否", "n", "no", "false", "0", ""}
GRADE_WORDS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}
CATEGORY_WORDS = {"视力": 1, "听力": 2, "言语": 3, "肢体": 4, "智力": 5, "精神": 6, "多重": 7}
STATUS_WORDS = {"在册": "active", "迁出": "moved_out", "死亡": "deceased", "已故": "deceased"}
CONSENT_WORDS = {"本人书面同意": "person", "监护人书面同意": "guardian", "履行法定职责": "legal_duty"}


class CellError(ValueError):
    """A cell's value cannot be read; the message is shown to the user."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _required_text(value: Any) -> str:
    text = _text(value)
    if not text:
        raise CellError(_("This cell is required."))
    return text


def _number(value: Any) -> str:
    return normalise_number(_text(value))


def _phone(value: Any) -> str:
    return phone_as_stored(_text(value))


def _choice(words: dict[str, Any], choices: Iterable[Any]) -> Callable[[Any], Any]:
    valid = {str(c): c for c in choices}

    def parse(value: Any) -> Any:
        text = _text(value)
        for word, result in words.items():
            if text.startswith(word):
                return result
        if text in valid:
            return valid[text]
        raise CellError(_("“%(value)s” is not one of the allowed values.") % {"value": text[:40]})

    return parse


def _optional_date(value: Any) -> datetime.date | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CellError(_("“%(value)s” is not a date; write it as 2023-06-30.") % {"value": text[:40]}) from None


def _required_date(value: Any) -> datetime.date:
    day = _optional_date(value)
    if day is None:
        raise CellError(_("This cell is required."))
    return day


def _boolean(value: Any) -> bool:
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(_("Write 是 or 否."))


def _limited(max_length: int, parse: Callable[[Any], str] = _text) -> Callable[[Any], str]:
    def parse_limited(value: Any) -> str:
        text = parse(value)
        if len(text) > max_length:
            raise CellError(_("At most %(max)d characters.") % {"max": max_length})
        return text

    return parse_limited


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Chinese header of the template; English headers are accepted too
    header_en: str
    parse: Callable[[Any], Any]
    required: bool = False
    example: str = ""


def _streets() -> dict[str, Street]:
    by_key: dict[str, Street] = {}
    for street in Street.objects.all():
        by_key[street.code] = by_key[street.name_zh] = by_key[street.name_en.lower()] = street
    return by_key


COLUMNS = [
    Column("name", "姓名", "Name", _limited(50, _required_text), True, "王小明"),
    Column("id_number", "身份证号", "ID number", _number, True, "11010519491231002X"),
    Column("certificate_number", "残疾证号", "Certificate number", _number, False, "11010519491231002X21"),
    Column("category", "残疾类别", "Category", _choice(CATEGORY_WORDS, Person.Category.values), True, "听力"),
    Column("grade", "残疾等级", "Grade", _choice(GRADE_WORDS, Person.Grade.values), True, "一级"),
    Column("multiple_categories", "多重残疾包含类别", "Categories included", _limited(6), False, ""),
    Column("street", "街道", "Street", _required_text, True, "江宁路街道"),
    Column("address", "地址", "Address", _limited(200), False, "江宁路1号101室"),
    Column("phone", "联系电话", "Phone", _limited(20, _phone), False, "13800000000"),
    Column("guardian_name", "监护人姓名", "Guardian name", _limited(50), False, ""),
    Column("guardian_relation", "监护人关系", "Guardian relation", _limited(20), False, ""),
    Column("guardian_phone", "监护人电话", "Guardian phone", _limited(20, _phone), False, ""),
    Column("lives_alone", "是否独居", "Lives alone", _boolean, False, "否"),
    Column("status", "状态", "Status", _choice(STATUS_WORDS, Person.Status.values), True, "在册"),
    Column("status_changed_on", "状态变更日期", "Status since", _optional_date, False, ""),
    Column("certificate_valid_until", "残疾证有效期至", "Certificate valid until", _optional_date, False, "2030-12-31"),
    Column(
        "consent_basis",
        "同意依据",
        "Consent basis",
        _choice(CONSENT_WORDS, Person.ConsentBasis.values),
        True,
        "本人书面同意",
    ),
    Column("consent_given_on", "同意日期", "Consent given on", _required_date, True, "2023-01-05"),
    Column("notes", "备注", "Notes", _limited(2000), False, ""),
]


def template_workbook() -> bytes:
    """The import template: Chinese headers, one example row, and the allowed values on a second sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "人员名册"
    sheet.append([c.header + ("*" if c.required else "") for c in COLUMNS])
    sheet.append([c.example for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=index).number_format = "@"
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, len(column.header) * 3)
    help_sheet = book.create_sheet("填写说明")
    help_sheet.append(["列", "可填写的值"])
    help_sheet.append(["残疾类别", "、".join(CATEGORY_WORDS)])
    help_sheet.append(["残疾等级", "、".join(GRADE_WORDS)])
    help_sheet.append(["街道", "、".join(Street.objects.values_list("name_zh", flat=True))])
    help_sheet.append(["状态", "在册、迁出、死亡"])
    help_sheet.append(["同意依据", "、".join(CONSENT_WORDS)])
    help_sheet.append(["是否独居", "是、否"])
    help_sheet.append(["日期", "2023-06-30"])
    return _save(book)


@dataclass
class RowError:
    row: int
    column: str
    message: str
    # The person already holding the number (the record a merged one went into): the page may link to them
    # (services.registry.reveal.holder_links), never this module.
    person_id: int | None = None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _header_map(headers: list[Any]) -> tuple[dict[str, int], list[RowError]]:
    known = {}
    for column in COLUMNS:
        known[column.header] = column
        known[column.header_en.lower()] = column
    positions: dict[str, int] = {}
    for index, raw in enumerate(headers):
        key = _text(raw).rstrip("*").strip()
        column = known.get(key) or known.get(key.lower())
        if column is not None:
            positions[column.field] = index
    missing = [c.header for c in COLUMNS if c.required and c.field not in positions]
    errors = [RowError(1, header, _("This required column is missing.")) for header in missing]
    return positions, errors


def _read_rows(data: bytes) -> list[tuple[Any, ...]]:
    too_large = file_too_large(len(data), "spreadsheet")
    if too_large:
        raise CellError(too_large)
    if not is_xlsx(data):
        raise CellError(_("This is not an Excel .xlsx file that can be read."))
    # Before openpyxl parses anything: a small file can unpack to gigabytes held in memory.
    if too_large := zip_too_large(data, limit=settings.SPREADSHEET_UNPACKED_MAX_BYTES):
        raise CellError(too_large)
    rows = []
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            # Read-only mode parses the sheet lazily: a damaged file can also fail while iterating.
            for row in book.worksheets[0].iter_rows(values_only=True):
                if len(rows) > MAX_IMPORT_ROWS:
                    raise CellError(_("The file has more than %(max)d rows; split it.") % {"max": MAX_IMPORT_ROWS})
                rows.append(row)
        finally:
            book.close()
    except CellError:
        raise
    except Exception as exc:  # zipfile, zlib, the XML parser and openpyxl each fail their own way on a bad file
        raise CellError(_("This is not an Excel .xlsx file that can be read.")) from exc
    return rows


def import_persons(*, data: bytes, by: User) -> ImportResult:
    """Validate every row, then create or update persons by ID number, all or nothing.

    Returns the counts, or the errors (row, column, reason) with nothing written.
    """
    result = ImportResult()
    try:
        rows = _read_rows(data)
    except CellError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    if not rows:
        result.errors.append(RowError(0, "", _("The file is empty.")))
        return result
    positions, header_errors = _header_map(list(rows[0]))
    if header_errors:
        result.errors = header_errors
        return result

    streets = _streets()
    headers = {c.field: c.header for c in COLUMNS}
    # Every row is checked in full, and the checks against the registry run on every row whose ID number
    # could be read, so one upload lists every problem of every row (a file is not fixed in rounds).
    parsed: list[tuple[int, dict[str, Any]]] = []
    cells_read: dict[int, set[str]] = {}  # by row: the fields whose cell could be read and kept its rules
    seen_ids: dict[str, int] = {}
    rows_of_data = 0
    for row_number, row in enumerate(rows[1:], start=2):
        if all(_text(v) == "" for v in row):
            continue
        rows_of_data += 1
        values, row_errors = _parse_row(row, positions, streets)
        result.errors.extend(RowError(row_number, headers[f], str(m)) for f, m in row_errors)
        failed = {f for f, _m in row_errors}
        if "id_number" in failed:
            continue
        id_number = values["id_number"]
        if id_number in seen_ids:
            result.errors.append(
                RowError(
                    row_number,
                    headers["id_number"],
                    _("The same ID number is already on row %(row)d.") % {"row": seen_ids[id_number]},
                )
            )
            continue
        seen_ids[id_number] = row_number
        parsed.append((row_number, values))
        cells_read[row_number] = {c.field for c in COLUMNS} - failed
    if not rows_of_data:
        result.errors.append(RowError(0, "", _("The file has no rows of data.")))
        return result

    existing = {p.id_number: p for p in Person.objects.filter(id_number__in=list(seen_ids))}
    for row_number, values in parsed:
        if existing.get(values["id_number"]) and existing[values["id_number"]].merged_into_id is not None:
            message = _("This ID number is on a duplicate record merged into another: update that record instead.")
            kept = existing[values["id_number"]].merged_into_id
            result.errors.append(RowError(row_number, headers["id_number"], message, person_id=kept))
    _check_certificates(
        [(n, v) for n, v in parsed if "certificate_number" in cells_read[n]], result, headers["certificate_number"]
    )
    if result.errors:
        order = {c.header: index for index, c in enumerate(COLUMNS)}
        result.errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
        return result
    _write(parsed, existing, result, by)
    return result


def _parse_row(
    row: tuple[Any, ...], positions: dict[str, int], streets: dict[str, Street]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for column in COLUMNS:
        index = positions.get(column.field)
        raw = row[index] if index is not None and index < len(row) else None
        try:
            values[column.field] = column.parse(raw)
        except CellError as exc:
            errors.append((column.field, str(exc)))
    if "street" in values:
        street = streets.get(values["street"]) or streets.get(values["street"].lower())
        if street is None:
            errors.append(("street", _("“%(value)s” is not a street of Jing'an.") % {"value": values["street"][:40]}))
        else:
            del values["street"]
            values["street_id"] = street.pk
    # The record's rules run on every row: a cell that could not be read stands aside (a neutral value in its
    # place, no second message about it), so its row's other problems are listed too.
    failed = {name for name, _message in errors}

    def read(name: str, neutral: Any) -> Any:
        return neutral if name in failed else values[name]

    category = read("category", None)
    rule_errors = person_errors(
        id_number=values["id_number"],
        certificate_number=values["certificate_number"],
        category=category,
        grade=read("grade", None),
        multiple_categories=read("multiple_categories", "") if category is not None else "",
        status=read("status", Person.Status.ACTIVE),
        status_changed_on=read("status_changed_on", None),
        consent_given_on=read("consent_given_on", None),
        certificate_valid_until=read("certificate_valid_until", None),
        phone=read("phone", ""),
        guardian_phone=read("guardian_phone", ""),
    )
    for name, field_errors in rule_errors.items():
        if name not in failed:
            errors.extend((name, message) for e in field_errors for message in e.messages)
    return values, errors


def _check_certificates(parsed: list[tuple[int, dict[str, Any]]], result: ImportResult, header: str) -> None:
    wanted = {v["certificate_number"]: (n, v["id_number"]) for n, v in parsed if v["certificate_number"]}
    taken = Person.objects.filter(certificate_number__in=list(wanted)).values_list(
        "certificate_number", "id_number", "pk"
    )
    for certificate, holder, pk in taken:
        row_number, id_number = wanted[certificate]
        if holder != id_number:
            message = _("Another person already holds this certificate.")
            result.errors.append(RowError(row_number, header, message, person_id=pk))


@transaction.atomic
def _write(
    parsed: list[tuple[int, dict[str, Any]]], existing: dict[str, Person], result: ImportResult, by: User
) -> None:
    now = timezone.now()
    to_create: list[Person] = []
    to_update: list[Person] = []
    ending: list[Person] = []  # died or moved out with this import: what was to come for them ends
    for _row, values in parsed:
        person = existing.get(values["id_number"])
        if person is None:
            to_create.append(Person(**values, consent_recorded_by=by, created_at=now))
            continue
        changed = False
        status_before = (person.status, person.status_changed_on)
        for name, value in values.items():
            if getattr(person, name) != value:
                setattr(person, name, value)
                changed = True
        if changed:
            person.updated_at = now
            to_update.append(person)
            if person.status != Person.Status.ACTIVE and (person.status, person.status_changed_on) != status_before:
                ending.append(person)
        else:
            result.unchanged += 1
    if to_create:
        bulk_create_with_history(to_create, Person, batch_size=BATCH, default_user=by, default_date=now)
    if to_update:
        bulk_update_with_history(
            to_update,
            Person,
            [*(c.field for c in COLUMNS if c.field != "id_number"), "updated_at"],
            batch_size=BATCH,
            default_user=by,
            default_date=now,
        )
    households_link(person_ids=[p.pk for p in [*to_create, *to_update]])
    for person in ending:
        person_services_end(person=person, by=by)
    result.created, result.updated = len(to_create), len(to_update)
    if to_create or to_update:
        audit_record(
            obj=Person,
            code="services.person.imported",
            by=by,
            data={"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        )


_GENDER = labels(Person.Gender.choices)
_CATEGORY = labels(Person.Category.choices)
_GRADE = labels(Person.Grade.choices)
_STATUS = labels(Person.Status.choices)
_YES_NO = labels([(True, gettext_lazy("yes")), (False, gettext_lazy("no"))])

# The export reads these fields as dicts (QuerySet.values): no model instance per row, a third of
# a large export's time (issue #22). Every column below reads only these.
EXPORT_FIELDS = (
    "name",
    "id_number",
    "certificate_number",
    "gender",
    "birth_date",
    "category",
    "grade",
    "address",
    "phone",
    "lives_alone",
    "status",
    "certificate_valid_until",
)

EXPORT_COLUMNS: list[tuple[Any, Callable[[dict[str, Any]], Any]]] = [
    (gettext_lazy("name"), lambda p: p["name"]),
    (gettext_lazy("ID number"), lambda p: mask_number(p["id_number"])),
    (gettext_lazy("disability certificate number"), lambda p: mask_number(p["certificate_number"] or "")),
    (gettext_lazy("gender"), lambda p: _GENDER(p["gender"])),
    # The age, not the birth date: the birth date is exactly what the masked ID number hides.
    (gettext_lazy("age"), lambda p: age_on(p["birth_date"], export_today())),
    (gettext_lazy("disability category"), lambda p: _CATEGORY(p["category"])),
    (gettext_lazy("disability grade"), lambda p: _GRADE(p["grade"])),
    (gettext_lazy("street"), lambda p: p["street_name"]),
    (gettext_lazy("address"), lambda p: p["address"]),
    (gettext_lazy("phone"), lambda p: p["phone"]),
    (gettext_lazy("lives alone"), lambda p: _YES_NO(p["lives_alone"])),
    (gettext_lazy("status"), lambda p: _STATUS(p["status"])),
    (gettext_lazy("certificate valid until"), lambda p: p["certificate_valid_until"]),
]


def export_records(persons: QuerySet[Person]) -> QuerySet[Any]:
    """`persons` as the rows EXPORT_COLUMNS read (one query, the street's name joined in the active
    language, as Street.name gives it: the export is listed in the language it is written in)."""
    street = "street__name_en" if in_english() else "street__name_zh"
    return persons.values(*EXPORT_FIELDS, street_name=F(street))


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
