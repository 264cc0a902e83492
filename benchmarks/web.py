"""Web chat API load test: requests per second and latency of POST /api/chat on loopback.

uvicorn runs as a subprocess (`--workers 1` and `--workers 2`) serving the real application
(`assistant.web.server:create_app_from_env`: the core, conversation state and question log in
a temporary SQLite database with the demo dossiers). A bounded asyncio httpx client plays
citizens: each session asks a question without diacritics, taps a facet, follows up, opens and
ticks the checklist, looks up a dossier, says thanks, ... (ten requests, as a real chat does),
so every request loads and saves conversation state in the database.

The load itself goes through a minimal keep-alive HTTP/1.1 client on asyncio streams (`--client
raw`, the default): on this 2-core machine httpx costs 2–4 ms of CPU per request, so an httpx
load generator would take a whole core from the server it measures and report its own limit.
`--client httpx` runs the same load through httpx for comparison; httpx still checks readiness.

Two measurements per worker count, both bounded in requests and time:
- throughput: `--users` virtual citizens send back-to-back (closed loop) for `--requests`;
- latency at a fixed offered load of `--rate` requests/s (open loop, `--seconds` long), timed
  from each request's scheduled start, so a stalled server cannot hide its queue
  (no coordinated omission).

Targets with 2 workers on this machine: ≥ 500 requests/s and p99 ≤ 50 ms at 500 requests/s.
The load generator shares the machine's cores with the server, so the numbers are a floor.

Usage: python benchmarks/web.py [--workers 1,2] [--requests 6000] [--users 16] [--rate 500]
                                [--seconds 10] [--client raw|httpx] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from assistant.dossiers.seed import DEMOS  # noqa: E402

DEFAULT_JSON = ROOT / "benchmarks" / "results" / "web.json"
TARGET_RPS = 500.0
TARGET_P99_MS = 50.0
PROC = "marriage-status-certification"
QUESTIONS = [
    "lam can cuoc cho con can giay to gi", "dang ky khai sinh o dau", "lệ phí cấp hộ chiếu bao nhiêu?",
    "ly lich tu phap mat bao lau", "đăng ký tạm trú nộp online được không", "xin chao",
    "cấp lại bằng lái xe cần gì", "chứng thực bản sao ở đâu", "thu tuc tach ho", "trợ cấp thất nghiệp",
]
CODES = [d.code for d in DEMOS[:12]]


def session_step(session: int, step: int) -> dict:
    """The `step`-th request of session `session`: a plausible conversation of ten turns."""
    question = QUESTIONS[(session + step) % len(QUESTIONS)]
    script = [
        {"text": "giay doc than mat bao lau"},
        {"action": f"f:p:{PROC}"},
        {"text": "còn nộp ở đâu?"},
        {"text": question},
        {"action": f"k:-1:{PROC}"},
        {"action": f"k:{session % 3}:{PROC}"},
        {"text": CODES[session % len(CODES)]},
        {"text": "cảm ơn"},
        {"text": QUESTIONS[(session * 7 + step) % len(QUESTIONS)]},
        {"action": f"f:e:{PROC}"},
    ]
    return {"session_id": f"bench-{session:06d}", **script[step % len(script)]}


@dataclass
class Run:
    requests: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)  # seconds
    seconds: float = 0.0

    def record(self, status: int | str, latency: float) -> None:
        self.requests += 1
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        if status != 200:
            self.errors += 1
        self.latencies.append(latency)

    def summary(self) -> dict:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000, 2) if lat else 0.0

        return {
            "requests": self.requests, "seconds": round(self.seconds, 2),
            "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
            "max_ms": round(lat[-1] * 1000, 2) if lat else 0.0,
            "mean_ms": round(statistics.fmean(lat) * 1000, 2) if lat else 0.0,
            "errors": self.errors, "statuses": self.statuses,
        }


class RawConnection:
    """One keep-alive HTTP/1.1 connection: write a request, read status, headers and body."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, payload: dict) -> int:
        status, _ = await self.send(path, json.dumps(payload, ensure_ascii=False).encode())
        return status

    async def send(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """POST `body` (JSON) with extra `headers`; returns the status and the response body."""
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()).encode()
        request = (b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n"
                   % (path.encode(), self.host.encode(), extra, len(body)) + body)
        for attempt in range(2):  # a keep-alive connection the server closed is reopened once
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            assert self.reader is not None
            self.writer.write(request)
            try:
                head = await self.reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                self.close()
                if attempt:
                    raise
                continue
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            data = await self.reader.readexactly(length)
            if b"connection: close" in head.lower():
                self.close()
            return status, data
        raise ConnectionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Client:
    """`post(payload) -> status` through either the raw client (a pool of connections) or httpx."""

    def __init__(self, url: str, kind: str, connections: int) -> None:
        self.url, self.kind = url, kind
        host, port = url.removeprefix("http://").split(":")
        self._pool: asyncio.Queue[RawConnection] = asyncio.Queue()
        for _ in range(connections):
            self._pool.put_nowait(RawConnection(host, int(port)))
        self._httpx = (httpx.AsyncClient(base_url=url, timeout=10, limits=httpx.Limits(
            max_connections=connections, max_keepalive_connections=connections)) if kind == "httpx" else None)

    async def post(self, payload: dict) -> int | str:
        try:
            if self._httpx is not None:
                return (await self._httpx.post("/api/chat", json=payload)).status_code
            connection = await self._pool.get()
            try:
                return await asyncio.wait_for(connection.post("/api/chat", payload), 10)
            except BaseException:
                connection.close()
                raise
            finally:
                self._pool.put_nowait(connection)
        except (httpx.HTTPError, OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
            return exc.__class__.__name__

    async def aclose(self) -> None:
        if self._httpx is not None:
            await self._httpx.aclose()
        while not self._pool.empty():
            self._pool.get_nowait().close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Every simulated citizen comes from 127.0.0.1: lift the per-address limits (which stand for one
# office or carrier address) so that the run measures serving, not throttling.
ONE_ADDRESS_FOR_ALL = {"ASSISTANT_LOOKUPS_PER_ADDRESS": "100000000", "ASSISTANT_MISSES_PER_ADDRESS": "100000000",
                       "ASSISTANT_RATINGS_PER_ADDRESS": "100000000", "ASSISTANT_SUBSCRIPTIONS_PER_ADDRESS": "100000000"}


def start_server(workers: int, data_dir: Path, port: int, log: Path,
                 database_url: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "ZALO_")) and k not in ("DATABASE_URL",)}
    env.update({"ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_DEMO": "1", "PYTHONUNBUFFERED": "1",
                **ONE_ADDRESS_FOR_ALL})
    if database_url:
        env["DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "uvicorn", "assistant.web.server:create_app_from_env", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--no-access-log",
               "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


async def wait_ready(url: str, workers: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Ready when /healthz answers 200 from every worker (pids seen in /metrics)."""
    deadline = time.monotonic() + timeout
    pids: set[str] = set()
    # No keep-alive: each probe is a new connection, so it may land on any worker.
    async with httpx.AsyncClient(timeout=2, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("server exited during start-up")
            try:
                if (await client.get(url + "/healthz")).status_code == 200:
                    for line in (await client.get(url + "/metrics")).text.splitlines():
                        if line.startswith("tthc_process_id "):
                            pids.add(line.split()[1])
                    if len(pids) >= workers:
                        return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"server not ready in {timeout:.0f}s (workers seen: {len(pids)})")


async def closed_loop(url: str, total: int, users: int, time_limit: float, kind: str = "raw") -> Run:
    """`users` citizens send back to back until `total` requests or `time_limit` seconds."""
    run = Run()
    counter = iter(range(total))
    sessions = max(1, total // 10)
    client = Client(url, kind, users)
    started = time.perf_counter()
    deadline = started + time_limit

    async def user() -> None:
        for index in counter:
            if time.perf_counter() > deadline:
                return
            t0 = time.perf_counter()
            status = await client.post(session_step(index % sessions, index // sessions))
            run.record(status, time.perf_counter() - t0)

    try:
        await asyncio.gather(*(user() for _ in range(users)))
    finally:
        run.seconds = time.perf_counter() - started
        await client.aclose()
    return run


async def open_loop(url: str, rate: float, seconds: float, kind: str = "raw", max_in_flight: int = 128) -> Run:
    """Requests scheduled at a fixed rate; latency counted from each scheduled start."""
    run = Run()
    total = int(rate * seconds)
    sessions = max(1, int(rate))  # one request per session per second: like people reading replies
    client = Client(url, kind, max_in_flight)
    started = time.perf_counter()

    async def one(index: int, scheduled: float) -> None:
        status = await client.post(session_step(index % sessions, index // sessions))
        run.record(status, time.perf_counter() - scheduled)

    tasks = []
    try:
        for index in range(total):
            scheduled = started + index / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(index, scheduled)))
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 30)
    finally:
        run.seconds = time.perf_counter() - started
        await client.aclose()
    return run


async def bench(workers: int, args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="tthc-web-bench-") as tmp:
        data = Path(tmp)
        prepare = subprocess.run(
            [sys.executable, "-c", "from assistant.config import Settings;"
             "from assistant.app import build_assistant, open_database;"
             "from assistant.runner import seed_if_empty;"
             "s = Settings.from_env(); e = open_database(s); seed_if_empty(e, build_assistant(s, e))"],
            cwd=ROOT, env={**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
                           "ASSISTANT_DATA_DIR": str(data),
                           **({"DATABASE_URL": args.database_url} if args.database_url else {})},
            capture_output=True, timeout=120)
        if prepare.returncode != 0:
            raise RuntimeError(prepare.stderr.decode()[-2000:])
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = data / "server.log"
        process = start_server(workers, data, port, log, args.database_url)
        try:
            await wait_ready(url, workers, process)
            await closed_loop(url, min(600, args.requests), args.users, 30, args.client)  # warm-up
            throughput = await closed_loop(url, args.requests, args.users, args.time_limit, args.client)
            latency = await open_loop(url, args.rate, args.seconds, args.client)
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        return {"workers": workers, "throughput": throughput.summary(), "fixed_rate": latency.summary()}


def print_table(results: list[dict], rate: float) -> None:
    print(f"\nPOST /api/chat on loopback (demo data) — {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPU(s)")
    print(f"{'workers':>7} | {'max req/s':>9} {'p50':>7} {'p99':>7} | {'at ' + str(int(rate)) + '/s: p50':>14} "
          f"{'p95':>7} {'p99':>7} {'max':>7} | errors")
    for r in results:
        t, f = r["throughput"], r["fixed_rate"]
        print(f"{r['workers']:>7} | {t['rps']:>9.1f} {t['p50_ms']:>6.1f}m {t['p99_ms']:>6.1f}m | "
              f"{f['p50_ms']:>13.1f}m {f['p95_ms']:>6.1f}m {f['p99_ms']:>6.1f}m {f['max_ms']:>6.1f}m | "
              f"{t['errors'] + f['errors']}")
    print("(latencies in milliseconds; 'at N/s' is the open-loop run at a fixed offered rate)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    parser.add_argument("--requests", type=int, default=6000, help="requests in the throughput run")
    parser.add_argument("--users", type=int, default=16, help="concurrent citizens in the throughput run")
    parser.add_argument("--time-limit", type=float, default=60.0, help="cap on the throughput run (s)")
    parser.add_argument("--rate", type=float, default=TARGET_RPS, help="offered load of the latency run (req/s)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the latency run (s)")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw", help="load generator HTTP client")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    parser.add_argument("--database-url", help="serve from this database (e.g. PostgreSQL) instead of a fresh "
                                               "SQLite file; the demo dossiers are seeded if it is empty")
    args = parser.parse_args()

    results = []
    for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
        print(f"workers={workers}: starting uvicorn ...", flush=True)
        results.append(asyncio.run(bench(workers, args)))
    print_table(results, args.rate)

    two = next((r for r in results if r["workers"] == 2), None)
    verdict = None
    if two is not None:
        ok_rps = two["throughput"]["rps"] >= TARGET_RPS
        ok_p99 = two["fixed_rate"]["p99_ms"] <= TARGET_P99_MS and two["fixed_rate"]["rps"] >= 0.95 * args.rate
        verdict = {"rps_target": TARGET_RPS, "p99_target_ms": TARGET_P99_MS, "rps_ok": ok_rps, "p99_ok": ok_p99}
        print(f"targets with 2 workers: ≥ {TARGET_RPS:.0f} req/s: {'OK' if ok_rps else 'MISSED'}; "
              f"p99 ≤ {TARGET_P99_MS:.0f} ms at {args.rate:.0f} req/s: {'OK' if ok_p99 else 'MISSED'}")
    summary = {
        "benchmark": "web", "python": platform.python_version(), "machine": platform.machine(),
        "cpus": os.cpu_count(), "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "settings": {"requests": args.requests, "users": args.users, "rate": args.rate, "seconds": args.seconds,
                     "client": args.client},
        "results": results, "targets": verdict,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
