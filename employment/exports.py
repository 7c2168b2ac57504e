"""The columns of the Excel exports of employment records: ID numbers masked (core.excel makes text inert)."""

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.excel import Column
from core.users import user_display


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return gettext("yes") if value else gettext("no")


def _person_columns(get_person: Callable[[Any], Any]) -> list[Column]:
    return [
        (_("name"), lambda o: get_person(o).name),
        (_("ID number"), lambda o: get_person(o).masked_id_number),
        (_("disability category"), lambda o: get_person(o).get_category_display()),
    ]


ENROLLMENT_COLUMNS: list[Column] = [
    *_person_columns(lambda e: e.person),
    (_("street"), lambda e: e.street.name),
    (_("course"), lambda e: e.course.title),
    (_("trade"), lambda e: e.course.trade),
    (_("first day"), lambda e: e.course.starts_on),
    (_("last day"), lambda e: e.course.ends_on),
    (_("status"), lambda e: e.get_status_display()),
    (_("certificate level"), lambda e: e.get_certificate_level_display()),
    (_("certificate number"), lambda e: e.certificate_number),
    (_("issued by"), lambda e: e.certificate_issuer),
    (_("certificate date"), lambda e: e.certificate_issued_on),
]

CERTIFICATE_COLUMNS: list[Column] = [
    *_person_columns(lambda e: e.person),
    (_("street"), lambda e: e.street.name),
    (_("certificate level"), lambda e: e.get_certificate_level_display()),
    (_("trade"), lambda e: e.course.trade),
    (_("course"), lambda e: e.course.title),
    (_("certificate number"), lambda e: e.certificate_number),
    (_("issued by"), lambda e: e.certificate_issuer),
    (_("certificate date"), lambda e: e.certificate_issued_on),
]

PLACEMENT_COLUMNS: list[Column] = [
    *_person_columns(lambda p: p.person),
    (_("street"), lambda p: p.street.name),
    (_("employer"), lambda p: p.employer.name),
    (_("unified social credit code"), lambda p: p.employer.credit_code),
    (_("job title"), lambda p: p.job_title),
    (_("start date"), lambda p: p.started_on),
    (_("contract type"), lambda p: p.get_contract_type_display()),
    (_("recommended by the federation"), lambda p: _yes_no(p.recommended)),
    (_("new graduate"), lambda p: _yes_no(p.new_graduate)),
    (_("graduation year"), lambda p: p.graduation_year),
    (_("end date"), lambda p: p.ended_on),
    (_("why it ended"), lambda p: p.get_end_reason_display()),
]

FOLLOW_UP_COLUMNS: list[Column] = [
    *_person_columns(lambda f: f.placement.person),
    (_("street"), lambda f: f.placement.street.name),
    (_("employer"), lambda f: f.placement.employer.name),
    (_("start date"), lambda f: f.placement.started_on),
    (_("after"), lambda f: f.get_months_display()),
    (_("due"), lambda f: f.due_on),
    (_("recorded on"), lambda f: f.recorded_on),
    (_("still employed"), lambda f: _yes_no(f.still_employed)),
    (_("note"), lambda f: f.note),
]

GRADUATE_COLUMNS: list[Column] = [
    *_person_columns(lambda g: g.person),
    (_("street"), lambda g: g.street.name),
    (_("graduation year"), lambda g: g.graduation_year),
    (_("university"), lambda g: g.school),
    (_("subject"), lambda g: g.major),
    (_("placed"), lambda g: _yes_no(getattr(g, "is_placed", None))),
]

REFERRAL_COLUMNS: list[Column] = [
    *_person_columns(lambda r: r.person),
    (_("street"), lambda r: r.street.name),
    (_("referred to"), lambda r: r.get_kind_display()),
    (_("course"), lambda r: r.course.title if r.course else ""),
    (_("status"), lambda r: r.get_status_display()),
    (_("referred by"), lambda r: user_display(r.referred_by)),
    (_("referred on"), lambda r: timezone.localdate(r.created_at)),
]
