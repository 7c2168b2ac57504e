"""Clinic escorts: hospitals, sessions, bookings, volunteers, reminders and the volunteers' pages."""
