"""Kept importable under its old name: paging lives in :mod:`connector.core.paging`."""

from ..core.paging import Page, paginate

__all__ = ["Page", "paginate"]
