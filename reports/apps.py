"""App configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from services.registry import corrections

        from .drilldown_exports import register_all
        from .figures import counted_for_model

        # A correction of a closed record keeps what it moved in the figures of its year (services never imports us).
        corrections.register_figure_counter(counted_for_model)
        register_all()
