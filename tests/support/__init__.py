"""Shared test helpers (PostgreSQL, databases, servers)."""
