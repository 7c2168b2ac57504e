"""Phone numbers, page addresses, links and text alternatives: what is corrected and what is refused."""

import pytest
from django.core.exceptions import ValidationError

from events.validators import validate_alt_text, validate_https_url, validate_slug_not_reserved
from services.registry.validation import validate_phone


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("139-1234-5678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("008613912345678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),  # full-width digits
        ("021-6234 5678", "02162345678"),
        ("62345678", "02162345678"),  # a Shanghai number without its area code
        ("(010) 8765 4321", "01087654321"),
    ],
)
def test_phone_is_stored_in_one_form(raw, stored):
    assert validate_phone(raw) == stored


@pytest.mark.parametrize(
    "raw",
    ["", "1391234567", "139123456789", "12912345678", "23912345678", "0212345", "139-1234-567x", "电话"],
)
def test_phone_refuses_what_is_neither_a_mobile_nor_a_landline(raw):
    with pytest.raises(ValidationError) as exc:
        validate_phone(raw)
    assert exc.value.code == "phone"


@pytest.mark.parametrize("slug", ["past", "feed", "registrations", "rss", "atom"])
def test_page_address_refuses_the_paths_of_other_pages(slug):
    with pytest.raises(ValidationError):
        validate_slug_not_reserved(slug)


def test_sign_language_link_must_be_https():
    validate_https_url("https://video.example/sign")
    with pytest.raises(ValidationError):
        validate_https_url("http://video.example/sign")


@pytest.mark.parametrize("text", ["", "   ", "IMG_2041.jpg", "photo.png", "DSC 0012", "img_1"])
def test_alt_text_refuses_nothing_or_a_file_name(text):
    with pytest.raises(ValidationError):
        validate_alt_text(text)


def test_alt_text_is_trimmed():
    assert validate_alt_text("  合唱队在台上\n演唱  ") == "合唱队在台上 演唱"
