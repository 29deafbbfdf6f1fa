"""The pool's look at an idle connection's socket: readable means the server said something or
closed it; it never waits."""

import socket

from connector.db import _readable


def test_an_idle_socket_is_not_readable_and_a_closed_or_spoken_one_is():
    ours, server = socket.socketpair()
    with ours, server:
        assert not _readable(ours.fileno())
        server.send(b"E")  # e.g. the server's "terminating connection" error before it goes
        assert _readable(ours.fileno())
        ours.recv(1)
        assert not _readable(ours.fileno())
        server.close()
        assert _readable(ours.fileno())
