"""Dossier benchmarks: CSV import throughput and status-card latency at 1,000,000 dossiers.

    python benchmarks/dossiers.py [--import-rows 100000] [--dossiers 1000000] [--lookups 5000]

- import: a one-stop export of `--import-rows` rows imported into a fresh SQLite file (parse,
  validate, write, status events), then re-imported unchanged, then re-imported with 10% of the
  statuses changed and subscribers to notify. Target: >= 20,000 rows/s into SQLite.
- lookup: `DossierDesk.lookup` (the whole status card: indexed read, subscription check,
  working-day arithmetic, Vietnamese text) on a database of `--dossiers` dossiers filled with
  bulk inserts, p50/p99 over `--lookups` random codes. Target: p99 <= 2 ms in SQLite.
- The same on PostgreSQL when DATABASE_URL_TEST is set (`source .ci/postgres.sh`), in a private
  schema that is dropped afterwards, so a shared test server is left as it was.

Prints a table and writes benchmarks/results/dossiers.json.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, text  # noqa: E402

from assistant.catalog.loader import load_catalog  # noqa: E402
from assistant.config import DEFAULT_CATALOG_DIR, Settings  # noqa: E402
from assistant.dialogue.conversation import Requester  # noqa: E402
from assistant.dossiers.desk import DossierDesk, LookupLimits, UnknownCodeThrottle  # noqa: E402
from assistant.dossiers.importer import ProcedureIndex, import_dossiers  # noqa: E402
from assistant.store import Subscriptions, make_engine, upgrade  # noqa: E402

STATUSES = ["received", "in_progress", "supplement_requested", "resolved_on_time", "returned"]
VN_STATUSES = ["Đã tiếp nhận", "Đang giải quyết", "Yêu cầu bổ sung", "Đã giải quyết đúng hạn", "Đã trả kết quả"]
NOW = dt.datetime(2026, 11, 23, 10, 0)


def code(i: int) -> str:
    """Distinct realistic codes: agency varies in the millions, date in the tens of thousands."""
    return f"000.{i // 10_000_000 % 100:02d}.{i // 100_000 % 100:02d}.H32-2611{i // 10_000 % 10:02d}-{i % 10_000:04d}"


def write_csv(path: Path, n: int, procedures: list[str], shift: int = 0) -> None:
    """An export as one-stop systems write it; `shift` moves every 10th status one step on."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Hình thức nộp",
                         "Ghi chú"])
        start = dt.datetime(2026, 9, 1, 7, 30)
        for i in range(n):
            received = start + dt.timedelta(days=i % 90, minutes=(i * 7) % 600)  # minute resolution
            due = received.date() + dt.timedelta(days=3 + i % 10)
            status = VN_STATUSES[(i + (shift if i % 10 == 0 else 0)) % len(VN_STATUSES)]
            writer.writerow([code(i), procedures[i % len(procedures)], f"{received:%d/%m/%Y %H:%M}",
                             f"{due:%d/%m/%Y}", status, "Trực tuyến toàn trình", ""])


