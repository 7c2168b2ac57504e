"""Merging a duplicate person: every record of every app moves, the duplicate stays as a pointer."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from employment.models import Referral
from events.models import Award
from reports.figures import FIGURES
from services.models import AccessLog, AuditEntry, EscortBooking, FollowUp, Person, RehabReferral
from services.registry import actions, selectors
from tests.accessibility.factories import DeviceIssueFactory, RetrofitFactory
from tests.employment.factories import EnrollmentFactory, GraduateFactory, PlacementFactory
from tests.events.factories import AwardFactory, EventFactory, PersonRegistrationFactory
from tests.services.applications.factories import make_application
from tests.services.factories import EscortBookingFactory, PersonFactory, file_visit, make_slot
from tests.services.rehab_factories import ContractFactory, RehabCentreFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _visit_need(person, by, need="other"):
    return file_visit(person, by, needs=[need]).follow_ups.get()


def _correction(person, by):
    """A completed escort of the person voided as entered in error: the correction points at the person."""
    from services.escorts.actions import escort_booking_correct

    booking = EscortBookingFactory(
        person=person, slot=make_slot(days_ahead=-30), status=EscortBooking.Status.COMPLETED, requested_by=by
    )
    escort_booking_correct(booking=booking, by=by, reason="entered twice")
    return person.corrections.get()


# One way to give a person a record of each kind that points at them. A foreign key to Person added
# to any app later makes test_every_relation_to_person_has_a_builder fail until it gets a line here.
BUILDERS = {
    "services.accesslog": lambda p, by: AccessLog.objects.create(user=by, action="opened", person=p),
    "services.escortbooking": lambda p, by: EscortBookingFactory(person=p, requested_by=by),
    "services.homevisit": lambda p, by: file_visit(p, by),
    "services.followup": lambda p, by: _visit_need(p, by),
    "services.correction": _correction,
    "services.familydoctorcontract": lambda p, by: ContractFactory(person=p),
    "services.homerehabsession": lambda p, by: SessionFactory(
        contract=p.family_doctor_contracts.first() or ContractFactory(person=p)
    ),
    "services.rehabreferral": lambda p, by: RehabReferral.objects.create(
        person=p,
        street=p.street,
        centre=RehabCentreFactory(),
        follow_up=_visit_need(p, by, "rehabilitation"),
        referred_by=by,
    ),
    "services.person": lambda p, by: PersonFactory(merged_into=p, merged_at=timezone.now()),
    "services.application": lambda p, by: make_application(p)[0],
    "accessibility.deviceissue": lambda p, by: DeviceIssueFactory(person=p),
    "accessibility.retrofit": lambda p, by: RetrofitFactory(person=p),
    "employment.enrollment": lambda p, by: EnrollmentFactory(person=p),
    "employment.placement": lambda p, by: PlacementFactory(person=p),
    "employment.graduate": lambda p, by: GraduateFactory(person=p),
    "employment.referral": lambda p, by: Referral.objects.create(
        person=p, street=p.street, kind="job", follow_up=_visit_need(p, by, "job"), referred_by=by
    ),
    "events.registration": lambda p, by: PersonRegistrationFactory(person=p),
    "events.award": lambda p, by: AwardFactory(kind=Award.Kind.PERSON, person=p, team_name=""),
}


def relation_labels() -> set[str]:
    return {rel.related_model._meta.label_lower for rel in Person._meta.related_objects}


def rows_of(person: Person) -> dict[str, int]:
    """Per relation to Person, how many rows point at `person`."""
    counts = {}
    for rel in Person._meta.related_objects:
        model = rel.related_model
        counts[f"{model._meta.label_lower}.{rel.field.name}"] = model._base_manager.filter(
            **{rel.field.name: person}
        ).count()
    return counts


@pytest.fixture
def twins(street):
    """Two records of one person: same name and birth date, different (mistyped) ID numbers."""
    kept = PersonFactory(street=street, name="王小明")
    other = PersonFactory(street=street, name="王小明")
    return kept, other


def test_every_relation_to_person_has_a_builder():
    assert set(BUILDERS) == relation_labels()


def test_merge_moves_every_record_of_every_app_and_keeps_the_duplicate(twins, staff_user):
    kept, other = twins
    for build in BUILDERS.values():
        build(other, staff_user)
    before_kept, before_other = rows_of(kept), rows_of(other)
    assert all(before_other.values()), before_other  # every relation has a row to move

    actions.person_merge(kept=kept, other=other, by=staff_user, reason="same name and birth date")

    after_kept, after_other = rows_of(kept), rows_of(other)
    for relation, count in before_other.items():
        if relation in {"services.accesslog.person"}:
            assert after_other[relation] == count  # the log keeps which record was opened
        else:
            merged_itself = relation == "services.person.merged_into"  # `other` now points at `kept` too
            assert after_other[relation] == 0, relation
            assert after_kept[relation] == before_kept[relation] + count + merged_itself, relation
    other.refresh_from_db()
    assert other.merged_into == kept
    assert other.merged_at is not None
    assert Person.objects.filter(pk=other.pk).exists()  # kept, not deleted


def test_merge_keeps_history_and_audit(twins, staff_user):
    kept, other = twins
    booking = BUILDERS["services.escortbooking"](other, staff_user)
    actions.person_merge(kept=kept, other=other, by=staff_user, reason="entered twice")
    entry = AuditEntry.objects.get(code="services.person.merged")
    assert entry.object_id == str(kept.pk)
    assert entry.data["from"] == other.pk
    assert entry.data["reason"] == "entered twice"
    assert entry.data["moved"]["services.escortbooking"] == 1
    assert AuditEntry.objects.filter(code="services.person.merged_away", object_id=str(other.pk)).exists()
    # The booking's history keeps that it was the other record's, and names who moved it.
    history = list(booking.history.order_by("history_date").values_list("person_id", "history_user_id"))
    assert history[0][0] == other.pk
    assert history[-1] == (kept.pk, staff_user.pk)
    assert other.history.latest().merged_into_id == kept.pk


def test_merged_record_drops_out_of_lists_and_searches(twins, staff_user, client):
    kept, other = twins
    actions.person_merge(kept=kept, other=other, by=staff_user, reason="same person")
    assert list(selectors.person_list_for(staff_user).filter(name="王小明")) == [kept]
    assert selectors.likely_duplicates_for(staff_user) == []
    client.force_login(staff_user)
    html = client.get(reverse("admin:services_person_changelist"), {"q": "王小明"}).content.decode()
    assert kept.masked_id_number in html
    assert f"/{other.pk}/" not in html
    # A search by the merged record's whole ID number finds nothing (it is no longer a person served).
    html = client.get(reverse("admin:services_person_changelist"), {"q": other.id_number}).content.decode()
    assert f"/{other.pk}/" not in html


def test_merged_record_page_says_where_it_went(twins, staff_user, client):
    kept, other = twins
    actions.person_merge(kept=kept, other=other, by=staff_user, reason="same person")
    client.force_login(staff_user)
    response = client.get(reverse("admin:services_person_record", args=[other.pk]))
    assert response.status_code == 200
    assert reverse("admin:services_person_record", args=[kept.pk]) in response.content.decode()
    change = client.get(reverse("admin:services_person_change", args=[other.pk]))
    assert change.status_code == 302
    assert change["Location"] == reverse("admin:services_person_record", args=[other.pk])


def test_figures_count_a_merged_person_once(twins, staff_user):
    """One person placed twice through two records counted two people; after the merge, one."""
    kept, other = twins
    PlacementFactory(person=kept, started_on=datetime.date(2023, 3, 1))
    PlacementFactory(person=other, started_on=datetime.date(2023, 9, 1))
    placed = next(figure for figure in FIGURES if figure.key == "placed")
    assert placed.compute(2023) == 2
    actions.person_merge(kept=kept, other=other, by=staff_user, reason="same person")
    assert placed.compute(2023) == 1


def test_merge_refuses_itself_a_merged_record_and_no_reason(twins, staff_user, street):
    kept, other = twins
    with pytest.raises(ValidationError) as exc:
        actions.person_merge(kept=kept, other=kept, by=staff_user, reason="x")
    assert exc.value.code == "same_person"
    with pytest.raises(ValidationError):
        actions.person_merge(kept=kept, other=other, by=staff_user, reason="  ")
    actions.person_merge(kept=kept, other=other, by=staff_user, reason="same")
    third = PersonFactory(street=street)
    for pair in [(other, third), (third, other)]:
        with pytest.raises(ValidationError) as exc:
            actions.person_merge(kept=pair[0], other=pair[1], by=staff_user, reason="again")
        assert exc.value.code == "already_merged"


def test_merge_needs_the_merge_permission(twins, member, auditor):
    kept, other = twins
    for user in (member, auditor):
        with pytest.raises(ValidationError) as exc:
            actions.person_merge(kept=kept, other=other, by=user, reason="same")
        assert exc.value.code == "permission_denied"
    other.refresh_from_db()
    assert other.merged_into is None


def test_merge_refuses_a_unique_clash_naming_it_and_changes_nothing(twins, staff_user):
    """Both records registered for one event: one registration per person per event, so staff resolve it first."""
    kept, other = twins
    event = EventFactory(title="手语歌比赛")
    PersonRegistrationFactory(person=kept, event=event)
    theirs = PersonRegistrationFactory(person=other, event=event)
    booking = BUILDERS["services.escortbooking"](other, staff_user)
    with pytest.raises(ValidationError) as exc:
        actions.person_merge(kept=kept, other=other, by=staff_user, reason="same")
    assert exc.value.code == "conflict"
    assert "手语歌比赛" in exc.value.messages[0]
    booking.refresh_from_db()
    theirs.refresh_from_db()
    assert booking.person == other
    assert theirs.person == other
    assert not AuditEntry.objects.filter(code="services.person.merged").exists()


def test_merge_moves_what_a_conditional_unique_rule_allows(twins, staff_user):
    """A closed retrofit beside an open one breaks no rule (one open case per person)."""
    kept, other = twins
    RetrofitFactory(person=kept)
    RetrofitFactory(person=other, status="withdrawn", closed_on=datetime.date(2023, 2, 1), closing_reason="重复")
    actions.person_merge(kept=kept, other=other, by=staff_user, reason="same")
    assert kept.retrofits.count() == 2


# Over HTTP, as staff do it from the duplicates page.


def test_duplicates_page_offers_the_merge_and_confirmation_shows_both_masked(twins, staff_user, client):
    kept, other = twins
    client.force_login(staff_user)
    page = client.get(reverse("admin:services_person_duplicates")).content.decode()
    assert reverse("admin:services_person_merge") in page
    assert 'type="radio" name="kept"' in page
    assert 'type="radio" name="other"' in page
    confirm = client.get(
        reverse("admin:services_person_merge"), {"kept": kept.pk, "other": other.pk, "reason": "same name"}
    )
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert kept.masked_id_number in html
    assert other.masked_id_number in html
    assert kept.id_number not in html
    assert other.id_number not in html
    assert "same name" in html
    other.refresh_from_db()
    assert other.merged_into is None  # showing the confirmation merges nothing


def test_confirming_over_http_merges_and_shows_the_kept_record(twins, staff_user, client):
    kept, other = twins
    PlacementFactory(person=other)
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:services_person_merge"), {"kept": kept.pk, "other": other.pk, "reason": "same name"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:services_person_record", args=[kept.pk])
    other.refresh_from_db()
    assert other.merged_into == kept
    assert kept.placements.count() == 1


def test_merge_over_http_without_reason_or_with_a_clash_shows_why(twins, staff_user, client, in_english):
    kept, other = twins
    client.force_login(staff_user)
    url = reverse("admin:services_person_merge")
    response = client.post(url, {"kept": kept.pk, "other": other.pk, "reason": ""})
    assert response.status_code == 400
    event = EventFactory(title="合唱")
    PersonRegistrationFactory(person=kept, event=event)
    PersonRegistrationFactory(person=other, event=event)
    response = client.post(url, {"kept": kept.pk, "other": other.pk, "reason": "same"})
    assert response.status_code == 400
    assert "合唱" in response.content.decode()
    assert client.get(url, {"kept": kept.pk, "other": "junk"}).status_code == 302
    other.refresh_from_db()
    assert other.merged_into is None


def test_merge_page_is_refused_without_the_permission(twins, auditor, client):
    kept, other = twins
    client.force_login(auditor)
    url = reverse("admin:services_person_merge")
    assert client.get(url, {"kept": kept.pk, "other": other.pk}).status_code == 403
    assert client.post(url, {"kept": kept.pk, "other": other.pk, "reason": "x"}).status_code == 403
    page = client.get(reverse("admin:services_person_duplicates")).content.decode()
    assert reverse("admin:services_person_merge") not in page


def test_follow_ups_move_with_their_visit(twins, staff_user):
    kept, other = twins
    need = _visit_need(other, staff_user)
    actions.person_merge(kept=kept, other=other, by=staff_user, reason="same")
    need = FollowUp.objects.get(pk=need.pk)
    assert need.person == kept
    assert need.visit.person == kept


def test_kept_record_timeline_shows_the_merged_duplicate(twins, staff_user, client):
    kept, other = twins
    actions.person_merge(kept=kept, other=other, by=staff_user, reason="same person")
    client.force_login(staff_user)
    html = client.get(reverse("admin:services_person_record", args=[kept.pk])).content.decode()
    assert reverse("admin:services_person_record", args=[other.pk]) in html


def test_an_excel_import_does_not_update_a_merged_record(twins, staff_user):
    from services.models import Street
    from tests.services.test_spreadsheets import person_row, run_import, xlsx

    kept, other = twins
    actions.person_merge(kept=kept, other=other, by=staff_user, reason="same person")
    row = person_row(other, dict(Street.objects.values_list("pk", "name_zh")))
    row["联系电话"] = "13912345678"
    result = run_import(xlsx([row]), staff_user)
    assert len(result.errors) == 1
    assert Person.objects.get(pk=other.pk).phone == other.phone


def test_a_frozen_drilldown_still_lists_a_person_merged_after_the_freeze(twins, staff_user):
    """Frozen with 2 people placed (the twins); merging them changes the live figure, not what was frozen."""
    from reports.actions import annual_report_compute, annual_report_freeze, annual_report_request, annual_report_start
    from reports.selectors import drilldown_records

    kept, other = twins
    PlacementFactory(person=kept, started_on=datetime.date(2023, 3, 1))
    PlacementFactory(person=other, started_on=datetime.date(2023, 9, 1))
    report, _created = annual_report_request(year=2023, dispatch=False)
    report = annual_report_compute(report=annual_report_start(report_id=report.pk, task_id=report.task_id))
    official = annual_report_freeze(report=report, by=staff_user)
    placed = next(figure for figure in FIGURES if figure.key == "placed")
    actions.person_merge(kept=kept, other=other, by=staff_user, reason="same person")
    assert drilldown_records(placed, 2023, staff_user, official).count() == official.value("placed") == 2
    assert drilldown_records(placed, 2023, staff_user).count() == placed.compute(2023) == 1
