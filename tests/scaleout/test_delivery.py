"""Dossier notifications reach each subscriber exactly once while two workers drain one outbox."""

from __future__ import annotations

import secrets
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assistant.store import Outbox
from assistant.store.models import OutboxRow, Subscription
from tests.scaleout.harness import (
    import_in_process,
    run_cli,
    start_all,
    wait_all,
    wait_until,
    zalo_text_event,
)

pytestmark = pytest.mark.postgres

DOSSIERS = [f"000.00.10.H32-261120-{n:04d}" for n in range(101, 106)]
FOLLOWERS_PER_DOSSIER = 10  # 50 subscribers
HEADER = "Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Trạng thái,Ghi chú\n"


def export(path, status: str, note: str = "") -> str:
    """A one-stop export with every test dossier in `status`."""
    rows = "".join(f"{code},marriage-status-certification,20/11/2026 08:30,{status},{note}\n" for code in DOSSIERS)
    path.write_text(HEADER + rows, encoding="utf-8")
    return str(path)


def imported(cluster, path) -> None:
    result = run_cli(cluster.env(), "dossier", "import", path)
    assert result.returncode == 0, result.stderr


def test_each_subscriber_gets_each_change_exactly_once_from_two_workers(cluster, tmp_path, shipped_catalog):
    zalo, engine = cluster.zalo, cluster.engine
    workers = start_all(cluster.make_workers(2))
    import_in_process(engine, Path(export(tmp_path / "received.csv", "Đã tiếp nhận")), shipped_catalog)
    wait_all(workers)

    # 50 citizens follow a dossier by writing to the OA; their messages reach either worker.
    followers = {f"u{d}{k:02d}{secrets.token_hex(3)}": code
                 for d, code in enumerate(DOSSIERS) for k in range(FOLLOWERS_PER_DOSSIER)}
    for n, (user, code) in enumerate(followers.items()):
        raw, headers = zalo_text_event(user, f"theo dõi {code}", secrets.token_hex(8))
        assert workers[n % 2].post_zalo(raw, headers) == 200

    def subscribed() -> bool:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Subscription)).scalar_one() == len(followers)

    wait_until(subscribed, 30, "50 subscriptions")
    wait_until(lambda: {m.user_id for m in zalo.messages()} >= set(followers), 30, "a reply to every follower")
    assert zalo.notifications() == []

    # Two status changes: 100 notifications. Each worker's first send is held until the other
    # has sent one too, so both dispatchers certainly claim from the outbox at the same time.
    zalo.interleave(w.token for w in workers)
    imported(cluster, export(tmp_path / "in-progress.csv", "Đang giải quyết"))  # as staff do: the CLI
    import_in_process(engine, Path(export(tmp_path / "supplement.csv", "Yêu cầu bổ sung", "Bản sao giấy khai sinh")),
                      shipped_catalog)
    with engine.connect() as conn:
        queued = Counter(conn.execute(select(OutboxRow.chat_id, OutboxRow.text)).all())
    assert sum(queued.values()) == 2 * len(followers)

    outbox = Outbox(engine)
    wait_until(lambda: outbox.pending("zalo") == 0, 60, "the outbox to drain")
    for worker in workers:
        worker.stop()  # graceful: anything still in flight finishes before we count

    sent = Counter((m.user_id, m.text) for m in zalo.notifications())
    duplicates = {key: n for key, n in sent.items() if n > 1}
    assert not duplicates, f"{len(duplicates)} notification(s) sent more than once"
    assert sent == queued
    for user in followers:
        texts = [text for (chat, text) in sent if chat == user]
        assert len(texts) == 2 and any("Đang giải quyết" in t for t in texts) and any("bổ sung" in t for t in texts)
    senders = Counter(m.token for m in zalo.notifications())
    assert set(senders) == {w.token for w in workers}, senders  # both workers really delivered
