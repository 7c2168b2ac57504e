"""Events, registrations, awards and the public event pages."""
