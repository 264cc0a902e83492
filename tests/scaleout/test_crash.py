"""A worker killed while sending a notification: the notification still arrives, exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.store import Outbox, Subscriptions
from assistant.store.models import OutboxRow
from tests.scaleout.harness import Worker, import_in_process, start_all, wait_all, wait_until

pytestmark = pytest.mark.postgres

CODE = "000.00.10.H32-261120-0201"
USER = "8841997300001234567"
LEASE_SECONDS = "5"  # ASSISTANT_OUTBOX_CLAIM_SECONDS: a dead worker's claim expires after 5 s, not 60
HEADER = "Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Trạng thái\n"


def export(path: Path, status: str) -> Path:
    path.write_text(HEADER + f"{CODE},marriage-status-certification,20/11/2026 08:30,{status}\n", encoding="utf-8")
    return path


def test_sigkill_mid_send_then_restart_delivers_exactly_once(cluster, tmp_path, shipped_catalog):
    zalo, engine = cluster.zalo, cluster.engine
    workers = start_all(cluster.make_workers(2, ASSISTANT_OUTBOX_CLAIM_SECONDS=LEASE_SECONDS))
    import_in_process(engine, export(tmp_path / "received.csv", "Đã tiếp nhận"), shipped_catalog)
    assert Subscriptions(engine).add(CODE, "zalo", USER)
    wait_all(workers)

    zalo.stall_next()  # the platform holds the first send and never accepts it
    import_in_process(engine, export(tmp_path / "ready.csv", "Đã giải quyết đúng hạn"), shipped_catalog)
    assert zalo.stalled.wait(30), "no worker tried to send the notification"
    victim = next(w for w in workers if w.token == zalo.stalled_token)
    victim.kill()  # SIGKILL while the request is in flight: nothing gets marked

    with engine.connect() as conn:
        row = conn.execute(select(OutboxRow.delivered_at, OutboxRow.claimed_by, OutboxRow.attempts)).one()
    assert row.delivered_at is None and row.claimed_by and row.attempts == 0
    assert zalo.notifications() == []

    survivor = next(w for w in workers if w is not victim)
    restarted = Worker(victim.name, victim.env, cluster.tmp_path, port=victim.port)
    cluster.workers.append(restarted)  # closed by the fixture even if the test fails
    restarted.start().wait_ready()
    outbox = Outbox(engine)
    wait_until(lambda: outbox.pending("zalo") == 0, 30, "the notification to be delivered after the crash")
    for worker in (restarted, survivor):
        worker.stop()  # graceful: nothing in flight is left uncounted

    delivered = [m for m in zalo.notifications() if m.user_id == USER]
    assert len(delivered) == 1, [m.text for m in delivered]
    assert CODE in delivered[0].text and "Đã có kết quả" in delivered[0].text
    with engine.connect() as conn:
        row = conn.execute(select(OutboxRow.delivered_at, OutboxRow.claimed_by)).one()
    assert row.delivered_at is not None and row.claimed_by is None
