"""Findings 6 and 7: every dossier lookup counts, strictly per chat/session and generously per
client address; the counters live in the database, so two workers (two desks, two engines on
one database here) share them; a burst is logged on `assistant.alerts` and counted as a metric.

Before the fix only misses were throttled (existing codes could be harvested by rotating
sessions), 30 misses from one address locked out every new session behind it, and each process
counted on its own."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from assistant.config import Settings
from assistant.dialogue.conversation import Requester
from assistant.dossiers.desk import DossierDesk, LookupLimits
from assistant.store import make_engine
from tests.dossiers.test_desk import NOW, _add

OFFICE = "203.0.113.7"  # a commune office: many honest citizens behind one address


def _desk(engine, catalog, alerts=None, **limits) -> DossierDesk:
    settings = dataclasses.replace(Settings(), **limits)
    return DossierDesk(engine, catalog, limits=LookupLimits.from_settings(settings),
                       on_burst=(lambda what, scope: alerts.append((what, scope))) if alerts is not None else None)


def _found(reply) -> bool:
    return bool(reply.data["dossier"].get("found")) and not reply.data["dossier"].get("throttled")


def test_existing_codes_cannot_be_harvested_by_rotating_sessions(engine, small_catalog, caplog):
    codes = [_add(engine, seq, "in_progress") for seq in range(1, 41)]
    alerts: list[tuple[str, str]] = []
    desk = _desk(engine, small_catalog, alerts, lookups_per_address=25)
    with caplog.at_level(logging.WARNING, logger="assistant.alerts"):
        replies = [desk.lookup(code, Requester("web", f"rotating-{i:03d}", origin=OFFICE), NOW)
                   for i, code in enumerate(codes)]
    assert sum(map(_found, replies)) == 25  # then the address waits, even for existing codes
    assert all("Vui lòng đợi" in r.text and "Hồ sơ 000" not in r.text for r in replies[25:])
    assert alerts == [("lookups", "address")]  # once per burst, not once per refused lookup
    (record,) = [r for r in caplog.records if r.name == "assistant.alerts"]
    assert "burst of dossier lookups" in record.getMessage() and OFFICE not in record.getMessage()
    other = Requester("web", "elsewhere", origin="198.51.100.1")
    assert _found(desk.lookup(codes[0], other, NOW))


def test_one_session_cannot_harvest_existing_codes(engine, small_catalog):
    codes = [_add(engine, seq, "received") for seq in range(1, 31)]
    desk = _desk(engine, small_catalog, lookups_per_session=20)
    me = Requester("telegram", "4242")
    replies = [desk.lookup(code, me, NOW) for code in codes]
    assert sum(map(_found, replies)) == 20 and replies[-1].data["dossier"]["throttled"]


def test_one_abuser_does_not_lock_out_the_office(engine, small_catalog):
    real = _add(engine, 7, "received")
    desk = _desk(engine, small_catalog)
    for i in range(30):  # what locked out everyone behind the address before
        desk.lookup(f"000.00.10.H32-261120-{9000 + i}", Requester("web", f"prober-{i}", origin=OFFICE), NOW)
    citizen = Requester("web", "honest-citizen", origin=OFFICE)
    assert _found(desk.lookup(real, citizen, NOW))
    prober = Requester("web", "one-prober", origin=OFFICE)
    for i in range(5):
        desk.lookup(f"000.00.10.H32-261120-{9500 + i}", prober, NOW)
    assert desk.lookup(real, prober, NOW).data["dossier"]["throttled"]  # strict per session
    assert _found(desk.lookup(real, Requester("web", "another-citizen", origin=OFFICE), NOW))


def test_limits_hold_across_workers(tmp_path, sqlite_engine, small_catalog):
    """Two workers: two desks with their own engines on one database file."""
    real = _add(sqlite_engine, 8, "received")
    other_engine = make_engine(str(sqlite_engine.url))
    try:
        workers = [_desk(sqlite_engine, small_catalog), _desk(other_engine, small_catalog)]
        me = Requester("zalo", "user-1")
        for i in range(5):  # 3 misses on one worker, 2 on the other: 5 in all
            workers[i % 2].lookup(f"000.00.10.H32-261120-{9100 + i}", me, NOW)
        assert all(w.lookup(real, me, NOW).data["dossier"]["throttled"] for w in workers)
    finally:
        other_engine.dispose()


def test_bursts_reach_the_metrics(shipped_catalog, tmp_path, sqlite_engine):
    import httpx

    from assistant.app import attach_database
    from assistant.core import Assistant
    from tests.web.conftest import start_server

    settings = dataclasses.replace(Settings(), locality="khanh-vinh", data_dir=tmp_path, lookups_per_address=3)
    assistant = Assistant(shipped_catalog, settings)
    attach_database(assistant, sqlite_engine)
    live = start_server(settings, assistant, sqlite_engine)
    try:
        with httpx.Client(base_url=live.url, timeout=10) as http:
            for i in range(5):
                http.post("/api/chat", json={"session_id": f"session-{i:04d}", "text": "000.00.10.H32-261120-0001"})
            metrics = http.get("/metrics").text
        assert 'tthc_throttle_bursts_total{what="lookups",scope="address"} 1' in metrics
    finally:
        live.stop()


def test_throttle_windows_pass(engine, small_catalog):
    """The counters are time buckets: when the window has passed, the session may look up again."""
    real = _add(engine, 9, "received")
    desk = _desk(engine, small_catalog)
    clock = [dt.datetime(2026, 11, 23, 10, 0).timestamp()]
    desk.counters.clock = lambda: clock[0]
    me = Requester("telegram", "77")
    for i in range(5):
        desk.lookup(f"000.00.10.H32-261120-{9200 + i}", me, NOW)
    blocked = desk.lookup(real, me, NOW)
    assert blocked.data["dossier"]["throttled"] and blocked.data["dossier"]["retry_after_minutes"] == 10
    clock[0] += 601
    assert _found(desk.lookup(real, me, NOW))
