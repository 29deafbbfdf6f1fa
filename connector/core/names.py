"""Normalised keys for matching names in code, never through the database's collation
(Creatio runs on case-sensitive PostgreSQL and case-insensitive MSSQL alike)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def name_key(name: str) -> str:
    """NFKC, case-folded, whitespace collapsed: "  John   SMITH " and "john smith" match."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()


def clean_name(name: str) -> str:
    """The name as shown: NFKC with whitespace collapsed, case kept."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip()


def stored_length(name: str) -> int:
    """The length a column needs for the name: the longest of its forms as given, as shown and as
    matched. Normalising can grow a name (NFKC makes U+FDFA 18 characters; case folding makes "ß"
    "ss"), so a length checked before it does not hold for the key."""
    return max(len(name), len(clean_name(name)), len(name_key(name)))


def like_pattern(q: str) -> str:
    """A LIKE pattern matching ``q`` anywhere in a name key, with LIKE's wildcards escaped."""
    escaped = name_key(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
