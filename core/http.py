"""Facts about the HTTP request every app needs the same way: the client's address, a safe redirect target, and
the headers of a page whose address is someone's private link."""

import ipaddress
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

T = TypeVar("T")


def _address(value: str) -> str | None:
    """`value` as a normalised IP address (one spelling per address), or None if it is not one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the one rule for every rate limit and lockout (and AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies stand in front of the portal: each appends to
    X-Forwarded-For the address it received the request from, so the client is the N-th entry from
    the right. Anything further left was written by the client and is ignored, so a forged entry
    cannot pick another bucket. Empty items are skipped; when there are fewer entries than trusted
    proxies, or the entry is not an IP address, the request did not come through them as configured
    and the peer's own address is used. None when even that is not an address.
    """
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return _address(forwarded[-proxies]) or peer
    return peer


def client_bucket(request: HttpRequest) -> str:
    """What a rate limit counts a client by: its address (client_ip), an IPv6 one by its /64 network, which a
    single host is given whole and may pick any address of; "unknown" when there is no address."""
    address = client_ip(request)
    if address is None:
        return "unknown"
    if ipaddress.ip_address(address).version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address


def safe_next(request: HttpRequest, target: str, *, fallback: str) -> str:
    """`target` if it is a page of this site (over HTTPS when the request came so), else `fallback`."""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def private_page(response: HttpResponse) -> HttpResponse:
    """Headers of a page whose address is a private link (a token): not indexed, no referrer to other sites.

    "same-origin" rather than "no-referrer": the latter would also make the browser send "Origin: null" with
    the page's own forms, which the CSRF check refuses. Callers add never_cache.
    """
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def confirmed_post(request: HttpRequest, do: Callable[[], T]) -> tuple[bool, T | None, str]:
    """A private page's posted step that needs a confirmation (cancel, withdraw): without confirm=yes it is
    only asked (confirming); with it `do()` runs, and its refusal's messages are the error to show.

    Returns (confirming, what `do` returned or None, error)."""
    if request.POST.get("confirm") != "yes":
        return True, None, ""
    try:
        return False, do(), ""
    except ValidationError as exc:
        return False, None, " ".join(exc.messages)
