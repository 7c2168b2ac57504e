"""The registry: persons, street scoping, identity numbers, import and export, access log, audit, timeline, roles."""
