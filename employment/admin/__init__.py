"""Admin of training, certificates, employers, placements, follow-ups, graduates and referrals.

Street-owned records use StreetScopedAdmin (another street's record is a 404); every write goes through
employment.actions; each list filters by street, disability category, year and status and exports to Excel
with masked ID numbers.
"""

from . import placements, referrals, training

__all__ = ["placements", "referrals", "training"]
