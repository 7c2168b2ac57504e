"""Working age and the unified social credit code: the rules that need no database."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from employment.validation import (
    WORKING_AGE,
    credit_code_check_character,
    normalise_credit_code,
    validate_credit_code,
    working_age_error,
)


def test_working_age_is_sixteen_to_fifty_nine():
    assert WORKING_AGE == (16, 59)


@pytest.mark.parametrize(
    ("born", "ok"),
    [
        (datetime.date(2007, 3, 6), True),  # sixteenth birthday on the day
        (datetime.date(2007, 3, 7), False),  # still fifteen
        (datetime.date(1963, 3, 7), True),  # turns sixty tomorrow
        (datetime.date(1963, 3, 6), False),  # sixty on the day
    ],
)
def test_working_age_is_counted_on_the_day_in_whole_years(born, ok):
    assert (working_age_error(born, datetime.date(2023, 3, 6)) is None) is ok


def test_the_working_age_refusal_names_the_age_the_day_and_the_range():
    error = working_age_error(datetime.date(1960, 1, 1), datetime.date(2023, 3, 6))
    assert error.code == "working_age"
    message = error.messages[0]
    assert "63" in message
    assert "2023-03-06" in message
    assert "16" in message
    assert "59" in message


# Worked by hand for 91310106MA1FL0000: character values 9 1 3 1 0 1 0 6 21(M) 10(A) 1 15(F) 20(L) 0 0 0 0,
# times the weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28, sum to 1284; 1284 mod 31 = 13;
# 31 - 13 = 18, the character J. Ending in 1 adds 28: 1312 mod 31 = 10, 31 - 10 = 21, the character M
# (so M must be among the 31 characters). Ending in R (value 25) adds 700: 1984 = 64 x 31, and 31 maps to 0.
@pytest.mark.parametrize(
    ("first17", "check"),
    [("91310106MA1FL0000", "J"), ("91310106MA1FL0001", "M"), ("91310106MA1FL000R", "0")],
)
def test_check_character_matches_the_hand_computation(first17, check):
    assert credit_code_check_character(first17) == check


@pytest.mark.parametrize(
    "code",
    [
        "91310106MA1FL0000J",
        "91310106MA1FL0001M",
        "91310106MA1FL000R0",
        "914403001922038216",  # a published code of a well-known Shenzhen company
    ],
)
def test_valid_codes_pass(code):
    validate_credit_code(code)


def test_codes_are_normalised_like_id_numbers():
    assert normalise_credit_code(" 9131 0106\u3000ma1fl0000j ") == "91310106MA1FL0000J"
    assert normalise_credit_code("９１３１０１０６ＭＡ１ＦＬ００００Ｊ") == "91310106MA1FL0000J"


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("91310106MA1FL0000", "credit_code_length"),
        ("91310106MA1FL0000JX", "credit_code_length"),
        ("91310106MA1FLO000J", "credit_code_characters"),  # the letter O for a zero
        ("91310106MA1FL000IJ", "credit_code_characters"),
        ("913101O6MA1FL0000J", "credit_code_characters"),
        ("9131A106MA1FL0000J", "credit_code_area"),
        ("91310106MA1FL0000K", "credit_code_checksum"),
        ("91310106MA1FL0010J", "credit_code_checksum"),  # one mistyped character
    ],
)
def test_bad_codes_are_refused_with_the_reason(code, error_code):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.code == error_code
    assert exc.value.messages[0]


def test_the_refusal_of_foreign_letters_names_them():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("91310106MA1FLO00SJ")
    assert "O S" in exc.value.messages[0]
