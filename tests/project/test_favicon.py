"""`/favicon.ico` answers: browsers and feed readers ask for it whatever a page links."""

import urllib.request

import pytest
from django.templatetags.static import static
from django.test import Client


@pytest.mark.django_db
def test_favicon_ico_redirects_to_the_static_icon(client):
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("img/portal/favicon.ico")
    assert Client().post("/favicon.ico").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_favicon_ico_is_served_as_an_icon(live_server):
    with urllib.request.urlopen(live_server.url + "/favicon.ico") as response:  # follows the redirect
        assert response.status == 200
        assert response.read(4) == b"\x00\x00\x01\x00"  # an ICO file's header


@pytest.mark.django_db
def test_pages_link_the_same_icon(client):
    html = client.get("/").content.decode()
    assert f'rel="icon" href="{static("img/portal/favicon.ico")}"' in html
