"""The assistant as a real process (`python bot.py`, `python -m assistant serve`) for shutdown tests.

`AssistantProcess` starts it in its own session with a private data directory and port, collects
its log lines (stderr) so a test can wait for "the server is now draining connections" instead
of sleeping, and is always killed (its whole process group) if a test leaves it running.

`held_request` opens a chat request the deterministic way a slow phone does: it sends the
headers with `Expect: 100-continue` and waits for the server's "100 Continue", which uvicorn
sends only once the application is already reading the body. From then on the request is in
flight inside the application; the test decides when the body arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


class AssistantProcess:
    def __init__(self, args: list[str], env: dict[str, str], port: int) -> None:
        self.args = args
        self.env = env
        self.port = port
        self.lines: list[str] = []
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._new_line = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    async def start(self, *, ready: bool = True) -> AssistantProcess:
        """Start the process; with `ready`, wait until /healthz answers 200."""
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, *self.args, cwd=REPO, env=self.env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, start_new_session=True)
        self._reader = asyncio.create_task(self._read())
        if ready:
            await self.wait_ready()
        return self

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        while True:
            line = await self.proc.stderr.readline()
            if not line:
                return
            self.lines.append(line.decode(errors="replace").rstrip())
            self._new_line.set()

    async def wait_log(self, text: str, timeout: float = 15.0, *, count: int = 1) -> None:
        """Wait (bounded) until `text` has appeared in `count` log lines."""
        deadline = time.monotonic() + timeout
        while sum(text in line for line in self.lines) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no log line with {text!r} after {timeout}s; log:\n{self.log[-4000:]}")
            self._new_line.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_line.wait(), min(left, 0.2))

    async def wait_ready(self, statuses: tuple[int, ...] = (200,)) -> None:
        """Wait (bounded) until /healthz answers with one of `statuses`; fail if the process exits."""
        deadline = time.monotonic() + START_TIMEOUT
        async with httpx.AsyncClient(timeout=5.0) as http:
            while True:
                assert self.proc is not None
                if self.proc.returncode is not None:
                    raise AssertionError(f"process exited with {self.proc.returncode}; log:\n{self.log[-4000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(self.url + "/healthz")).status_code in statuses:
                        return
                if time.monotonic() > deadline:
                    raise AssertionError(f"not ready after {START_TIMEOUT}s; log:\n{self.log[-4000:]}")
                await asyncio.sleep(0.1)

    def terminate(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)

    async def wait_exit(self, timeout: float) -> int:
        assert self.proc is not None
        try:
            code = await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"still running {timeout}s after SIGTERM; log:\n{self.log[-4000:]}") from None
        if self._reader is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._reader, 5)
        return code

    async def kill(self) -> None:
        """Kill the process group this test started (only if still running)."""
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.proc.wait(), 10)
        if self._reader is not None and not self._reader.done():
            self._reader.cancel()


def base_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    """The parent environment without tokens or a database URL, plus a private data dir and port."""
    drop = ("TELEGRAM_", "ZALO_", "DATABASE_URL", "ASSISTANT_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update({"ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_WEB_PORT": str(port),
                "ASSISTANT_WEB_HOST": "127.0.0.1", "ASSISTANT_DEMO": "0", "ASSISTANT_LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1", **extra})
    return env


@dataclass
class HeldRequest:
    """A POST /api/chat whose body has not been sent yet."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    body: bytes

    async def finish(self, timeout: float = 15.0) -> tuple[int, dict[str, Any]]:
        """Send the body; return the status code and the JSON reply."""
        self.writer.write(self.body)
        await self.writer.drain()
        raw = await asyncio.wait_for(self.reader.read(), timeout)  # Connection: close -> read to EOF
        self.writer.close()
        head, _, payload = raw.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        return status, json.loads(payload)


async def held_request(port: int, payload: dict[str, Any], timeout: float = 10.0) -> HeldRequest:
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    body = json.dumps(payload, ensure_ascii=False).encode()
    writer.write(
        b"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), timeout)
    assert status.startswith(b"HTTP/1.1 100"), status
    assert await asyncio.wait_for(reader.readline(), timeout) == b"\r\n"
    return HeldRequest(reader, writer, body)


__all__ = ["AssistantProcess", "HeldRequest", "base_env", "held_request"]