def timed(func: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def bench_import(engine: Engine, n: int, procedures: list[str], tmp: Path) -> dict:
    index = ProcedureIndex.of_ids(procedures)
    path, changed = tmp / "export.csv", tmp / "export-changed.csv"
    write_csv(path, n, procedures)
    write_csv(changed, n, procedures, shift=1)
    first, report = timed(lambda: import_dossiers(engine, path, procedures=index, now=NOW))
    again, _ = timed(lambda: import_dossiers(engine, path, procedures=index, now=NOW))
    subs = Subscriptions(engine)
    for i in range(0, n, 100):  # one dossier in a hundred is followed
        subs.add(code(i), "telegram", str(i))
    update, changes = timed(lambda: import_dossiers(engine, changed, procedures=index, now=NOW))
    return {"rows": report.rows, "seconds": round(first, 2), "rows_per_s": round(n / first),
            "reimport_unchanged_rows_per_s": round(n / again),
            "reimport_10pct_changed_rows_per_s": round(n / update),
            "status_changes": changes.status_changes, "notifications": changes.notifications}


def fill(engine: Engine, n: int, procedures: list[str]) -> float:
    """n dossiers as fast as the backend takes them (COPY on PostgreSQL, executemany on SQLite)."""
    start = time.perf_counter()
    cols = "code, procedure_id, locality, received_at, channel, due_date, status, result_delivery, updated_at"
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur, cur.copy(f"COPY dossiers ({cols}) FROM STDIN") as copy:
                for i in range(n):
                    copy.write_row((code(i), procedures[i % len(procedures)], "khanh-vinh", NOW, "online_full",
                                    dt.date(2026, 11, 27), STATUSES[i % len(STATUSES)], "counter", NOW))
            raw.commit()
        finally:
            raw.close()
        with engine.begin() as conn:
            conn.execute(text("ANALYZE dossiers"))
    else:
        stamp, due = NOW.isoformat(" ", "microseconds"), "2026-11-27"
        sql = f"INSERT INTO dossiers ({cols}) VALUES (?,?,?,?,?,?,?,?,?)"
        with engine.begin() as conn:
            for start_i in range(0, n, 100_000):
                conn.exec_driver_sql(sql, [(code(i), procedures[i % len(procedures)], "khanh-vinh", stamp,
                                            "online_full", due, STATUSES[i % len(STATUSES)], "counter", stamp)
                                           for i in range(start_i, min(n, start_i + 100_000))])
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - start


def bench_lookup(engine: Engine, n: int, lookups: int, catalog) -> dict:
    unlimited = dataclasses.replace(Settings(), lookups_per_session=10**9, lookups_per_address=10**9)
    desk = DossierDesk(engine, catalog, throttle=UnknownCodeThrottle(limit=10**9),
                       limits=LookupLimits.from_settings(unlimited))  # measures the lookup, counting included
    rng = random.Random(3)
    codes = [code(rng.randrange(n)) for _ in range(lookups)]
    who = Requester("bench", "1")
    for c in codes[:200]:  # warm the caches a running bot would have warm
        desk.lookup(c, who, NOW)
    samples = []
    for c in codes:
        start = time.perf_counter()
        reply = desk.lookup(c, who, NOW)
        samples.append((time.perf_counter() - start) * 1000)
        assert "Tình trạng:" in reply.text, reply.text
    samples.sort()
    return {"dossiers": n, "lookups": lookups, "p50_ms": round(statistics.median(samples), 3),
            "p99_ms": round(samples[int(len(samples) * 0.99)], 3), "max_ms": round(samples[-1], 3)}


def postgres_engine(url: str) -> tuple[Engine, Callable[[], None]]:
    """An engine on a private schema of the server, and how to drop it."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})

    def drop() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return engine, drop


def run_backend(name: str, make: Callable[[], tuple[Engine, Callable[[], None]]], args, catalog,
                procedures: list[str], tmp: Path) -> dict:
    result: dict = {}
    engine, done = make()
    try:
        upgrade(engine)
        result["import"] = bench_import(engine, args.import_rows, procedures, tmp)
    finally:
        done()
    engine, done = make()
    try:
        upgrade(engine)
        result["fill_seconds"] = round(fill(engine, args.dossiers, procedures), 1)
        result["lookup"] = bench_lookup(engine, args.dossiers, args.lookups, catalog)
    finally:
        done()
    print(f"  {name}: done", file=sys.stderr)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=5_000)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "dossiers.json")
    args = parser.parse_args()
    catalog = load_catalog(DEFAULT_CATALOG_DIR, "khanh-hoa")
    procedures = sorted(catalog.procedures)
    results: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                 "platform": platform.platform()}}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        counter = iter(range(100))

        def sqlite() -> tuple[Engine, Callable[[], None]]:
            engine = make_engine(f"sqlite:///{tmp / f'bench-{next(counter)}.sqlite3'}")
            return engine, engine.dispose

        results["sqlite"] = run_backend("SQLite", sqlite, args, catalog, procedures, tmp)
        url = os.environ.get("DATABASE_URL_TEST")
        if url:
            results["postgresql"] = run_backend("PostgreSQL", lambda: postgres_engine(url), args, catalog,
                                                procedures, tmp)
        else:
            print("PostgreSQL skipped: DATABASE_URL_TEST is not set (source .ci/postgres.sh)", file=sys.stderr)

    rows = [("backend", "import rows/s", "re-import unchanged", "re-import 10% changed",
             f"lookup p50 ms @{args.dossiers:,}", "lookup p99 ms")]
    for backend in ("sqlite", "postgresql"):
        if backend in results:
            r = results[backend]
            rows.append((backend, f"{r['import']['rows_per_s']:,}", f"{r['import']['reimport_unchanged_rows_per_s']:,}",
                         f"{r['import']['reimport_10pct_changed_rows_per_s']:,}", f"{r['lookup']['p50_ms']}",
                         f"{r['lookup']['p99_ms']}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    print("targets: import >= 20,000 rows/s into SQLite; lookup p99 <= 2 ms in SQLite")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
