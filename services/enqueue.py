"""Queue Celery tasks only once the transaction commits, so a rolled-back change queues nothing.

Every place that queues a task goes through `enqueue_on_commit` (a worker must never be handed
the id of a row that was never committed, nor run the job of a change that was undone). Outside
a transaction the task is queued at once.
"""

import functools
from collections.abc import Sequence
from typing import Any

from celery import Task
from django.db import transaction


def enqueue_on_commit(
    task: Task, *, args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None, **options: Any
) -> None:
    """Queue `task` with `apply_async(args, kwargs, **options)` after the current transaction commits."""
    transaction.on_commit(functools.partial(task.apply_async, args=list(args), kwargs=dict(kwargs or {}), **options))
