"""A TCP proxy on 127.0.0.1 that a test can cut and restore: a real network outage for a real driver.

`TcpProxy(target_host, target_port)` listens on a free loopback port and forwards every byte to
the target. Three modes, switchable at any time from any thread:

- `up()`: forward (the normal state);
- `down()`: every open connection is reset and new ones are accepted and reset at once, as when
  the database server has stopped or restarted;
- `hang()`: open connections are reset; new ones are accepted but nothing is ever forwarded or
  answered, as when the server's host has vanished behind a firewall. Only the client's own
  timeouts end such a wait, which is what the tests check.

Threads, not asyncio, so the same proxy serves synchronous tests, threaded servers and event-loop
tests alike. Every blocking call has a timeout; `close()` stops everything.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading

UP, DOWN, HANG = "up", "down", "hang"


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0), so the peer sees the connection die rather than a clean EOF."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = UP
        self.accepted = 0
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket | None]] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True)
        self._thread.start()

    # -- control ---------------------------------------------------------------------------------

    def up(self) -> None:
        self.mode = UP

    def down(self) -> None:
        self.mode = DOWN
        self._drop_all()

    def hang(self) -> None:
        self.mode = HANG
        self._drop_all()

    def close(self) -> None:
        self._closed.set()
        self._drop_all()
        with contextlib.suppress(OSError):
            self._listener.close()
        self._thread.join(5)

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals -------------------------------------------------------------------------------

    def _drop_all(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for client, upstream in pairs:
            _reset(client)
            if upstream is not None:
                _reset(upstream)

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            mode = self.mode
            if mode == DOWN:
                _reset(client)
                continue
            if mode == HANG:
                with self._lock:
                    self._pairs.append((client, None))  # held open, never answered
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), name="tcp-proxy-pump",
                             daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        sockets = [client, upstream]
        try:
            while not self._closed.is_set():
                try:
                    readable, _, broken = select.select(sockets, [], sockets, 0.2)
                except (OSError, ValueError):  # a socket was closed by down()/hang()
                    return
                if broken:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except OSError:
            return
        finally:
            with self._lock:
                if (client, upstream) in self._pairs:
                    self._pairs.remove((client, upstream))
            _reset(client)
            _reset(upstream)


__all__ = ["DOWN", "HANG", "UP", "TcpProxy"]
