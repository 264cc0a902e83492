"""A web-chat conversation keeps its context when its messages land on different workers."""

from __future__ import annotations

import uuid

import pytest

from tests.scaleout.harness import start_all, wait_all

pytestmark = pytest.mark.postgres

PROCEDURE = "marriage-status-certification"


def test_follow_ups_alternating_between_workers_stay_on_the_procedure(cluster):
    one, two = wait_all(start_all(cluster.make_workers(2)))
    session = "s-" + uuid.uuid4().hex

    first = one.chat(session, text="giay doc than mat bao lau")
    assert (first["status"], first["procedure_id"], first["facet"]) == ("answer", PROCEDURE, "time")

    fee = two.chat(session, text="còn lệ phí thì sao?")
    assert (fee["status"], fee["procedure_id"], fee["facet"]) == ("answer", PROCEDURE, "fee"), fee["reply"]
    assert "Lệ phí" in fee["reply"]

    documents = next(b["action"] for b in fee["buttons"] if b["label"] == "Giấy tờ")
    pressed = one.chat(session, action=documents)  # a button from worker 2's reply, pressed on worker 1
    assert (pressed["procedure_id"], pressed["facet"]) == (PROCEDURE, "documents")

    where = two.chat(session, text="còn nộp ở đâu?")
    assert (where["status"], where["procedure_id"], where["facet"]) == ("answer", PROCEDURE, "where"), where["reply"]

    # Control: the same follow-up in a conversation without that history is not about this procedure,
    # so the answers above came from the shared state, not from the words alone.
    stranger = two.chat("s-" + uuid.uuid4().hex, text="còn lệ phí thì sao?")
    assert stranger["procedure_id"] != PROCEDURE

    for worker in (one, two):
        worker.stop()
