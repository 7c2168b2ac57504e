"""Reads of the employment app: the records a user may see, the certificate register, overdue follow-ups."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from services.models import User

from .models import Certificate, Course, Employer, Enrollment, Graduate, Placement, PlacementFollowUp, Referral


def course_list() -> QuerySet[Course]:
    """Courses with `enrolled`, the places taken (everyone but drop-outs)."""
    return Course.objects.annotate(
        enrolled=Count("enrollments", filter=~Q(enrollments__status=Enrollment.Status.DROPPED_OUT))
    )


def employer_list() -> QuerySet[Employer]:
    """Employers with `current_placements`, the placements there that have not ended."""
    current = Count("placements", filter=Q(placements__ended_on__isnull=True))
    return Employer.objects.annotate(current_placements=current)


def enrollment_list_for(user: User) -> QuerySet[Enrollment]:
    """The enrolments `user` may see, with person, street and course loaded."""
    return Enrollment.objects.visible_to(user).select_related("person", "street", "course")


def certificate_register_for(user: User, *, search: str = "") -> QuerySet[Certificate]:
    """Every certificate of the persons `user` may see, newest first; `search` matches the person's name,
    the certificate number, trade, course or issuer."""
    certificates = Certificate.objects.visible_to(user).select_related("person", "street", "course")
    search = search.strip()
    if search:
        certificates = certificates.filter(
            Q(person__name__icontains=search)
            | Q(certificate_number__iexact=search)
            | Q(course__trade__icontains=search)
            | Q(course__title__icontains=search)
            | Q(certificate_issuer__icontains=search)
        )
    return certificates.order_by("-certificate_issued_on", "-pk")


def placement_list_for(user: User) -> QuerySet[Placement]:
    """The placements `user` may see, with person, street and employer loaded."""
    return Placement.objects.visible_to(user).select_related("person", "street", "employer")


def pending_follow_ups(queryset: QuerySet[PlacementFollowUp]) -> QuerySet[PlacementFollowUp]:
    return queryset.filter(recorded_on__isnull=True)


def overdue_follow_ups(queryset: QuerySet[PlacementFollowUp], today: datetime.date) -> QuerySet[PlacementFollowUp]:
    """Follow-ups not recorded and past their due date."""
    return pending_follow_ups(queryset).filter(due_on__lt=today)


def overdue_follow_ups_for(user: User, *, today: datetime.date) -> QuerySet[PlacementFollowUp]:
    """The overdue placement follow-ups of the streets `user` may see, oldest first."""
    return (
        overdue_follow_ups(PlacementFollowUp.objects.visible_to(user), today)
        .select_related("placement__person", "placement__street", "placement__employer")
        .order_by("due_on", "pk")
    )


def graduate_list_for(user: User) -> QuerySet[Graduate]:
    """The graduates `user` may see, annotated `is_placed` (a placement as a new graduate of their year)."""
    placement = Placement.objects.filter(
        person=OuterRef("person"), new_graduate=True, graduation_year=OuterRef("graduation_year")
    )
    return Graduate.objects.visible_to(user).select_related("person", "street").annotate(is_placed=Exists(placement))


def referral_list_for(user: User) -> QuerySet[Referral]:
    """The referrals `user` may see, with what they need for a list loaded."""
    return Referral.objects.visible_to(user).select_related("person", "street", "course", "referred_by")
