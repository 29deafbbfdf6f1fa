"""The Creatio side the configuration asks for: embedded (default) or a live Creatio over OData 4."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sqlalchemy.orm import Session, sessionmaker

from ..config import Config
from .side import CreatioSide


def make_creatio_side(config: Config, sessions: sessionmaker[Session], *,
                      transport: httpx.BaseTransport | None = None,
                      request_session: Callable[[], Session | None] | None = None) -> CreatioSide:
    """``transport`` replaces the network to Creatio (tests pass the stand-in's); ``request_session``
    gives the session of the API request being served, which the embedded store reads through."""
    if config.creatio_side == "odata":
        from .odata.side import ODataCreatio

        return ODataCreatio.from_config(config, transport=transport)
    from .embedded import EmbeddedCreatio

    return EmbeddedCreatio(sessions, request_session=request_session)
