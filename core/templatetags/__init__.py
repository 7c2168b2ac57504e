"""Template tags shared by every app."""
