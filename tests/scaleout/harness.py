"""Real worker processes for scale-out tests: uvicorn subprocesses serving
`assistant.web.server:create_app_from_env` (what `serve --workers N` and the systemd units
run), each on its own loopback port, all sharing one PostgreSQL schema; and the fake Zalo
platform of tests/channels/zalo running in a background thread so synchronous tests can start,
kill and restart workers while it records what they send.

Every wait here is a bounded poll of an observable condition, never a sleep standing in for one.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from assistant.channels.zalo import header_value
from tests.channels.zalo.fake_zalo import APP_ID, APP_SECRET, OA_ID, OA_SECRET, FakeZalo, Sent
from tests.web.live import free_port

if TYPE_CHECKING:
    from assistant.catalog.loader import Catalog

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 45.0  # a cold worker imports the app and loads the catalogue: ~2–3 s, more on a busy CI box
STOP_TIMEOUT = 25.0  # graceful: in-flight requests and the current notification finish (10 s each at most)


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll `predicate` until it returns something truthy (returned) or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


# -- the fake Zalo platform --------------------------------------------------------------------


class ScaleoutZalo(FakeZalo):
    """The fake Zalo OA API, extended for several workers.

    - Each worker gets its own access token, so every recorded message says which worker sent it.
    - `stall_next()`: the next message is held and never accepted (the test kills its sender while
      the request is in flight); `stalled` is set when it arrives, `stalled_token` names the worker.
    - `interleave(tokens)`: the first notification of each listed worker is held until every listed
      worker has sent one (bounded), so their dispatchers are certainly draining at the same time.
    """

    def __init__(self, tokens: Iterable[str]) -> None:
        super().__init__()
        self.tokens = set(tokens)
        self._lock = threading.Lock()
        self._stall = False
        self.stalled = threading.Event()
        self.stalled_token: str | None = None
        self._release = asyncio.Event()
        self._gate: set[str] = set()
        self._gate_seen: set[str] = set()
        self._gate_open = asyncio.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    # control, from the test thread

    def reset(self) -> None:
        """Forget what was sent and any stall or interleaving a previous test asked for."""
        with self._lock:
            self.sent.clear()
            self.message_calls = 0
            self._stall = False
            self.stalled.clear()
            self.stalled_token = None
            self._gate = set()
            self._gate_seen = set()

    def stall_next(self) -> None:
        with self._lock:
            self._stall = True
            self.stalled.clear()
            self.stalled_token = None

    def interleave(self, tokens: Iterable[str]) -> None:
        with self._lock:
            self._gate = set(tokens)
            self._gate_seen = set()
        self._call(self._gate_open.clear)

    def messages(self) -> list[Sent]:
        with self._lock:
            return list(self.sent)

    def notifications(self) -> list[Sent]:
        """Dossier notifications (the importer's texts start with a bell), not chat replies."""
        return [m for m in self.messages() if m.text.startswith("🔔")]

    def _call(self, fn: Callable[[], Any]) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(fn)

    # the endpoint, in the fake's event loop

    async def message(self, request: Request) -> Response:
        token = request.headers.get("access_token", "")
        if token not in self.tokens:
            return JSONResponse({"error": -216, "message": "Access token is invalid"})
        body = await request.json()
        user = str(body.get("recipient", {}).get("user_id", ""))
        text = body.get("message", {}).get("text")
        if not user or not isinstance(text, str) or not text:
            return JSONResponse({"error": -201, "message": "Parameters are invalid"})
        with self._lock:
            stall, self._stall = self._stall, False
            if stall:
                self.stalled_token = token
            gated = token in self._gate and token not in self._gate_seen and text.startswith("🔔")
            if gated:
                self._gate_seen.add(token)
                if self._gate_seen >= self._gate:
                    self._gate_open.set()
        if stall:
            self.stalled.set()
            await self._release.wait()  # held until the test ends: this send is never accepted
            return Response("gone", status_code=503)
        if gated:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._gate_open.wait(), 20)
        with self._lock:
            self.message_calls += 1
            self.sent.append(Sent(user, text, [], token))
        return JSONResponse({"error": 0, "message": "Success", "data": {"message_id": f"m{len(self.sent)}",
                                                                          "user_id": user}})

    # lifecycle, in a thread of its own

    def start_in_thread(self) -> ScaleoutZalo:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="fake-zalo", daemon=True).start()
        asyncio.run_coroutine_threadsafe(self.__aenter__(), self.loop).result(15)
        return self

    def stop_thread(self) -> None:
        assert self.loop is not None
        self._call(self._release.set)
        self._call(self._gate_open.set)
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self.__aexit__(None, None, None), self.loop).result(15)
        self.loop.call_soon_threadsafe(self.loop.stop)


