"""Rules both Creatio sides apply to what they write."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from ..core.names import clean_name, stored_length
from ..errors import ValidationFailed, field_error
from .records import ContactCreated, NewContact

MAX_NAME = 250  # Creatio's Name columns of Contact and Account (and the embedded tables)

T = TypeVar("T")


def record_name(name: str, field: str = "name") -> str:
    """The name as it is written (NFKC, whitespace collapsed); empty or too long is refused. The
    length counts the normalised forms too: the name's matching key is stored as well."""
    cleaned = clean_name(name)
    if not cleaned:
        raise field_error(field, "The name must not be empty")
    if stored_length(cleaned) > MAX_NAME:
        raise field_error(field, too_long(MAX_NAME))
    return cleaned


def too_long(limit: int) -> str:
    return f"The name must be at most {limit} characters, also once normalised (NFKC, case-folded)"


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``, in order."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def check_new_contacts(contacts: Iterable[NewContact]) -> tuple[list[ContactCreated], list[tuple[int, str]]]:
    """A bulk create's first step: a result per item (refused ones with their error, the others
    still empty), and the valid items as (index, name as written)."""
    results: list[ContactCreated] = []
    valid: list[tuple[int, str]] = []
    for item in contacts:
        try:
            name = record_name(item.name)
        except ValidationFailed as exc:
            results.append(ContactCreated(item, error=exc.message))
            continue
        valid.append((len(results), name))
        results.append(ContactCreated(item))
    return results, valid
