"""Webitel's WebSocket (engine ``/websocket``, served at ``/ws/websocket``): a CTI panel's live agent
status and call events, and the actions it sends (docs/emulator.md, "The WebSocket")."""
