"""Reading export jobs: a user sees their own and nobody else's, staff included."""

from django.contrib.auth.models import AbstractBaseUser
from django.shortcuts import get_object_or_404

from .models import ExportJob


def export_job_get_for(user: AbstractBaseUser, pk: int) -> ExportJob:
    """Export job `pk` if `user` asked for it. Raises Http404 otherwise, so another user's job does not show."""
    return get_object_or_404(ExportJob.objects.filter(owner_id=user.pk), pk=pk)
