"""OData 4 ``$filter`` expressions, written so that they mean the same on Creatio over PostgreSQL
(case-sensitive) and over MSSQL (case-insensitive): text is compared through ``tolower`` on both
sides, and a name is matched exactly only in code, on its normalised key."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

from ...core.names import clean_name

_WORDS = re.compile(r"[^\W_]+")  # letters and digits: nothing a LIKE could read as a wildcard
# Left as they are in a query string, as OData's own examples write them; the rest is percent-encoded
# (spaces as %20, never "+", which some servers read as a plus).
_QUERY_SAFE = "$(),'/:;=@!*"


def literal(value: str | uuid.UUID | int | bool | None) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, uuid.UUID | int):
        return str(value)  # OData 4: GUIDs and numbers are bare
    return "'" + value.replace("'", "''") + "'"


def eq(path: str, value: str | uuid.UUID | int | bool | None) -> str:
    return f"{path} eq {literal(value)}"


def contains_text(path: str, text: str) -> str:
    """``path`` contains ``text``, case-insensitively on any database."""
    return f"contains(tolower({path}),{literal(text.lower())})"


def any_of(*expressions: str) -> str:
    """``a or b``, in parentheses, so that it can stand in an ``and``."""
    return "(" + " or ".join(expressions) + ")" if len(expressions) > 1 else expressions[0]


def all_of(*expressions: str | None) -> str | None:
    """``a and b`` of the expressions given (None ones left out); None when there are none."""
    present = [e for e in expressions if e]
    return " and ".join(present) if present else None


def query_string(options: dict[str, str | int]) -> str:
    """``$filter=...&$top=...`` in OData's conventional form: ``$`` and the expression's
    punctuation unencoded."""
    return "&".join(f"{quote(key, safe='$')}={quote(str(value), safe=_QUERY_SAFE)}" for key, value in options.items())


def search_text(q: str) -> str:
    """What a list's ``q`` is searched for in Creatio: NFKC, whitespace collapsed, lower case."""
    return clean_name(q).lower()


def name_token(name: str) -> str:
    """A distinctive part of ``name`` for a server-side pre-filter: its longest run of letters and
    digits (a name containing the whole contains it; no character of it is a LIKE wildcard on any
    database). A name without letters or digits is searched for whole."""
    text = search_text(name)
    words = _WORDS.findall(text)
    return max(words, key=len) if words else text
