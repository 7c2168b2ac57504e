"""Home retrofits, ramp retrofits, sign-language video points and assistive devices."""
