"""The Creatio side: one interface (:class:`CreatioSide`), plain records, and Creatio's failures.

The implementations are built by :func:`connector.creatio.factory.make_creatio_side` (imported
from there, not here: the embedded one needs the models, which need this package's records).
"""

from .errors import (
    AmbiguousName,
    CreatioAuthFailed,
    CreatioError,
    CreatioTimeout,
    CreatioUnavailable,
    MethodNotAllowed,
)
from .records import (
    Account,
    AccountRef,
    Contact,
    ContactCreated,
    ContactRef,
    NewContact,
    Page,
    SystemUser,
    SystemUserType,
)
from .side import CreatioSide

__all__ = [
    "Account", "AccountRef", "AmbiguousName", "Contact", "ContactCreated", "ContactRef", "CreatioAuthFailed",
    "CreatioError", "CreatioSide", "CreatioTimeout", "CreatioUnavailable", "MethodNotAllowed", "NewContact", "Page",
    "SystemUser", "SystemUserType",
]
