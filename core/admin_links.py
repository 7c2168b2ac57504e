"""Links from a page to the admin page of each record it names, only where the viewer may open that page.

A record gets a link when its model has an admin, the viewer holds that admin's view (or change)
permission, and the admin's own list (`get_queryset`: street scoping, merged records left out)
holds the record, so a link never leads to a 403 or a 404. One query per model named, whatever
the number of records.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse


def admin_url(model_admin: Any, pk: Any) -> str:
    """The admin page of one record: the admin's own `record_url` when it has one (a person's full record),
    else its change page."""
    own = getattr(model_admin, "record_url", None)
    if own is not None:
        return str(own(pk))
    opts = model_admin.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])


def admin_links(request: HttpRequest, records: Iterable[Model | None]) -> dict[tuple[type[Model], Any], str]:
    """For each record `request.user` may open in the admin, its page's address, by (model, pk)."""
    wanted: dict[type[Model], set[Any]] = defaultdict(set)
    for record in records:
        if record is not None and record.pk is not None:
            wanted[type(record)._meta.concrete_model or type(record)].add(record.pk)
    links: dict[tuple[type[Model], Any], str] = {}
    for model, pks in wanted.items():
        model_admin = admin.site._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            continue
        for pk in model_admin.get_queryset(request).filter(pk__in=pks).values_list("pk", flat=True):
            links[model, pk] = admin_url(model_admin, pk)
    return links


def link_for(links: dict[tuple[type[Model], Any], str], record: Model | None) -> str:
    """The address `admin_links` found for `record`, or "" (no link)."""
    if record is None:
        return ""
    return links.get((type(record)._meta.concrete_model or type(record), record.pk), "")
