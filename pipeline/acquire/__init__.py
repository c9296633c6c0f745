"""Acquisition: sources and feeds, the HTTP client and its network guard, politeness,
feed health."""
