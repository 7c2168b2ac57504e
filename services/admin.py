"""The services app's admin, one module per sub-domain; Django's autodiscovery imports this one."""

from services.escorts import admin as escorts_admin
from services.registry import admin as registry_admin
from services.registry import admin_history
from services.rehab import admin as rehab_admin
from services.visits import admin as visits_admin

__all__ = ["admin_history", "escorts_admin", "registry_admin", "rehab_admin", "visits_admin"]
