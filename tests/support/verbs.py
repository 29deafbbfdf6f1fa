"""The HTTP verbs as methods over one ``request(method, path, **kwargs)``, for the tests' API clients."""

from __future__ import annotations

from typing import Any


class HttpVerbs:
    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        raise TypeError(f"{type(self).__name__} must define request()")

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self.request("PATCH", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)
