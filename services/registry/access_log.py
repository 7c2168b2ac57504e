"""Writing the access log (append-only): who opened, revealed or exported personal data.

Called where the reading happens (views, admin pages, exports), so it is not an action; the audit
trail of writes is `services.registry.audit`, which only actions call (an import-linter contract in pyproject.toml).
"""

from services.models import AccessLog, Person, User
from services.registry.identity import redact_numbers


def access_log_record(*, user: User, action: str, person: Person | None = None, detail: str = "") -> AccessLog:
    """Record that `user` opened, revealed or exported personal data; numbers in `detail` are masked."""
    return AccessLog.objects.create(user=user, action=action, person=person, detail=redact_numbers(detail)[:200])
