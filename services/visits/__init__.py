"""Home visits and their follow-ups, and the field app committee members file them from."""
