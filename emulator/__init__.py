"""A faithful in-memory Webitel: the same REST API, rules and errors, plus a control plane for tests.

``create_app(seed)`` builds the WSGI app; ``webitel-emulator`` serves it; the pytest plugin
(``emulator.pytest_plugin``) gives test suites a fresh emulator per test.
"""

from .app import Emulator, create_app

__all__ = ["Emulator", "create_app"]
