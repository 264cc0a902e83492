"""Dossier benchmarks: CSV import throughput and lookup latency by code at 1,000,000 dossiers.

Usage: python benchmarks/dossiers.py [--import-rows 100000] [--dossiers 1000000] [--lookups 5000]
PostgreSQL is measured too when DATABASE_URL_TEST is set (source .ci/postgres.sh).
Targets: import >= 20,000 rows/s into SQLite; lookup p99 <= 2 ms in SQLite.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from assistant.catalog.loader import load_catalog  # noqa: E402
from assistant.config import DEFAULT_CATALOG_DIR  # noqa: E402
from assistant.dialogue.conversation import Requester  # noqa: E402
from assistant.dossiers.desk import DossierDesk, UnknownCodeThrottle  # noqa: E402
from assistant.dossiers.importer import import_dossiers  # noqa: E402
from assistant.store import make_engine, upgrade  # noqa: E402
from assistant.store.models import Base, Dossier  # noqa: E402

STATUSES = ["received", "in_progress", "supplement_requested", "resolved_on_time", "returned"]
VN_STATUSES = ["Đã tiếp nhận", "Đang giải quyết", "Yêu cầu bổ sung", "Đã giải quyết đúng hạn", "Đã trả kết quả"]


def code(i: int) -> str:
    return f"000.{i // 10_000_000 % 100:02d}.{i // 100_000 % 100:02d}.H32-2611{i // 10_000 % 10:02d}-{i % 10_000:04d}"


def write_csv(path: Path, n: int, procedures: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Hình thức nộp"])
        start = dt.datetime(2026, 9, 1, 7, 30)
        for i in range(n):
            # Realistic spread: receipts over three months at minute resolution.
            received = start + dt.timedelta(days=i % 90, minutes=(i * 7) % 600)
            due = received.date() + dt.timedelta(days=3 + i % 10)
            writer.writerow([code(i), procedures[i % len(procedures)], f"{received:%d/%m/%Y %H:%M}", f"{due:%d/%m/%Y}",
                             VN_STATUSES[i % len(VN_STATUSES)], "Trực tuyến toàn trình"])


def bench_import(n: int, procedures: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        write_csv(path, n, procedures)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'import.sqlite3'}")
        upgrade(engine)
        start = time.perf_counter()
        report = import_dossiers(engine, path, known_procedures=set(procedures))
        first = time.perf_counter() - start
        start = time.perf_counter()
        import_dossiers(engine, path, known_procedures=set(procedures))  # re-import: all updates
        again = time.perf_counter() - start
        engine.dispose()
    return {"rows": report.rows, "seconds": round(first, 2), "rows_per_s": round(n / first),
            "reimport_rows_per_s": round(n / again)}


def fill(engine, n: int, procedures: list[str]) -> float:
    """Bulk-insert n dossiers as fast as the backend allows (COPY on PostgreSQL)."""
    now = dt.datetime(2026, 11, 23, 9)
    start = time.perf_counter()
    rows = ((code(i), procedures[i % len(procedures)], "khanh-vinh", now, "online_full", dt.date(2026, 11, 27),
             STATUSES[i % len(STATUSES)], "counter", now) for i in range(n))
    cols = "code, procedure_id, locality, received_at, channel, due_date, status, result_delivery, updated_at"
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur, cur.copy(f"COPY dossiers ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
    else:
        with engine.begin() as conn:
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == 50_000:
                    conn.exec_driver_sql(f"INSERT INTO dossiers ({cols}) VALUES (?,?,?,?,?,?,?,?,?)", batch)
                    batch = []
            if batch:
                conn.exec_driver_sql(f"INSERT INTO dossiers ({cols}) VALUES (?,?,?,?,?,?,?,?,?)", batch)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE dossiers"))
    return time.perf_counter() - start


def bench_lookup(engine, n: int, lookups: int, catalog) -> dict:
    desk = DossierDesk(engine, lambda: catalog, throttle=UnknownCodeThrottle(limit=10**9))
    rng = random.Random(3)
    codes = [code(rng.randrange(n)) for _ in range(lookups)]
    now = dt.datetime(2026, 11, 23, 10)
    who = Requester("bench", "1")
    for c in codes[:50]:
        desk.lookup(c, who, now)
    samples = []
    for c in codes:
        start = time.perf_counter()
        reply = desk.lookup(c, who, now)
        samples.append((time.perf_counter() - start) * 1000)
        assert "Tình trạng" in reply.text
    samples.sort()
    return {"dossiers": n, "lookups": lookups, "p50_ms": round(statistics.median(samples), 3),
            "p99_ms": round(samples[int(len(samples) * 0.99)], 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=5_000)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "dossiers.json")
    args = parser.parse_args()
    catalog = load_catalog(DEFAULT_CATALOG_DIR, "khanh-vinh")
    procedures = sorted(catalog.procedures)
    result: dict = {}

    result["import_sqlite"] = imp = bench_import(args.import_rows, procedures)
    print(f"CSV import into SQLite: {imp['rows']} rows in {imp['seconds']} s = {imp['rows_per_s']:,} rows/s "
          f"(re-import {imp['reimport_rows_per_s']:,} rows/s; target >= 20,000)")

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'lookup.sqlite3'}")
        upgrade(engine)
        took = fill(engine, args.dossiers, procedures)
        print(f"filled SQLite with {args.dossiers:,} dossiers in {took:.1f} s")
        result["lookup_sqlite"] = lk = bench_lookup(engine, args.dossiers, args.lookups, catalog)
        print(f"lookup by code, SQLite, {args.dossiers:,} dossiers: p50 {lk['p50_ms']} ms, p99 {lk['p99_ms']} ms "
              "(full status card; target p99 <= 2 ms)")
        engine.dispose()

    url = os.environ.get("DATABASE_URL_TEST")
    if url:
        engine = make_engine(url)
        with engine.begin() as conn:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(engine)
        took = fill(engine, args.dossiers, procedures)
        print(f"filled PostgreSQL with {args.dossiers:,} dossiers in {took:.1f} s")
        result["lookup_postgresql"] = lk = bench_lookup(engine, args.dossiers, args.lookups, catalog)
        print(f"lookup by code, PostgreSQL, {args.dossiers:,} dossiers: p50 {lk['p50_ms']} ms, p99 {lk['p99_ms']} ms")
        with engine.begin() as conn:
            conn.execute(Dossier.__table__.delete())
        engine.dispose()
    else:
        print("PostgreSQL skipped: DATABASE_URL_TEST is not set (source .ci/postgres.sh)")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
