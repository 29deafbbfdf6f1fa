"""Records a contract test makes through Webitel's API and deletes when it ends (tests against a real
Webitel share its data): ``yield from maker(api, path, defaults)`` in a fixture."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx


def maker(api: httpx.Client, path: str, defaults: Callable[[], dict]) -> Iterator[Callable[..., dict]]:
    """``make(**body)`` POSTs ``defaults() | body`` to ``path`` (200 expected); each record made is
    deleted afterwards (a test may have deleted it already)."""
    made: list[str] = []

    def make(**body) -> dict:
        response = api.post(path, json={**defaults(), **body})
        assert response.status_code == 200, f"POST {path}: {response.status_code} {response.text}"
        made.append(response.json()["id"])
        return response.json()

    yield make
    for row_id in made:
        assert api.delete(f"{path}/{row_id}").status_code in (200, 404)
