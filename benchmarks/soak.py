"""Soak test: a few minutes of mixed load against the real web server (2 uvicorn workers).

    python benchmarks/soak.py [--minutes 3] [--database auto|postgres|sqlite] [--json PATH]

What runs, all on loopback:
- the real application in 2 uvicorn worker processes (`assistant.web.server:create_app_from_env`,
  Telegram pointed at the fake Bot API with TELEGRAM_API_BASE), each with its Zalo and Telegram
  (webhook mode) channels and their outbox dispatchers;
- a fresh PostgreSQL database on the server of `DATABASE_URL_TEST` (`source .ci/postgres.sh`),
  created and dropped by this script; `--database sqlite` (or `auto` without PostgreSQL) uses a
  temporary SQLite file instead;
- the fake Zalo platform and the fake Telegram Bot API of tests/channels, in this process;
- web citizens on POST /api/chat (questions without diacritics, follow-ups, facet buttons taken
  from the previous reply, dossier lookups, now and then "theo doi <code>");
- Zalo and Telegram citizens posting signed webhooks: they follow and unfollow dossiers
  ("theo dõi <mã>", "hủy theo dõi <mã>", confirmed by the bot's reply at the fake platform),
  ask questions and look dossiers up;
- every `--import-every` seconds the real importer (`python -m assistant dossier import`, a
  subprocess) moves half the soak dossiers to their next status; the workers' dispatchers
  deliver the outbox to the fake platforms.

Web subscriptions are made too. A web page cannot be pushed to, so after the load every session
that subscribed comes back as a returning visitor would: its page pulls `/api/updates` and
acknowledges; every "web" outbox row must be pulled exactly once (none left, none offered again).

Notification accounting: while an import runs no follow/unfollow is in flight (a gate), and
the subscriptions are read from the database just before it, so what each import must produce
is known exactly: one notification per (chat, dossier, new status, import round) for every
subscriber of every changed dossier. Each notification's text names its round (the
supplement note "Bổ sung đợt N" or the new due date base+N days), so a delivery at a fake
platform maps to exactly one expected key: lost = expected but never delivered, duplicated =
delivered more than once, unexpected = delivered but not expected.

Memory: VmRSS of each worker (pids from /metrics) every `--sample-every` seconds; growth is the
mean of the last 30 s against the mean of the first 30 s after warm-up. Targets: RSS flat within
10%, zero lost and zero duplicated notifications, zero errors. Prints a table, MISSED/OK
verdicts and writes benchmarks/results/soak.json. `--faults R` makes the fake platforms refuse
about R sends a second (and a few right after each import): retries must still lose nothing. Exits non-zero only when the script itself
fails (a missed target is a result, not a failure).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime as dt
import json
import os
import platform
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Not benchmarks/ itself: benchmarks/telegram.py would shadow the `telegram` library.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from assistant.channels.telegram.webhook import SECRET_HEADER, webhook_secret  # noqa: E402
from assistant.channels.zalo import SIGNATURE_HEADER, header_value  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.dossiers.seed import DEMOS  # noqa: E402
from assistant.dossiers.statuses import LABELS, DossierStatus  # noqa: E402
from assistant.workdays import VN_TZ  # noqa: E402
from benchmarks.web import RawConnection, Run, free_port, wait_ready  # noqa: E402
from tests.channels.telegram.fake_bot_api import TOKEN as TELEGRAM_TOKEN  # noqa: E402
from tests.channels.telegram.fake_bot_api import FakeBotApi, plain_text  # noqa: E402
from tests.channels.zalo.fake_zalo import APP_ID, APP_SECRET, OA_ID, OA_SECRET, FakeZalo  # noqa: E402

DEFAULT_JSON = ROOT / "benchmarks" / "results" / "soak.json"
TARGET_RSS_GROWTH_PCT = 10.0
WORKERS = 2
REQUEST_TIMEOUT = 10.0
REPLY_TIMEOUT = 15.0
WINDOW = 30.0  # seconds averaged at the start and at the end for memory growth

PROC = "marriage-status-certification"
QUESTIONS = [
    "giay doc than mat bao lau", "lam can cuoc cho con can giay to gi", "dang ky khai sinh o dau",
    "le phi cap ho chieu bao nhieu", "ly lich tu phap mat bao lau", "dang ky tam tru nop online duoc khong",
    "cap lai bang lai xe can gi", "chung thuc ban sao o dau", "thu tuc tach ho", "tro cap that nghiep",
    "cccd het han lam j", "khai tu mat may ngay", "dang ky ket hon can gi", "xin giay xac nhan tinh trang hon nhan",
]
FOLLOW_UPS = ["con nop o dau?", "mat bao lau", "le phi bao nhieu", "nop online duoc khong", "can giay to gi",
              "nop hom nay thi khi nao co ket qua"]
DEMO_CODES = [d.code for d in DEMOS[:12]]

IN_PROGRESS = "Đang giải quyết"
SUPPLEMENT = "Yêu cầu bổ sung"
STATUS_OF = {IN_PROGRESS: DossierStatus.in_progress, SUPPLEMENT: DossierStatus.supplement_requested}
CSV_HEADER = ["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày hẹn trả mới", "Trạng thái",
              "Hình thức nộp", "Ghi chú"]
NOTIFICATION = re.compile(r"🔔 Hồ sơ (\S+).*?có cập nhật\.\s*Tình trạng mới: ([^\n]+?)\.\n", re.S)
ROUND_NOTE = re.compile(r"Bổ sung đợt (\d+)")
NEW_DUE = re.compile(r"Ngày hẹn trả mới: (\d{2}/\d{2}/\d{4})")


def vn_now() -> dt.datetime:
    return dt.datetime.now(VN_TZ).replace(tzinfo=None)


# -- statistics -------------------------------------------------------------------------------------


class Stats:
    """Per request kind: counts, errors, latencies (a `benchmarks.web.Run` each), by phase."""

    def __init__(self) -> None:
        self.phase = "warmup"
        self.runs: dict[str, dict[str, Run]] = defaultdict(lambda: defaultdict(Run))
        self.errors: Counter[str] = Counter()
        self.error_examples: dict[str, str] = {}
        self.requests = 0  # HTTP requests sent to the server, both phases (for --max-requests)

    def record(self, kind: str, status: int | str, latency: float) -> None:
        self.runs[self.phase][kind].record(status, latency)
        if status != 200:
            self.error(f"{kind}: {status}")

    def error(self, what: str, example: str = "") -> None:
        self.errors[f"{self.phase}: {what}"] += 1
        if example and what not in self.error_examples:
            self.error_examples[what] = example[:300]


# -- HTTP ---------------------------------------------------------------------------------------


class Connection(RawConnection):
    """benchmarks/web.py's keep-alive HTTP/1.1 connection on asyncio streams, timed: the load
    generator must not eat the server's CPU."""

    async def timed(self, path: str, payload: dict | bytes, headers: dict[str, str] | None = None
                    ) -> tuple[int | str, bytes, float]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        started = time.perf_counter()
        try:
            status, data = await asyncio.wait_for(self.send(path, body, headers), REQUEST_TIMEOUT)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            self.close()
            return exc.__class__.__name__, b"", time.perf_counter() - started
        return status, data, time.perf_counter() - started


