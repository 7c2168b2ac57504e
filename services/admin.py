"""The services app's admin, one module per sub-domain; Django's autodiscovery imports this one."""

from services.applications import admin as applications_admin
from services.escorts import admin as escorts_admin
from services.registry import admin as registry_admin
from services.registry import admin_corrections, admin_history
from services.rehab import admin as rehab_admin
from services.visits import admin as visits_admin

__all__ = [
    "admin_corrections",
    "admin_history",
    "applications_admin",
    "escorts_admin",
    "registry_admin",
    "rehab_admin",
    "visits_admin",
]
