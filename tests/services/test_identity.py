"""Resident ID and certificate numbers: normalising, checking, deriving and masking."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from services.registry.identity import (
    birth_date_of,
    check_character,
    gender_of,
    mask_number,
    normalise_number,
    validate_certificate_number,
    validate_id_number,
)

STANDARD_EXAMPLE = "11010519491231002X"  # GB 11643-1999's own example
TODAY = datetime.date(2026, 11, 29)


def codes(exc: pytest.ExceptionInfo) -> set[str]:
    return {e.code for e in exc.value.error_list}


def test_check_character_matches_the_standards_example():
    assert check_character(STANDARD_EXAMPLE[:17]) == "X"


@pytest.mark.parametrize("first17", ["31010619800101123", "31010820001231001", "11010519491231002"])
def test_check_character_is_one_of_the_eleven(first17):
    assert check_character(first17) in "0123456789X"


def test_valid_id_number_passes():
    validate_id_number(STANDARD_EXAMPLE, today=TODAY)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_checksum"),  # wrong check character
        ("11010519491231002", "id_length"),  # 17 characters
        ("11010519491231002X1", "id_length"),  # 19 characters
        ("1101051949123100XX", "id_characters"),  # a letter before the check character
        ("11010519490231002X", "id_birth_date"),  # 31 February
        ("11010519491331002X", "id_birth_date"),  # month 13
        ("11010518991231002X", "id_birth_date"),  # before 1900
    ],
)
def test_invalid_id_numbers_are_refused_with_the_reason(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value, today=TODAY)
    assert code in codes(exc)


def test_birth_date_in_the_future_is_refused():
    first17 = "31010620270101001"
    with pytest.raises(ValidationError) as exc:
        validate_id_number(first17 + check_character(first17), today=TODAY)
    assert codes(exc) == {"id_birth_date"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 11010519491231002x ", STANDARD_EXAMPLE),
        ("110105 1949 1231 002X", STANDARD_EXAMPLE),
        ("１１０１０５１９４９１２３１００２ｘ", STANDARD_EXAMPLE),  # full-width digits and x
        ("110105\u300019491231002X", STANDARD_EXAMPLE),  # ideographic space
        (None, ""),
    ],
)
def test_copying_mistakes_are_normalised(raw, expected):
    assert normalise_number(raw) == expected


def test_birth_date_and_gender_come_from_the_number():
    assert birth_date_of(STANDARD_EXAMPLE) == datetime.date(1949, 12, 31)
    assert gender_of(STANDARD_EXAMPLE) == "female"  # sequence 002: even
    first17 = "31010619800101123"
    assert gender_of(first17 + check_character(first17)) == "male"


def test_certificate_must_be_id_plus_category_and_grade():
    validate_certificate_number(STANDARD_EXAMPLE + "21", id_number=STANDARD_EXAMPLE, category=2, grade=1)


@pytest.mark.parametrize(
    ("certificate", "category", "grade", "code"),
    [
        (STANDARD_EXAMPLE + "21", 4, 1, "certificate_category_mismatch"),
        (STANDARD_EXAMPLE + "21", 2, 3, "certificate_grade_mismatch"),
        ("31010619800101123X21", 2, 1, "certificate_id_mismatch"),
        (STANDARD_EXAMPLE + "2", 2, 1, "certificate_shape"),
        (STANDARD_EXAMPLE + "2A", 2, 1, "certificate_shape"),
    ],
)
def test_mismatching_certificates_are_refused(certificate, category, grade, code):
    with pytest.raises(ValidationError) as exc:
        validate_certificate_number(certificate, id_number=STANDARD_EXAMPLE, category=category, grade=grade)
    assert code in codes(exc)


def test_masking_keeps_the_area_code_only():
    assert mask_number(STANDARD_EXAMPLE) == "110105************"
    assert mask_number(STANDARD_EXAMPLE + "21") == "110105**************"
    assert mask_number("123") == "***"
