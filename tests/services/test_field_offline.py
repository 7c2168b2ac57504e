"""The field app offline (issue #20) over HTTP: the worker's script, its pages, what the phone may keep."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.services.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_worker_is_served_under_field_with_workbox_from_the_portals_own_static_files(client):
    response = client.get(reverse("field:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"].startswith("max-age=0")
    assert reverse("field:service_worker").startswith(reverse("field:home"))  # its scope: /field/ alone
    assert "script-src 'self'" in response["Content-Security-Policy"]
    imported = re.search(r"^importScripts\((.*)\);$", response.content.decode(), re.MULTILINE)
    assert imported is not None
    scripts = re.findall(r'"([^"]+)"', imported.group(1))
    assert [s.rsplit("/", 1)[1] for s in scripts] == [
        "workbox-core.prod.js",
        "workbox-routing.prod.js",
        "workbox-strategies.prod.js",
        "workbox-background-sync.prod.js",
        "field_sw.js",
    ]
    for url in scripts:
        assert finders.find(url.removeprefix("/static/")), url
    assert "http" not in response.content.decode()  # no other host


def test_the_saved_offline_page_names_no_visit_until_the_worker_does(member_client):
    response = member_client.get(reverse("field:saved_offline"))
    assert response.status_code == 200
    assert 'data-queued-key=""' in response.content.decode()
    assert "尚未发送：已保存在本手机上" in response.content.decode()
    assert "没有信号" in member_client.get(reverse("field:offline")).content.decode()


def test_the_pages_the_phone_keeps_hold_no_full_id_or_certificate_number(member_client, street):
    person = PersonFactory(street=street)
    urls = [
        reverse("field:home"),
        reverse("field:person", args=[person.pk]),
        reverse("field:visit", args=[person.pk]),
        reverse("field:offline"),
        reverse("field:saved_offline"),
    ]
    for url in urls:
        response = member_client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert person.id_number not in text, url
        assert person.certificate_number not in text, url


def test_field_pages_install_the_worker_and_signed_out_pages_erase_what_it_kept(client, member, staff_user):
    assert b"data-signed-out" in client.get(reverse("login")).content
    client.force_login(member)
    page = client.get(reverse("field:home")).content.decode()
    assert 'data-field-worker="/field/sw.js" data-field-scope="/field/"' in page
    assert "data-signed-out" not in page
    assert 'action="/accounts/logout/" data-logout' in page
    client.force_login(staff_user)  # staff's pages are not kept on a phone
    assert b"data-field-worker" not in client.get(reverse("password_change")).content
