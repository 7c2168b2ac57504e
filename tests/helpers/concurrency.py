"""Racing an action against itself: every attempt in its own thread and database connection, released at once."""

import threading
from collections.abc import Callable, Sequence

from django.core.exceptions import ValidationError
from django.db import connection


def error_code(exc: ValidationError) -> str:
    """The code of the first error an action raised, whether it names a field or not."""
    if hasattr(exc, "error_dict"):
        return exc.error_dict[next(iter(exc.error_dict))][0].code
    return exc.error_list[0].code


def attempt_at_once(calls: Sequence[Callable[[], object]], *, done: str) -> list[str]:
    """Run the calls in parallel threads that wait at one barrier; return the outcomes sorted: `done` for each
    call that returned, the error code (`error_code`) for each that raised a ValidationError."""
    start = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(call: Callable[[], object]) -> None:
        try:
            start.wait()
            call()
            result = done
        except ValidationError as exc:
            result = error_code(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)
