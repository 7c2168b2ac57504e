"""Helpers shared by test modules of several apps (fixtures live in the conftests, builders in the factories)."""
