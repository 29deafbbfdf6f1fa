"""The project's tests (connector and emulator); shared helpers in tests/support."""
