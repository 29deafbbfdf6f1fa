"""Alembic scripts of the connector database (see connector.migrate)."""