# -- what the fake platforms received -------------------------------------------------------------


@dataclass
class Delivered:
    channel: str
    chat: str
    text: str
    at: float  # monotonic, when this process noticed it (20 ms resolution)


class Inbox:
    """Indexes what the fake Zalo and Telegram servers received, per chat, and wakes waiters."""

    def __init__(self, zalo: FakeZalo, telegram: FakeBotApi) -> None:
        self.zalo, self.telegram = zalo, telegram
        self.by_chat: dict[tuple[str, str], list[Delivered]] = defaultdict(list)
        self.notifications: list[Delivered] = []
        self._zalo_seen = 0
        self._telegram_seen = 0
        self._changed = asyncio.Condition()

    def _index(self, item: Delivered) -> None:
        self.by_chat[(item.channel, item.chat)].append(item)
        if item.text.startswith("🔔 Hồ sơ"):
            self.notifications.append(item)

    async def poll(self) -> None:
        now = time.monotonic()
        new = 0
        for sent in self.zalo.sent[self._zalo_seen:]:
            self._index(Delivered("zalo", str(sent.user_id), sent.text, now))
            new += 1
        self._zalo_seen += new
        calls = self.telegram.calls
        end = len(calls)
        for call in calls[self._telegram_seen:end]:
            if call.method == "sendMessage" and call.status == 200:
                raw = str(call.params.get("text", ""))
                shown = plain_text(raw) if call.params.get("parse_mode") == "HTML" else raw
                self._index(Delivered("telegram", str(call.params.get("chat_id")), shown, now))
                new += 1
        self._telegram_seen = end
        if new:
            async with self._changed:
                self._changed.notify_all()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.poll()
            await asyncio.sleep(0.02)

    def count(self, channel: str, chat: str) -> int:
        return len(self.by_chat[(channel, chat)])

    async def wait_reply(self, channel: str, chat: str, after: int, test: Callable[[str], bool],
                         timeout: float = REPLY_TIMEOUT) -> Delivered | None:
        """The first message to the chat beyond the first `after` that passes `test`."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                for item in self.by_chat[(channel, chat)][after:]:
                    if test(item.text):
                        return item
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), left)


# -- the import gate ------------------------------------------------------------------------------


class Gate:
    """Follow/unfollow operations share it; an import holds it alone, so the subscriptions read
    just before an import are exactly the ones the import sees."""

    def __init__(self) -> None:
        self._open = asyncio.Event()
        self._open.set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._inflight = 0

    @contextlib.asynccontextmanager
    async def shared(self) -> AsyncIterator[None]:
        await self._open.wait()
        self._inflight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._inflight -= 1
            if self._inflight == 0:
                self._idle.set()

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        self._open.clear()
        try:
            await self._idle.wait()
            yield
        finally:
            self._open.set()


# -- soak dossiers and imports ------------------------------------------------------------------------


@dataclass
class Dossiers:
    """The soak's own dossiers and what the last import made of them."""

    count: int
    base_due: dt.date  # new due date of round r = base_due + r days
    status: dict[str, str] = field(default_factory=dict)  # code -> Vietnamese export status
    new_due: dict[str, dt.date | None] = field(default_factory=dict)
    note: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i in range(self.count):
            code = self.code(i)
            self.status[code] = IN_PROGRESS if i % 2 == 0 else SUPPLEMENT
            self.new_due[code] = None
            self.note[code] = "" if i % 2 == 0 else "Bổ sung đợt 0"

    @staticmethod
    def code(i: int) -> str:
        return f"000.00.31.H32-261101-{i + 1:04d}"

    @property
    def codes(self) -> list[str]:
        return [self.code(i) for i in range(self.count)]

    def advance(self, round_no: int) -> list[tuple[str, DossierStatus]]:
        """Move half the dossiers to their next status for import round `round_no`."""
        changed = []
        for i in range(self.count):
            if i % 2 != round_no % 2:
                continue
            code = self.code(i)
            if self.status[code] == IN_PROGRESS:
                self.status[code], self.note[code] = SUPPLEMENT, f"Bổ sung đợt {round_no}"
            else:
                self.status[code], self.note[code] = IN_PROGRESS, ""
                self.new_due[code] = self.base_due + dt.timedelta(days=round_no)
            changed.append((code, STATUS_OF[self.status[code]]))
        return changed

    def write(self, path: Path, today: dt.date) -> None:
        received = dt.datetime.combine(today - dt.timedelta(days=10), dt.time(8, 0))
        due = today + dt.timedelta(days=20)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_HEADER)
            for i in range(self.count):
                code = self.code(i)
                new_due = self.new_due[code]
                writer.writerow([code, PROC, f"{received + dt.timedelta(minutes=i):%d/%m/%Y %H:%M}",
                                 f"{due:%d/%m/%Y}", f"{new_due:%d/%m/%Y}" if new_due else "", self.status[code],
                                 "Trực tiếp", self.note[code]])


