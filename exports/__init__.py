"""Exports that stream: a small one is sent at once, a large one runs as a job whose file its owner alone downloads."""
