"""Skills training, certificates, employers and job placements."""
