"""Before and after photos: JPEG or PNG by content, at most 5 MB, with a text alternative, for staff only."""

import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accessibility.actions import retrofit_photo_add
from accessibility.models import Retrofit, RetrofitPhoto
from services.models import AccessLog, AuditEntry
from tests.services.factories import PersonFactory

from .conftest import english_client
from .factories import make_retrofit

pytestmark = pytest.mark.django_db

Status = Retrofit.Status


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, fmt)
    return buffer.getvalue()


# Real images: the content is verified by Pillow, not only by its first bytes.
PNG = _image("PNG")
JPEG = _image("JPEG")
MAX_PHOTO_BYTES = settings.RETROFIT_PHOTO_MAX_BYTES


def upload(content: bytes = PNG, name: str = "bathroom.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def photo_add_url(retrofit: Retrofit) -> str:
    return reverse("admin:accessibility_retrofit_photo_add", args=[retrofit.pk])


def photo_url(photo: RetrofitPhoto) -> str:
    return reverse("admin:accessibility_retrofitphoto_file", args=[photo.pk])


def stored_files(media_root) -> list:
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


@pytest.fixture
def staff_client(client, staff_user):
    return english_client(client, staff_user)


@pytest.fixture
def photo(media_root, staff_user):
    retrofit = make_retrofit(Status.ASSESSED)
    return retrofit_photo_add(
        retrofit=retrofit, by=staff_user, stage="before", image=upload(), alt_text="卫生间，无扶手"
    )


def test_staff_add_a_photo_stored_under_an_unguessable_name(staff_client, staff_user, media_root):
    retrofit = make_retrofit(Status.ASSESSED)
    response = staff_client.post(
        photo_add_url(retrofit),
        {"stage": "before", "alt_text": " 卫生间，无扶手 ", "image": upload(JPEG, "IMG_0001.png")},
    )
    assert response.status_code == 302
    photo = RetrofitPhoto.objects.get()
    assert (photo.retrofit, photo.stage, photo.alt_text, photo.uploaded_by) == (
        retrofit,
        "before",
        "卫生间，无扶手",
        staff_user,
    )
    assert photo.image.name.startswith(f"retrofit-photos/{retrofit.pk}/")
    assert photo.image.name.endswith(".jpg")  # the content is a JPEG whatever the name said
    assert "IMG_0001" not in photo.image.name
    with default_storage.open(photo.image.name) as stored:
        assert stored.read() == JPEG
    assert AuditEntry.objects.get(code="accessibility.retrofit_photo.added").data == {
        "retrofit": retrofit.pk,
        "stage": "before",
    }


@pytest.mark.parametrize(
    ("content", "name", "why"),
    [
        (b"GIF89a" + bytes(100), "photo.gif", "JPEG or PNG"),
        (b"%PDF-1.4 not a photo", "photo.jpg", "JPEG or PNG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "photo.png", "JPEG or PNG"),
        (b"", "empty.png", "empty"),
        (PNG + bytes(MAX_PHOTO_BYTES), "huge.png", "larger than 5 MB"),
    ],
)
def test_a_file_that_is_not_a_jpeg_or_png_of_at_most_5_mb_is_refused(staff_client, media_root, content, name, why):
    retrofit = make_retrofit(Status.ASSESSED)
    response = staff_client.post(
        photo_add_url(retrofit), {"stage": "before", "alt_text": "门口", "image": upload(content, name)}
    )
    assert response.status_code == 400
    assert why in response.content.decode()
    assert not RetrofitPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_photo_of_exactly_5_mb_is_accepted(staff_user, media_root):
    retrofit = make_retrofit(Status.ASSESSED)
    content = PNG + bytes(MAX_PHOTO_BYTES - len(PNG))
    photo = retrofit_photo_add(retrofit=retrofit, by=staff_user, stage="before", image=upload(content), alt_text="门口")
    assert photo.image.size == MAX_PHOTO_BYTES


def test_a_photo_needs_its_text_alternative(staff_client, staff_user, media_root):
    retrofit = make_retrofit(Status.ASSESSED)
    response = staff_client.post(photo_add_url(retrofit), {"stage": "before", "alt_text": "   ", "image": upload()})
    assert response.status_code == 400
    with pytest.raises(ValidationError) as caught:
        retrofit_photo_add(retrofit=retrofit, by=staff_user, stage="before", image=upload(), alt_text=" ")
    assert "alt_text" in caught.value.error_dict
    assert not RetrofitPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_after_photos_wait_for_the_works(staff_user, media_root):
    retrofit = make_retrofit(Status.APPROVED)
    with pytest.raises(ValidationError, match="once works have started"):
        retrofit_photo_add(retrofit=retrofit, by=staff_user, stage="after", image=upload(), alt_text="新扶手")
    in_works = make_retrofit(Status.IN_WORKS)
    assert retrofit_photo_add(retrofit=in_works, by=staff_user, stage="after", image=upload(), alt_text="新扶手").pk


@pytest.mark.parametrize("role", ["member", "auditor", "volunteer"])
def test_only_staff_add_photos(role, request, media_root):
    retrofit = make_retrofit(Status.ASSESSED)
    with pytest.raises(ValidationError, match="not allowed"):
        retrofit_photo_add(
            retrofit=retrofit, by=request.getfixturevalue(role), stage="before", image=upload(), alt_text="门口"
        )
    assert stored_files(media_root) == []


def test_staff_see_the_photo_streamed_from_storage_and_the_opening_is_logged(staff_client, staff_user, photo):
    response = staff_client.get(photo_url(photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert b"".join(response.streaming_content) == PNG  # read to the end, which closes the file
    log = AccessLog.objects.get(action=AccessLog.Action.OPENED)
    assert (log.user, log.person, log.detail) == (staff_user, photo.retrofit.person, f"retrofit photo {photo.pk}")


def test_the_case_page_shows_the_photo_with_its_text_alternative_and_no_media_url(staff_client, photo, settings):
    html = staff_client.get(reverse("admin:accessibility_retrofit_change", args=[photo.retrofit.pk])).content.decode()
    assert f'src="{photo_url(photo)}" alt="卫生间，无扶手"' in html
    assert settings.MEDIA_URL not in html
    assert photo.image.name not in html


def test_anonymous_and_committee_members_are_sent_to_the_admin_log_in(client, member, photo):
    assert "/admin/login/" in client.get(photo_url(photo))["Location"]
    client.force_login(member)
    assert "/admin/login/" in client.get(photo_url(photo))["Location"]


def test_auditors_and_admin_users_without_the_photo_right_are_refused(client, auditor, member, photo):
    assert english_client(client, auditor).get(photo_url(photo)).status_code == 403
    member.is_staff = True
    member.save()
    assert english_client(Client(), member).get(photo_url(photo)).status_code == 403
    assert not AccessLog.objects.exists()


def test_staff_of_another_street_get_not_found(photo, other_street):
    from services.registry import roles
    from tests.conftest import make_user

    # A street-bound user given the photo right still sees only their own street's photos.
    local = make_user("local_staff", roles.COMMITTEE_MEMBER, is_staff=True, streets=(other_street,))
    from django.contrib.auth.models import Permission

    local.user_permissions.add(Permission.objects.get(codename="view_retrofitphoto"))
    assert english_client(Client(), local).get(photo_url(photo)).status_code == 404
    mine = make_retrofit(Status.ASSESSED, person=PersonFactory(street=other_street))
    assert mine.street == other_street
