"""A Creatio stand-in speaking the OData 4 subset the connector uses (tests only; see ``app``)."""

from .app import IN_PROCESS_URL, CreatioStandIn, Fault

__all__ = ["IN_PROCESS_URL", "CreatioStandIn", "Fault"]
