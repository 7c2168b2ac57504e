"""Follow-ups: staff close them with an outcome; a daily digest of overdue ones, sent once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from services.models import AuditEntry, DigestSent, FollowUp
from services.visits.actions import follow_up_close
from services.visits.tasks import send_overdue_follow_up_digest
from tests.services.factories import PersonFactory, file_visit
from tests.services.test_concurrency import version_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(member, street):
    person = PersonFactory(street=street, name="李四")
    visit = file_visit(
        person,
        by=member,
        needs=["escort", "retrofit"],
        purpose="needs_assessment",
        visited_on=timezone.localdate() - datetime.timedelta(days=20),
    )
    return visit


def test_closing_needs_an_outcome_and_happens_once(visit, staff_user):
    follow_up = visit.follow_ups.get(need="escort")
    with pytest.raises(ValidationError):
        follow_up_close(follow_up=follow_up, outcome="  ", by=staff_user)
    closed = follow_up_close(follow_up=follow_up, outcome="已安排陪诊", by=staff_user)
    assert (closed.status, closed.closed_by, closed.outcome) == ("closed", staff_user, "已安排陪诊")
    with pytest.raises(ValidationError):
        follow_up_close(follow_up=follow_up, outcome="again", by=staff_user)


def test_staff_close_a_follow_up_in_the_admin(client, staff_user, visit):
    follow_up = visit.follow_ups.get(need="escort")
    client.force_login(staff_user)
    queue = client.get(reverse("admin:services_followup_changelist"))
    assert {f.need for f in queue.context["cl"].result_list} == {"escort", "retrofit"}
    url = reverse("admin:services_followup_change", args=[follow_up.pk])
    token = version_token(client, url)
    refused = client.post(url, {**token, "outcome": "", "close": "on"})
    assert refused.status_code == 200
    assert "outcome" in refused.context["adminform"].form.errors
    done = client.post(url, {**token, "outcome": "已联系华东医院", "close": "on"})
    assert done.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == "closed"
    queue = client.get(reverse("admin:services_followup_changelist"))
    assert {f.need for f in queue.context["cl"].result_list} == {"retrofit"}


def test_an_outcome_saved_in_the_admin_without_closing_is_audited_with_its_author(client, staff_user, visit):
    follow_up = visit.follow_ups.get(need="escort")
    client.force_login(staff_user)
    url = reverse("admin:services_followup_change", args=[follow_up.pk])
    response = client.post(url, {**version_token(client, url), "outcome": "已电话联系家属"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.outcome) == ("open", "已电话联系家属")
    entry = AuditEntry.objects.get(code="services.follow_up.outcome_changed", object_id=str(follow_up.pk))
    assert entry.user == staff_user
    assert follow_up.history.latest().history_user == staff_user


def test_a_close_refused_under_the_lock_in_the_admin_saves_nothing_and_says_why(client, staff_user, visit):
    follow_up = visit.follow_ups.get(need="escort")
    client.force_login(staff_user)
    url = reverse("admin:services_followup_change", args=[follow_up.pk])
    token = version_token(client, url)
    # Closed by someone else a moment ago, by a path that leaves the version as the form saw it.
    FollowUp.objects.filter(pk=follow_up.pk).update(
        status=FollowUp.Status.CLOSED, outcome="早先", closed_at=timezone.now(), updated_at=follow_up.updated_at
    )
    response = client.post(url, {**token, "outcome": "已联系", "close": "on"}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["此跟进事项已办结。"]
    follow_up.refresh_from_db()
    assert follow_up.outcome == "早先"
    assert not AuditEntry.objects.filter(code__startswith="services.follow_up.", object_id=str(follow_up.pk)).exists()


def test_members_see_no_follow_up_admin(client, member, visit):
    member.is_staff = True
    member.save()
    client.force_login(member)
    response = client.get(reverse("admin:services_followup_change", args=[visit.follow_ups.first().pk]))
    assert response.status_code == 200  # their own street, read-only
    assert client.post(response.request["PATH_INFO"], {"outcome": "x", "close": "on"}).status_code == 403


def test_the_daily_digest_lists_overdue_follow_ups_and_is_sent_once(visit, staff_user, mailoutbox):
    staff_user.email = "staff@example.org"
    staff_user.save()
    assert send_overdue_follow_up_digest.delay().get() == 1  # escort is due after 7 days: overdue
    assert send_overdue_follow_up_digest.delay().get() is None
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["staff@example.org"]
    assert "李四" in mail.body
    assert visit.person.masked_id_number in mail.body
    assert visit.person.id_number not in mail.body
    assert DigestSent.objects.get().follow_ups == 1


def test_timeline_shows_visits(client, staff_user, visit):
    client.force_login(staff_user)
    response = client.get(reverse("admin:services_person_record", args=[visit.person.pk]))
    kinds = [e.kind for e in response.context["timeline"]]
    assert kinds.count("入户走访") == 1
    assert FollowUp.objects.count() == 2
