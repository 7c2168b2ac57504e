"""Online applications: the public form, the identity check, the status link, the staff's and members' steps."""
