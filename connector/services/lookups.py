"""Lookups for the page's drop-down lists, read from Webitel: licenses (with seats left), roles,
teams, skills and pause causes. Each list is in the order a drop-down shows: by name (ignoring case),
licenses by product; Webitel's own orders differ per list (by id, or by name descending)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from ..webitel import WebitelClient, WebitelError
from .upstream import upstream_error


def licenses(webitel: WebitelClient, *, product: str | None = None, q: str | None = None,
             available: bool = False) -> list[dict]:
    items = [_license(lic) for lic in _read(lambda: webitel.licenses(product=product, q=_search(q)), "licenses")]
    items.sort(key=lambda i: (i["product"].casefold(), (i["name"] or "").casefold(), i["id"]))
    return [i for i in items if i["available"]] if available else items


def _license(lic: dict) -> dict:
    errors = list((lic.get("status") or {}).get("errors") or [])
    return {"id": lic["id"], "product": lic.get("product", ""), "name": lic.get("name") or None,
            "limit": int(lic.get("limit") or 0), "remain": int(lic.get("remain") or 0),
            "not_before": _time(lic.get("not_before")), "not_after": _time(lic.get("not_after")),
            "errors": errors, "available": not errors and int(lic.get("remain") or 0) > 0}


def roles(webitel: WebitelClient, *, q: str | None = None) -> list[dict]:
    return _by_name([{"id": str(r["id"]), "name": r.get("name", "")}
                     for r in _read(lambda: webitel.roles(q=_search(q)), "roles")])


def teams(webitel: WebitelClient, *, q: str | None = None) -> list[dict]:
    return _by_name([{"id": str(t["id"]), "name": t.get("name", ""), "strategy": t.get("strategy") or None}
                     for t in _read(lambda: webitel.teams(q=_search(q)), "teams")])


def skills(webitel: WebitelClient, *, q: str | None = None) -> list[dict]:
    return _by_name([{"id": str(s["id"]), "name": s.get("name", "")}
                     for s in _read(lambda: webitel.skills(q=_search(q)), "skills")])


def _by_name(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda i: (i["name"].casefold(), i["id"]))


def _read(fetch: Callable[[], list[dict]], what: str) -> list[dict]:
    try:
        return fetch()
    except WebitelError as exc:
        raise upstream_error(exc, f"reading the {what}") from exc


def _search(q: str | None) -> str | None:
    """Webitel's ``q`` is ILIKE with ``*`` as the wildcard: "eng" finds "English"."""
    q = (q or "").strip()
    return f"*{q}*" if q else None


def _time(unix_ms: str | int | None) -> str | None:
    if not unix_ms or not str(unix_ms).isdigit():
        return None
    return datetime.fromtimestamp(int(unix_ms) / 1000, UTC).isoformat().replace("+00:00", "Z")


def pause_causes(webitel: WebitelClient, *, q: str | None = None) -> list[dict]:
    return _by_name([{"id": str(c["id"]), "name": c.get("name", ""), "limit_min": int(c.get("limit_min") or 0)}
                     for c in _read(lambda: webitel.pause_causes(q=_search(q)), "pause causes")])