def zalo_text_event(user: str, text: str, msg_id: str) -> tuple[bytes, dict[str, str]]:
    """A signed `user_send_text` webhook body and headers, as Zalo posts them."""
    timestamp = str(int(time.time() * 1000))
    event = {"app_id": APP_ID, "event_name": "user_send_text", "timestamp": timestamp, "sender": {"id": user},
             "recipient": {"id": OA_ID}, "message": {"text": text, "msg_id": msg_id}}
    raw = json.dumps(event, ensure_ascii=False).encode()
    return raw, {"content-type": "application/json",
                 "X-ZEvent-Signature": header_value(APP_ID, raw, timestamp, OA_SECRET)}


# -- worker processes ---------------------------------------------------------------------------


def clean_environment() -> dict[str, str]:
    """The test's environment without anything that configures the assistant, so a developer's
    own TELEGRAM_BOT_TOKEN or DATABASE_URL never reaches a worker."""
    prefixes = ("ASSISTANT_", "TELEGRAM_", "ZALO_", "DATABASE_URL", "TTHC_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def worker_environment(database_url: str, catalog_dir: Path, data_dir: Path, zalo: ScaleoutZalo | None,
                       token: str, **extra: str) -> dict[str, str]:
    env = clean_environment() | {
        "DATABASE_URL": database_url,
        "ASSISTANT_CATALOG_DIR": str(catalog_dir),
        "ASSISTANT_LOCALITY": "khanh-hoa",
        "ASSISTANT_DATA_DIR": str(data_dir),
        "ASSISTANT_DEMO": "0",
        "ASSISTANT_HASH_SALT": "scaleout-test-salt",
        "ASSISTANT_LOG_LEVEL": "INFO",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONUNBUFFERED": "1",
    }
    if zalo is not None:
        env |= {"ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": APP_SECRET, "ZALO_OA_SECRET_KEY": OA_SECRET,
                "ZALO_ACCESS_TOKEN": token, "ZALO_API_BASE": zalo.api_base, "ZALO_OAUTH_BASE": zalo.api_base}
    return env | extra


