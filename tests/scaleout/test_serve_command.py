"""`python -m assistant serve --workers 2` on PostgreSQL: what an operator starts by hand.

One port, uvicorn's supervisor and two worker processes, each with its own Zalo outbox
dispatcher. Chat context survives whichever worker takes each request; every notification
arrives once; SIGTERM stops both workers gracefully.
"""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from assistant.store import Outbox, Subscriptions
from assistant.store.models import OutboxRow
from tests.prometheus_text import sample
from tests.scaleout.harness import ServeCommand, import_in_process, wait_until

pytestmark = pytest.mark.postgres

PROCEDURE = "marriage-status-certification"
DOSSIERS = [f"000.00.10.H32-261120-{n:04d}" for n in range(301, 305)]
FOLLOWERS_PER_DOSSIER = 10
HEADER = "Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Trạng thái\n"


def export(path: Path, status: str) -> Path:
    rows = "".join(f"{code},{PROCEDURE},20/11/2026 08:30,{status}\n" for code in DOSSIERS)
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def say(url: str, session: str, text: str) -> dict:
    """Each message on a new connection, so the kernel may hand it to either worker."""
    with httpx.Client(base_url=url, timeout=10.0) as http:
        response = http.post("/api/chat", json={"session_id": session, "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def assert_metrics_are_server_totals(url: str, messages: int) -> None:
    """Whichever worker answers the scrape reports every worker's counts (prometheus_client's
    multiprocess mode), not just its own. Scrapes on new connections until both workers have
    answered (the kernel picks the worker), checking the total each time."""
    answered: set[float | None] = set()
    for _ in range(40):
        with httpx.Client(base_url=url, timeout=10.0) as http:
            text = http.get("/metrics").text
        assert sample(text, "tthc_messages_total", channel="web") == messages
        answered.add(sample(text, "tthc_process_id"))
        if len(answered) == 2:
            break
    assert None not in answered


def test_serve_with_two_workers_shares_state_and_delivers_once(cluster, tmp_path, shipped_catalog):
    engine, zalo = cluster.engine, cluster.zalo
    server = ServeCommand("serve", cluster.env(), cluster.tmp_path, workers=2)
    cluster.workers.append(server)
    server.start()
    import_in_process(engine, export(tmp_path / "received.csv", "Đã tiếp nhận"), shipped_catalog)
    subscriptions = Subscriptions(engine)
    followers = {f"serve-{code[-4:]}-{k}": code for code in DOSSIERS for k in range(FOLLOWERS_PER_DOSSIER)}
    for user, code in followers.items():
        assert subscriptions.add(code, "zalo", user)
    server.wait_ready()
    wait_until(lambda: len(server.worker_pids()) == 2, 30, "both worker processes to start")

    session = "s-" + uuid.uuid4().hex
    assert say(server.url, session, "giay doc than mat bao lau")["procedure_id"] == PROCEDURE
    for _ in range(4):
        follow_up = say(server.url, session, "còn lệ phí thì sao?")
        assert (follow_up["procedure_id"], follow_up["facet"]) == (PROCEDURE, "fee"), follow_up["reply"]

    assert_metrics_are_server_totals(server.url, messages=5)

    import_in_process(engine, export(tmp_path / "progress.csv", "Đang giải quyết"), shipped_catalog)
    with engine.connect() as conn:
        queued = Counter(conn.execute(select(OutboxRow.chat_id, OutboxRow.text)).all())
    assert sum(queued.values()) == len(followers)
    wait_until(lambda: Outbox(engine).pending("zalo") == 0, 60, "the outbox to drain")

    server.stop()
    assert server.finished_pids() == server.worker_pids()  # both workers ran their shutdown
    assert Counter((m.user_id, m.text) for m in zalo.notifications()) == queued
