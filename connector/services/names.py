"""Kept importable under its old name: the names live in :mod:`connector.core.names`."""

from ..core.names import clean_name, like_pattern, name_key, stored_length

__all__ = ["clean_name", "like_pattern", "name_key", "stored_length"]
