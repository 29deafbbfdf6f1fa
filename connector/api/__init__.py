"""The HTTP face: one blueprint per area; views parse, call one service function, and serialise."""
