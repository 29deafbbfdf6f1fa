"""The shared core of the connector: what the Webitel and Creatio clients, the services and the API
all use, and which imports none of them (names and their matching keys, the contract's pages, the
upstream call policy)."""
