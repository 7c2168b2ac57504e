"""The services app's Celery tasks, one module per sub-domain; Celery's autodiscovery imports this one."""

from services.escorts import tasks as escorts_tasks
from services.registry import tasks as registry_tasks
from services.visits import tasks as visits_tasks

__all__ = ["escorts_tasks", "registry_tasks", "visits_tasks"]
