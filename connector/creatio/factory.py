"""The Creatio side the configuration asks for: embedded (default) or a live Creatio over OData 4."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session, sessionmaker

from ..config import Config
from .side import CreatioSide


def make_creatio_side(config: Config, sessions: sessionmaker[Session], *,
                      transport: httpx.BaseTransport | None = None) -> CreatioSide:
    """``transport`` replaces the network to Creatio (tests pass the stand-in's)."""
    if config.creatio_side == "odata":
        from .odata.side import ODataCreatio

        return ODataCreatio.from_config(config, transport=transport)
    from .embedded import EmbeddedCreatio

    return EmbeddedCreatio(sessions)
