"""A real uvicorn server on 127.0.0.1 in a background thread, for tests, the browser test and
benchmarks that talk to it over real HTTP from synchronous code.

The server runs the application's lifespan (Zalo, Telegram, catalogue watcher) in its own event
loop; `stop()` asks it to exit gracefully and waits a bounded time.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time

from starlette.applications import Starlette

from assistant.web.server import _EmbeddedServer, server_config


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.app = app
        self.host = host
        self.port = port or free_port(host)
        self.server = _EmbeddedServer(server_config(app, host, self.port))
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> LiveServer:
        def run() -> None:
            try:
                asyncio.run(self.server.serve())
            except BaseException as exc:  # reported to the test thread
                self._error = exc

        self._thread = threading.Thread(target=run, name="live-uvicorn", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"server did not start: {self._error!r}")
            if time.monotonic() > deadline:
                raise TimeoutError("server did not start in time")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
