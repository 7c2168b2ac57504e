"""The registry of people served and the services given to them; street scoping lives here."""