def notification_key(item: Delivered, base_due: dt.date) -> tuple[str, str, str, str, int] | None:
    """(channel, chat, code, status label, round) of a delivered notification, None if unreadable."""
    match = NOTIFICATION.search(item.text + "\n")
    if match is None:
        return None
    code, label = match.group(1), match.group(2)
    if (note := ROUND_NOTE.search(item.text)) is not None:
        round_no = int(note.group(1))
    elif (due := NEW_DUE.search(item.text)) is not None:
        round_no = (dt.datetime.strptime(due.group(1), "%d/%m/%Y").date() - base_due).days
    else:
        return None
    return item.channel, item.chat, code, label, round_no


# -- database --------------------------------------------------------------------------------------


@dataclass
class Database:
    backend: str
    url: str  # what the workers and the importer get as DATABASE_URL
    drop: Callable[[], None]
    note: str = ""


def postgres_reachable(url: str) -> str | None:
    """None when the server answers, else why not."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:200]}"
    return None


def open_database(choice: str, tmp: Path) -> Database:
    url = os.environ.get("DATABASE_URL_TEST", "")
    if choice in ("auto", "postgres"):
        problem = "DATABASE_URL_TEST is not set" if not url else postgres_reachable(url)
        if problem is None:
            name = f"tthc_soak_{uuid.uuid4().hex[:10]}"
            admin = create_engine(url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            soak_url = make_url(url).set(database=name).render_as_string(hide_password=False)

            def drop() -> None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()

            return Database("postgresql", soak_url, drop, f"fresh database {name} (dropped afterwards)")
        message = (f"PostgreSQL is not available ({problem}). Start it with `source .ci/postgres.sh`, "
                   "or run with --database sqlite.")
        if choice == "postgres":
            raise SystemExit(f"soak: {message}")
        print(f"soak: {message}\nsoak: FALLING BACK TO SQLITE — the numbers below are not PostgreSQL's.",
              file=sys.stderr, flush=True)
    path = tmp / "soak.sqlite3"
    return Database("sqlite", f"sqlite:///{path}", lambda: None, f"temporary SQLite file {path}")


def read_subscriptions(engine: Engine) -> set[tuple[str, str, str]]:
    with engine.connect() as conn:
        return {(str(c), str(chat), str(code)) for code, c, chat in
                conn.execute(text("SELECT dossier_code, channel, chat_id FROM subscriptions"))}


def outbox_summary(engine: Engine) -> dict[str, dict[str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT channel, COUNT(*), SUM(CASE WHEN delivered_at IS NULL THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), MAX(attempts) FROM outbox GROUP BY channel")).all()
    return {str(channel): {"rows": int(n), "pending": int(pending or 0), "retried": int(retried or 0),
                           "max_attempts": int(top or 0)} for channel, n, pending, retried, top in rows}


def pending_push(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND channel IN ('zalo', 'telegram')")).scalar_one())


# -- the soak ---------------------------------------------------------------------------------------


@dataclass
class Expected:
    keys: dict[tuple[str, str, str, str, int], float] = field(default_factory=dict)  # key -> import end
    imports: list[dict[str, Any]] = field(default_factory=list)
    belief_mismatches: int = 0


class Soak:
    def __init__(self, args: argparse.Namespace, db: Database, tmp: Path, zalo: FakeZalo,
                 telegram: FakeBotApi) -> None:
        self.args = args
        self.db = db
        self.tmp = tmp
        self.zalo, self.telegram = zalo, telegram
        self.inbox = Inbox(zalo, telegram)
        self.stats = Stats()
        self.gate = Gate()
        self.rng = random.Random(args.seed)
        today = vn_now().date()
        self.today = today
        self.dossiers = Dossiers(args.dossiers, today + dt.timedelta(days=60))
        self.expected = Expected()
        self.beliefs: set[tuple[str, str, str]] = set()  # (channel, chat, code) confirmed by the bot
        self.web_subscribed: set[tuple[str, str]] = set()
        self.engine = create_engine(db.url)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.pids: list[int] = []
        self.samples: list[dict[str, Any]] = []
        self.stop = asyncio.Event()
        self.load_stop = asyncio.Event()
        self.round = 0
        self.soak_started = 0.0
        self.soak_seconds = 0.0
        self.telegram_secret = webhook_secret(Settings(telegram_token=TELEGRAM_TOKEN))
        self.update_ids = iter(range(1, 10**9))
        self.log = tmp / "server.log"
        self.injected: Counter[str] = Counter()

    # -- environment ---------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "ASSISTANT_"))
               and k != "DATABASE_URL"}
        access, refresh = self.zalo.initial
        env.update({
            "DATABASE_URL": self.db.url, "ASSISTANT_DATA_DIR": str(self.tmp / "data"), "ASSISTANT_DEMO": "1",
            "ASSISTANT_WEB_HOST": "127.0.0.1", "ASSISTANT_WEB_PORT": str(self.port), "PYTHONUNBUFFERED": "1",
            "ASSISTANT_HASH_SALT": "soak",
            "ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": APP_SECRET, "ZALO_OA_SECRET_KEY": OA_SECRET,
            "ZALO_ACCESS_TOKEN": access, "ZALO_REFRESH_TOKEN": refresh,
            "ZALO_API_BASE": self.zalo.api_base, "ZALO_OAUTH_BASE": self.zalo.api_base,
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_URL": f"{self.url}/telegram/webhook",
            "TELEGRAM_API_BASE": self.telegram.base_url,
        })
        return env

    def prepare(self) -> None:
        """Migrate, seed the demo dossiers, import the soak dossiers (round 0) with the real CLI."""
        (self.tmp / "data").mkdir(exist_ok=True)
        done = subprocess.run(
            [sys.executable, "-c", "from assistant.config import Settings;"
             "from assistant.app import build_assistant, open_database;"
             "from assistant.startup import seed_if_empty;"
             "s = Settings.from_env(); e = open_database(s); seed_if_empty(e, build_assistant(s, e))"],
            cwd=ROOT, env=self.env(), capture_output=True, timeout=180)
        if done.returncode != 0:
            raise RuntimeError("database preparation failed:\n" + done.stderr.decode()[-2000:])
        path = self.tmp / "import-000.csv"
        self.dossiers.write(path, self.today)
        done = self.import_file(path)
        if done.returncode != 0:
            raise RuntimeError("initial import failed:\n" + done.stderr.decode()[-2000:])

    def import_file(self, path: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "assistant", "dossier", "import", str(path)], cwd=ROOT,
                              env=self.env(), capture_output=True, timeout=300)

    async def start_server(self) -> None:
        command = [sys.executable, "-m", "uvicorn", "assistant.web.server:create_app_from_env", "--factory",
                   "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(WORKERS),
                   "--no-access-log", "--log-level", "warning", "--timeout-graceful-shutdown", "10"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env(), stdout=self.log.open("wb"),
                                        stderr=subprocess.STDOUT)
        await wait_ready(self.url, WORKERS, self.process, timeout=120)
        self.pids = await self.worker_pids()

    async def worker_pids(self) -> list[int]:
        """The worker processes: pids reported by /metrics, each a child of the uvicorn process."""
        pids: set[int] = set()
        deadline = time.monotonic() + 30
        while len(pids) < WORKERS and time.monotonic() < deadline:
            try:  # a new connection each time: it may land on any worker
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                data = await asyncio.wait_for(reader.read(), 5)
                writer.close()
                for line in data.decode(errors="replace").splitlines():
                    if line.startswith("tthc_process_id "):
                        pids.add(int(float(line.split()[1])))
            except (OSError, TimeoutError, ValueError):
                await asyncio.sleep(0.1)
        assert self.process is not None
        children = set()
        for pid in pids:
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{pid}/stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    children.add(pid)
        if len(children) < WORKERS:
            raise RuntimeError(f"found {len(children)} worker process(es) of {WORKERS} (pids from /metrics: {pids})")
        return sorted(children)

    async def stop_server(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            await asyncio.to_thread(self.process.wait, 30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait, 10)

    # -- actors ---------------------------------------------------------------------------------------

    def budget_left(self) -> bool:
        return not self.load_stop.is_set() and self.stats.requests < self.args.max_requests

    async def think(self, mean: float) -> bool:
        """Pause like a person reading; False once the load is over."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.load_stop.wait(), self.rng.expovariate(1 / mean))
        return self.budget_left()

    async def web_citizen(self, number: int) -> None:
        connection = Connection("127.0.0.1", self.port)
        sessions = 0
        try:
            while self.budget_left():
                sessions += 1
                session = f"soak-{number:04d}-{sessions:05d}"
                await self.web_session(connection, session, subscribe=(number + sessions) % 12 == 0)
        finally:
            connection.close()

    async def web_session(self, connection: Connection, session: str, subscribe: bool) -> None:
        rng = self.rng
        code = rng.choice(self.dossiers.codes if rng.random() < 0.6 else DEMO_CODES)
        script: list[tuple[str, dict[str, Any]]] = [
            ("web:question", {"text": rng.choice(QUESTIONS)}),
            ("web:facet", {}),
            ("web:follow-up", {"text": rng.choice(FOLLOW_UPS)}),
            ("web:facet", {}),
            ("web:dossier", {"text": f"ho so {code} den dau roi"}),
            ("web:question", {"text": rng.choice(QUESTIONS)}),
            ("web:follow-up", {"text": rng.choice(FOLLOW_UPS)}),
            ("web:smalltalk", {"text": "cam on"}),
        ]
        if subscribe:
            script.insert(5, ("web:subscribe", {"text": f"theo doi {code}"}))
        buttons: list[str] = []
        for kind, payload in script:
            if not await self.think(self.args.think):
                return
            if kind == "web:facet":
                facets = [b for b in buttons if b.startswith("f:")]
                payload = {"action": rng.choice(facets) if facets else f"f:p:{PROC}"}
            async with self.gate.shared() if kind == "web:subscribe" else contextlib.nullcontext():
                status, body, latency = await connection.timed("/api/chat", {"session_id": session, **payload})
            self.stats.requests += 1
            self.stats.record(kind, status, latency)
            if status != 200:
                continue
            try:
                reply = json.loads(body)
            except ValueError:
                self.stats.error(f"{kind}: unreadable JSON", body[:200].decode(errors="replace"))
                continue
            buttons = [b.get("action", "") for b in reply.get("buttons") or []]
            if kind in ("web:dossier", "web:subscribe") and reply.get("status") != "dossier":
                self.stats.error(f"{kind}: status {reply.get('status')}", reply.get("reply", ""))
            if kind == "web:subscribe" and (reply.get("data") or {}).get("dossier", {}).get("subscribed"):
                self.web_subscribed.add((session, code))

    async def platform_citizen(self, channel: str, chat: str) -> None:
        connection = Connection("127.0.0.1", self.port)
        mine: set[str] = set()
        try:
            while await self.think(self.args.platform_think):
                roll = self.rng.random()
                if roll < 0.6:
                    if mine and (len(mine) >= self.args.max_follows or self.rng.random() < 0.3):
                        code = self.rng.choice(sorted(mine))
                        async with self.gate.shared():
                            if await self.platform_turn(connection, channel, chat, f"hủy theo dõi {code}",
                                                        "unsubscribe", code):
                                mine.discard(code)
                                self.beliefs.discard((channel, chat, code))
                    else:
                        code = self.rng.choice(self.dossiers.codes)
                        async with self.gate.shared():
                            if await self.platform_turn(connection, channel, chat, f"theo dõi {code}",
                                                        "subscribe", code):
                                mine.add(code)
                                self.beliefs.add((channel, chat, code))
                elif roll < 0.85:
                    await self.platform_turn(connection, channel, chat, self.rng.choice(QUESTIONS), "question")
                else:
                    code = self.rng.choice(self.dossiers.codes)
                    await self.platform_turn(connection, channel, chat, f"ho so {code} sao roi", "dossier", code)
        finally:
            connection.close()

    async def platform_turn(self, connection: Connection, channel: str, chat: str, message: str, what: str,
                            code: str | None = None) -> bool:
        """Post one webhook and wait for the bot's reply at the fake platform. True when the reply
        confirms what was asked (for follow/unfollow) or arrived (otherwise)."""
        before = self.inbox.count(channel, chat)
        if channel == "zalo":
            event = {"app_id": APP_ID, "user_id_by_app": "3611371994410983884", "event_name": "user_send_text",
                     "timestamp": str(int(time.time() * 1000)), "sender": {"id": chat}, "recipient": {"id": OA_ID},
                     "message": {"text": message, "msg_id": secrets.token_hex(10)}}
            body = json.dumps(event, ensure_ascii=False).encode()
            headers = {SIGNATURE_HEADER: header_value(APP_ID, body, event["timestamp"], OA_SECRET)}
            path = "/zalo/webhook"
        else:
            update = {"update_id": next(self.update_ids), "message": {
                "message_id": self.rng.randrange(1, 10**9), "date": int(time.time()),
                "chat": {"id": int(chat), "type": "private", "first_name": "Dân"},
                "from": {"id": int(chat), "is_bot": False, "first_name": "Dân", "language_code": "vi"},
                "text": message}}
            body = json.dumps(update, ensure_ascii=False).encode()
            headers = {SECRET_HEADER: self.telegram_secret}
            path = "/telegram/webhook"
        started = time.perf_counter()
        status, _body, latency = await connection.timed(path, body, headers)
        self.stats.requests += 1
        self.stats.record(f"{channel}:webhook", status, latency)
        if status != 200:
            return False
        if what == "subscribe":
            def test(t: str) -> bool:
                return code in t and ("Đã đăng ký theo dõi" in t or "đã theo dõi hồ sơ" in t)
        elif what == "unsubscribe":
            def test(t: str) -> bool:
                return code in t and ("Đã hủy theo dõi" in t or "chưa theo dõi" in t)
        elif what == "dossier":
            def test(t: str) -> bool:
                return f"Hồ sơ {code}" in t and not t.startswith("🔔")
        else:
            def test(t: str) -> bool:
                return not t.startswith("🔔")
        reply = await self.inbox.wait_reply(channel, chat, before, test)
        kind = f"{channel}:{what}"
        if reply is None:
            self.stats.record(kind, "no reply", time.perf_counter() - started)
            return False
        self.stats.record(kind, 200, time.perf_counter() - started)
        return True

    # -- imports --------------------------------------------------------------------------------------

    async def importer(self) -> None:
        while not self.load_stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.load_stop.wait(), self.args.import_every)
            if self.load_stop.is_set():
                return
            await self.import_round()

    async def import_round(self) -> None:
        self.round += 1
        round_no = self.round
        async with self.gate.exclusive():
            subscribed = await asyncio.to_thread(read_subscriptions, self.engine)
            push = {s for s in subscribed if s[0] in ("zalo", "telegram")}
            mismatches = len(push ^ self.beliefs)
            if mismatches:
                self.expected.belief_mismatches += mismatches
                self.stats.error("subscriptions in the database differ from the bot's confirmations",
                                 f"round {round_no}: {sorted(push ^ self.beliefs)[:3]}")
                self.beliefs = set(push)  # the database is what the import reads
            path = self.tmp / f"import-{round_no:03d}.csv"
            changed = self.dossiers.advance(round_no)
            self.dossiers.write(path, self.today)
            started = time.perf_counter()
            done = await asyncio.to_thread(self.import_file, path)
            seconds = time.perf_counter() - started
            finished = time.monotonic()
            if self.args.faults > 0:  # hit the notifications themselves, not only replies
                self.zalo.fail_next(3, 503)
                self.telegram.fail("sendMessage", 429, retry_after=1)
                self.telegram.fail("sendMessage", 502, times=2)
                self.injected.update({"zalo 503": 3, "telegram 429": 1, "telegram 502": 2})
        out = done.stdout.decode(errors="replace").strip()
        record: dict[str, Any] = {"round": round_no, "seconds": round(seconds, 2), "returncode": done.returncode,
                                  "changed": len(changed), "summary": out.splitlines()[-1] if out else ""}
        if done.returncode != 0:
            self.stats.error("import failed", done.stderr.decode(errors="replace")[-300:])
            self.expected.imports.append(record)
            path.unlink(missing_ok=True)
            return
        followers: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for channel, chat, code in subscribed:
            followers[code].append((channel, chat))
        push_expected = 0
        for code, status in changed:
            for channel, chat in followers.get(code, ()):
                if channel in ("zalo", "telegram"):
                    self.expected.keys[(channel, chat, code, LABELS[status], round_no)] = finished
                    push_expected += 1
        all_expected = sum(len(followers.get(code, ())) for code, _ in changed)
        record.update(push_notifications=push_expected, all_notifications=all_expected)
        match = re.search(r"(\d+) lần đổi trạng thái, (\d+) thông báo chờ gửi", out)
        if match is None or int(match.group(1)) != len(changed) or int(match.group(2)) != all_expected:
            self.stats.error("import summary differs from what the soak changed",
                             f"round {round_no}: {out!r}; expected {len(changed)} changes, {all_expected} notifications")
        self.expected.imports.append(record)
        path.unlink(missing_ok=True)

    async def faults(self) -> None:
        """Now and then the fake platforms refuse a send: Zalo answers 503, Telegram 429 with a
        retry-after of 1 s or 502. Replies and notifications alike must survive (retries)."""
        while await self.think(1 / self.args.faults):
            roll = self.rng.random()
            if roll < 0.5:
                self.zalo.fail_next(1, 503)
            elif roll < 0.75:
                self.telegram.fail("sendMessage", 429, retry_after=1)
            else:
                self.telegram.fail("sendMessage", 502)
            self.injected[("zalo 503", "telegram 429", "telegram 502")[0 if roll < 0.5 else 1 if roll < 0.75 else 2]] += 1

    # -- memory ---------------------------------------------------------------------------------------

    def rss(self) -> dict[int, int]:
        """VmRSS in KiB of each worker still alive."""
        out = {}
        for pid in self.pids:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out[pid] = int(line.split()[1])
        return out

    def cpu_seconds(self) -> dict[int, float]:
        """User + system CPU seconds used so far by each worker still alive."""
        out = {}
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self.pids:
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                out[pid] = (int(fields[11]) + int(fields[12])) / tick
        return out

    async def sampler(self) -> None:
        started = time.monotonic()
        while not self.stop.is_set():
            self.samples.append({"t": round(time.monotonic() - started, 1), "phase": self.stats.phase,
                                 "rss_kib": self.rss(), "cpu_s": self.cpu_seconds(),
                                 "driver_cpu_s": round(time.process_time(), 2)})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), self.args.sample_every)

    def memory_report(self) -> dict[str, Any]:
        soak = [s for s in self.samples if s["phase"] == "soak"]
        out: dict[str, Any] = {"samples": len(soak), "workers": {}}
        if not soak:
            return out
        t0, t1 = soak[0]["t"], soak[-1]["t"]
        span = max(t1 - t0, 1e-9)
        out["driver_cpu_pct"] = round((soak[-1]["driver_cpu_s"] - soak[0]["driver_cpu_s"]) / span * 100, 1)
        for pid in self.pids:
            series = [(s["t"], s["rss_kib"][pid]) for s in soak if pid in s["rss_kib"]]
            if len(series) < 2:
                out["workers"][str(pid)] = {"alive_to_end": False}
                continue
            first = [v for t, v in series if t <= t0 + WINDOW] or [series[0][1]]
            last = [v for t, v in series if t >= t1 - WINDOW] or [series[-1][1]]
            start, end = statistics.fmean(first), statistics.fmean(last)
            out["workers"][str(pid)] = {
                "start_mib": round(start / 1024, 1), "end_mib": round(end / 1024, 1),
                "peak_mib": round(max(v for _, v in series) / 1024, 1),
                "growth_pct": round((end - start) / start * 100, 1),
                "alive_to_end": len(series) == len(soak),
                "cpu_pct": round((soak[-1]["cpu_s"].get(pid, 0) - soak[0]["cpu_s"].get(pid, 0)) / span * 100, 1)}
        return out

    # -- the run ------------------------------------------------------------------------------------

    async def run(self) -> dict[str, Any]:
        args = self.args
        print(f"soak: {self.db.backend}: {self.db.note}", flush=True)
        await asyncio.to_thread(self.prepare)
        await self.start_server()
        print(f"soak: {WORKERS} uvicorn workers up (pids {', '.join(map(str, self.pids))}), "
              f"warm-up {args.warmup:.0f} s, then {args.minutes:g} min", flush=True)
        background = [asyncio.create_task(self.inbox.run(self.stop), name="inbox"),
                      asyncio.create_task(self.sampler(), name="rss")]
        actors = [asyncio.create_task(self.web_citizen(i), name=f"web-{i}") for i in range(args.citizens)]
        actors += [asyncio.create_task(self.platform_citizen("zalo", f"soakzalo{i:04d}"), name=f"zalo-{i}")
                   for i in range(args.zalo_users)]
        actors += [asyncio.create_task(self.platform_citizen("telegram", str(700_000_000 + i)), name=f"tg-{i}")
                   for i in range(args.telegram_chats)]
        actors.append(asyncio.create_task(self.importer(), name="importer"))
        if args.faults > 0:
            actors.append(asyncio.create_task(self.faults(), name="faults"))
        try:
            await self.until(args.warmup)
            self.stats.phase = "soak"
            self.soak_started = time.perf_counter()
            await self.until(args.minutes * 60)
            self.soak_seconds = time.perf_counter() - self.soak_started
            self.stats.phase = "drain"
            self.load_stop.set()
            await asyncio.wait_for(asyncio.gather(*actors), REPLY_TIMEOUT + REQUEST_TIMEOUT + 330)
            drain = await self.drain()
            memory = self.memory_report()
            outbox = await asyncio.to_thread(outbox_summary, self.engine)
            server_alive = self.process is not None and self.process.poll() is None
        finally:
            self.load_stop.set()
            self.stop.set()
            for task in actors + background:
                task.cancel()
            await asyncio.gather(*actors, *background, return_exceptions=True)
            await self.stop_server()
            self.engine.dispose()
        return self.report(memory, outbox, drain, server_alive)

    async def until(self, seconds: float) -> None:
        """Wait `seconds`, or less when the request budget runs out or the server dies."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.stats.requests < self.args.max_requests:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the server exited (code {self.process.returncode}); see {self.log}")
            await asyncio.sleep(min(0.5, max(0.0, deadline - time.monotonic())))

    async def drain(self) -> dict[str, Any]:
        """Wait for the dispatchers to empty the Zalo/Telegram outbox, then a little longer for
        late duplicates."""
        started = time.monotonic()
        deadline = started + self.args.drain_timeout
        pending = await asyncio.to_thread(pending_push, self.engine)
        while pending and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            pending = await asyncio.to_thread(pending_push, self.engine)
        emptied = time.monotonic() - started
        await asyncio.sleep(self.args.linger)
        await self.inbox.poll()
        return {"pending_after": pending, "seconds_to_empty": round(emptied, 1), "web_pull": await self.web_pull()}

    async def web_pull(self) -> dict[str, int]:
        """Every session that subscribed opens the page again: pull, acknowledge, pull once more
        (which must come back empty). Counts ids pulled and ids offered again after their ack."""
        pulled: Counter[int] = Counter()
        offered_after_ack = 0
        async with httpx.AsyncClient(base_url=self.url, timeout=REQUEST_TIMEOUT) as http:
            for session in sorted({session for session, _ in self.web_subscribed}):
                acknowledged: set[int] = set()
                for _ in range(20):  # bounded: 20 notifications per pull
                    response = await http.get("/api/updates", params={"session_id": session})
                    ids = [n["id"] for n in response.json().get("notifications", [])]
                    offered_after_ack += sum(1 for i in ids if i in acknowledged)
                    if not ids:
                        break
                    pulled.update(ids)
                    await http.post("/api/updates/ack", json={"session_id": session, "ids": ids})
                    acknowledged.update(ids)
        return {"sessions": len({s for s, _ in self.web_subscribed}), "pulled": len(pulled),
                "offered_after_ack": offered_after_ack}

    # -- report ---------------------------------------------------------------------------------------

    def report(self, memory: dict[str, Any], outbox: dict[str, Any], drain: dict[str, Any],
               server_alive: bool) -> dict[str, Any]:
        runs = self.stats.runs["soak"]
        seconds = self.soak_seconds or 1.0
        kinds = {kind: {**run.summary(), "rps": round(run.requests / seconds, 2)} for kind, run in sorted(runs.items())}
        http_kinds = [k for k in runs if k.startswith("web:") or k.endswith(":webhook")]
        http_requests = sum(runs[k].requests for k in http_kinds)

        delivered: Counter[tuple[str, str, str, str, int]] = Counter()
        unreadable = 0
        delays = []
        for item in self.inbox.notifications:
            key = notification_key(item, self.dossiers.base_due)
            if key is None:
                unreadable += 1
                continue
            if delivered[key] == 0 and key in self.expected.keys:
                delays.append(item.at - self.expected.keys[key])
            delivered[key] += 1
        expected = set(self.expected.keys)
        lost = sorted(expected - set(delivered))
        unexpected = sorted(set(delivered) - expected)
        duplicated = {k: n for k, n in delivered.items() if n > 1}
        delays.sort()

        def pct(values: list[float], p: float) -> float | None:
            return round(values[min(len(values) - 1, int(p / 100 * len(values)))], 2) if values else None

        by_channel = {channel: {"expected": sum(1 for k in expected if k[0] == channel),
                                "delivered_unique": sum(1 for k in delivered if k[0] == channel and k in expected)}
                      for channel in ("zalo", "telegram")}
        notifications = {
            "expected": len(expected), "delivered": sum(delivered.values()),
            "delivered_unique_expected": len(expected & set(delivered)), "lost": len(lost),
            "duplicated": sum(n - 1 for n in duplicated.values()), "unexpected": len(unexpected),
            "unreadable": unreadable, "by_channel": by_channel,
            "delay_after_import_s": {"p50": pct(delays, 50), "p99": pct(delays, 99),
                                     "max": round(delays[-1], 2) if delays else None},
            "lost_examples": [list(k) for k in lost[:5]], "duplicated_examples": [[*k, n] for k, n in
                                                                                 list(duplicated.items())[:5]],
            "unexpected_examples": [list(k) for k in unexpected[:5]],
            "subscription_mismatches_before_imports": self.expected.belief_mismatches,
        }
        web_outbox = outbox.get("web", {})
        errors = {k: v for k, v in self.stats.errors.items() if not k.startswith("warmup")}
        growths = [w["growth_pct"] for w in memory["workers"].values() if "growth_pct" in w]
        verdicts = {
            "rss_flat_within_10pct": bool(growths) and all(abs(g) <= TARGET_RSS_GROWTH_PCT for g in growths)
            and all(w.get("alive_to_end") for w in memory["workers"].values()),
            "no_lost_notifications": not lost and drain["pending_after"] == 0 and bool(expected)
            and web_outbox.get("pending", 0) == 0,
            "no_duplicated_notifications": not duplicated and not unexpected
            and drain["web_pull"]["offered_after_ack"] == 0,
            "no_errors": not errors and server_alive,
        }
        return {
            "benchmark": "soak", "at": time.strftime("%Y-%m-%dT%H:%M:%S"), "python": platform.python_version(),
            "machine": platform.machine(), "cpus": os.cpu_count(),
            "database": self.db.backend,
            "settings": {k: v for k, v in vars(self.args).items() if k != "json"},
            "soak_seconds": round(seconds, 1), "workers": self.pids,
            "throughput": {"http_requests": http_requests, "rps": round(http_requests / seconds, 1),
                           "warmup_http_requests": sum(r.requests for r in self.stats.runs["warmup"].values())},
            "kinds": kinds, "errors": errors, "error_examples": self.stats.error_examples,
            "memory": memory, "rss_samples": self.samples, "imports": self.expected.imports, "notifications": notifications,
            "outbox": outbox, "drain": drain,
            "web_subscriptions": {"confirmed": len(self.web_subscribed), "outbox_rows": web_outbox.get("rows", 0),
                                  "pulled": drain["web_pull"]["pulled"],
                                  "offered_after_ack": drain["web_pull"]["offered_after_ack"],
                                  "outbox_undelivered": web_outbox.get("pending", 0)},
            "faults_injected": dict(self.injected),
            "server_alive_at_end": server_alive, "verdicts": verdicts,
        }


def print_report(r: dict[str, Any]) -> None:
    print(f"\nSoak: {r['soak_seconds']:.0f} s of mixed load, {len(r['workers'])} uvicorn workers, {r['database']}, "
          f"{r['cpus']} CPU(s); {r['throughput']['http_requests']} HTTP requests = {r['throughput']['rps']} req/s")
    print(f"{'kind':<20} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>6}")
    for kind, k in r["kinds"].items():
        print(f"{kind:<20} {k['requests']:>7} {k['rps']:>7.2f} {k['p50_ms']:>8.1f} {k['p99_ms']:>8.1f} "
              f"{k['max_ms']:>8.1f} {k['errors']:>6}")
    print("(web:* and *:webhook are single HTTP requests; zalo:/telegram: subscribe, question, ... are the time "
          "from the webhook to the bot's reply at the fake platform)")
    if r["errors"]:
        print("errors:")
        for what, n in sorted(r["errors"].items(), key=lambda kv: -kv[1]):
            print(f"  {n:>5}  {what}")
        for what, example in r["error_examples"].items():
            print(f"  e.g. {what}: {example!r}")
    print("\nworker RSS (MiB)   start    end   peak  growth   CPU")
    for pid, w in r["memory"]["workers"].items():
        if "growth_pct" in w:
            print(f"  pid {pid:<12} {w['start_mib']:>6.1f} {w['end_mib']:>6.1f} {w['peak_mib']:>6.1f} "
                  f"{w['growth_pct']:>+6.1f}% {w['cpu_pct']:>4.0f}%{'' if w['alive_to_end'] else '  (restarted?)'}")
        else:
            print(f"  pid {pid:<12} not sampled to the end")
    print(f"  (CPU: share of one core during the soak; this load generator and the fakes: "
          f"{r['memory'].get('driver_cpu_pct', 0):.0f}%)")
    n = r["notifications"]
    imports = r["imports"]
    print(f"\nimports: {len(imports)} (real CLI, {sum(i['changed'] for i in imports)} status changes, "
          f"{statistics.fmean([i['seconds'] for i in imports]) if imports else 0:.1f} s each)")
    print(f"notifications: expected {n['expected']} (zalo {n['by_channel']['zalo']['expected']}, telegram "
          f"{n['by_channel']['telegram']['expected']}), delivered {n['delivered']}, lost {n['lost']}, "
          f"duplicated {n['duplicated']}, unexpected {n['unexpected']}, unreadable {n['unreadable']}")
    d = n["delay_after_import_s"]
    print(f"  delivery after the import finished: p50 {d['p50']} s, p99 {d['p99']} s, max {d['max']} s; "
          f"outbox pending after drain: {r['drain']['pending_after']} ({r['drain']['seconds_to_empty']} s)")
    if r["faults_injected"]:
        print(f"faults injected at the fake platforms: {r['faults_injected']}; outbox rows retried: "
              f"{ {c: o['retried'] for c, o in r['outbox'].items()} }")
    w = r["web_subscriptions"]
    print(f"web subscriptions: {w['confirmed']} confirmed; {w['outbox_rows']} 'web' outbox rows, pulled by the "
          f"returning pages {w['pulled']}, left {w['outbox_undelivered']}, offered again after ack "
          f"{w['offered_after_ack']}")
    v = r["verdicts"]
    print()
    print(f"  RSS flat within {TARGET_RSS_GROWTH_PCT:.0f}%:       {'OK' if v['rss_flat_within_10pct'] else 'MISSED'}")
    print(f"  zero lost notifications:   {'OK' if v['no_lost_notifications'] else 'MISSED'}")
    print(f"  zero duplicated:           {'OK' if v['no_duplicated_notifications'] else 'MISSED'}")
    print(f"  zero errors:               {'OK' if v['no_errors'] else 'MISSED'}")


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="tthc-soak-"))
    db: Database | None = None
    try:
        db = open_database(args.database, tmp)
        async with FakeZalo() as zalo, FakeBotApi() as telegram:
            soak = Soak(args, db, tmp, zalo, telegram)
            try:
                return await soak.run()
            except BaseException:
                with contextlib.suppress(OSError):
                    tail = soak.log.read_text(errors="replace")[-3000:]
                    if tail.strip():
                        print(f"--- server log (tail) ---\n{tail}", file=sys.stderr)
                raise
    finally:
        if db is not None:
            try:
                db.drop()
            except Exception as exc:
                print(f"soak: could not drop the soak database: {exc}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=3.0, help="length of the measured soak (default 3)")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds of load before measuring (default 20)")
    parser.add_argument("--database", choices=["auto", "postgres", "sqlite"], default="auto",
                        help="auto: PostgreSQL when DATABASE_URL_TEST answers, else SQLite with a warning")
    parser.add_argument("--citizens", type=int, default=150, help="concurrent web citizens (default 150)")
    parser.add_argument("--think", type=float, default=1.0, help="web citizens' mean pause between turns (s)")
    parser.add_argument("--zalo-users", type=int, default=25, help="Zalo citizens (default 25)")
    parser.add_argument("--telegram-chats", type=int, default=25, help="Telegram citizens (default 25)")
    parser.add_argument("--platform-think", type=float, default=6.0, help="their mean pause between messages (s)")
    parser.add_argument("--max-follows", type=int, default=5, help="dossiers one Zalo/Telegram chat follows at most")
    parser.add_argument("--dossiers", type=int, default=200, help="soak dossiers the imports change (default 200)")
    parser.add_argument("--import-every", type=float, default=15.0, help="seconds between imports (default 15)")
    parser.add_argument("--sample-every", type=float, default=3.0, help="seconds between RSS samples (default 3)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop the load after this many requests")
    parser.add_argument("--drain-timeout", type=float, default=60.0, help="wait this long for the outbox to empty")
    parser.add_argument("--linger", type=float, default=5.0, help="then this long for late duplicates")
    parser.add_argument("--faults", type=float, default=0.0,
                        help="platform send failures injected per second (503/429/502; default 0: none)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args()
    if args.minutes <= 0 or args.minutes > 120:
        parser.error("--minutes must be in (0, 120]")
    try:
        result = asyncio.run(main_async(args))
    except KeyboardInterrupt:
        print("soak: interrupted", file=sys.stderr)
        return 130
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        print("soak: FAILED (the script itself, not a target)", file=sys.stderr)
        return 1
    print_report(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
