"""Admin of the accessibility app: the retrofit inbox, its steps, photos for staff only, and the catalogue."""

from . import records, retrofits

__all__ = ["records", "retrofits"]