class Worker:
    """One uvicorn worker process on its own port, logging to a file the test can read."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path, port: int | None = None) -> None:
        self.name = name
        self.env = env
        self.port = port or free_port()
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.http = httpx.Client(base_url=self.url, timeout=10.0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        return self.env.get("ZALO_ACCESS_TOKEN", "")

    def command(self) -> list[str]:
        """One worker, as a systemd unit runs it: uvicorn with the application factory."""
        return ["-m", "uvicorn", "--factory", "assistant.web.server:create_app_from_env", "--host", "127.0.0.1",
                "--port", str(self.port), "--no-access-log", "--lifespan", "on", "--timeout-graceful-shutdown", "10"]

    def start(self) -> Worker:
        log = self.log_path.open("ab")
        try:
            # A session of its own: `close` can end this worker and any children it forked, by group id.
            self.process = subprocess.Popen([sys.executable, *self.command()], env=self.env, cwd=REPO, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        finally:
            log.close()
        return self

    def ready(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise AssertionError(f"worker {self.name} exited during start-up:\n{self.log_tail()}")
        try:
            return self.http.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    def wait_ready(self, timeout: float = START_TIMEOUT) -> Worker:
        wait_until(self.ready, timeout, f"worker {self.name} to answer /healthz")
        return self

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM and wait: uvicorn's graceful shutdown runs the lifespan, which stops the outbox
        dispatchers after their current notification. Fails unless the shutdown was graceful
        (uvicorn re-raises the SIGTERM once it has finished, so -15 is a normal exit code)."""
        assert self.process is not None, f"worker {self.name} was never started"
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
                raise AssertionError(f"worker {self.name} did not stop within {timeout:.0f}s:\n"
                                     f"{self.log_tail()}") from None
        assert self.process.returncode in (0, -signal.SIGTERM) and self.graceful_marker() in self.log_text(), (
            f"worker {self.name} did not shut down gracefully (exit {self.process.returncode}):\n{self.log_tail()}")

    def graceful_marker(self) -> str:
        assert self.process is not None
        return f"Finished server process [{self.process.pid}]"

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a crash or the OOM killer."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def close(self) -> None:
        """After the test, pass or fail: SIGKILL whatever is left of this worker's process group."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
        self.http.close()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    # the web chat API

    def chat(self, session: str, **payload: Any) -> dict[str, Any]:
        response = self.http.post("/api/chat", json={"session_id": session, **payload})
        assert response.status_code == 200, f"{self.name}: {response.status_code} {response.text}"
        return response.json()

    def health(self) -> dict[str, Any]:
        return self.http.get("/healthz").json()

    def post_zalo(self, raw: bytes, headers: dict[str, str]) -> int:
        return self.http.post("/zalo/webhook", content=raw, headers=headers).status_code


class ServeCommand(Worker):
    """`python -m assistant serve --workers N`: one port, uvicorn's supervisor and N worker processes."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path, workers: int) -> None:
        super().__init__(name, env, log_dir)
        self.workers = workers

    def command(self) -> list[str]:
        return ["-m", "assistant", "serve", "--workers", str(self.workers), "--host", "127.0.0.1",
                "--port", str(self.port)]

    def graceful_marker(self) -> str:
        assert self.process is not None
        return f"Stopping parent process [{self.process.pid}]"

    def worker_pids(self) -> set[str]:
        return set(re.findall(r"Started server process \[(\d+)\]", self.log_text()))

    def finished_pids(self) -> set[str]:
        return set(re.findall(r"Finished server process \[(\d+)\]", self.log_text()))


def start_all(workers: list[Worker]) -> list[Worker]:
    """Start every worker at once (as systemd or `serve --workers N` would); `wait_all` later."""
    for worker in workers:
        worker.start()
    return workers


def wait_all(workers: list[Worker]) -> list[Worker]:
    for worker in workers:
        worker.wait_ready()
    return workers


def run_cli(env: dict[str, str], *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """`python -m assistant ...` as staff run it, against the workers' database and catalogue."""
    return subprocess.run([sys.executable, "-m", "assistant", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def import_in_process(engine: Engine, path: Path, catalog: Catalog) -> None:
    """The importer the CLI runs, called directly: for setting up dossiers before the import
    under test (a CLI subprocess costs seconds of interpreter start-up)."""
    from assistant.dossiers.importer import ProcedureIndex, import_dossiers
    from assistant.workdays import WorkCalendar

    calendar = WorkCalendar(catalog.locality.extra_days_off if catalog.locality else ())

    def due_for(procedure_id: str, received: dt.datetime) -> dt.date | None:
        proc = catalog.get(procedure_id)
        return calendar.due_date(received, proc.time_limit) if proc else None

    import_dossiers(engine, path, procedures=ProcedureIndex.from_catalog(catalog), due_for=due_for,
                    procedure_name=lambda pid: p.display_name if (p := catalog.get(pid)) else None)
