"""Annual plans, the annual report and its figures."""
