"""A catalogue edit reaches every worker; a broken edit leaves every worker on the last good one."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest

from tests.scaleout.harness import Worker, start_all, wait_all, wait_until

pytestmark = pytest.mark.postgres

PROCEDURE = "marriage-status-certification"
FEES_BLOCK = re.compile(r"^fees:\n(?:[ #-].*\n|\n)*", re.MULTILINE)  # the top-level `fees:` key and its lines
RELOAD_TIMEOUT = 15.0  # the watcher polls every 2 s
REFUSED = "catalogue change refused"


def replace_atomically(path: Path, text: str) -> None:
    """How an editor or a deploy script should write: the watcher never sees half a file."""
    tmp = path.with_name(path.name + ".tmp-edit")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def with_fees(original: str, block: str) -> str:
    text, count = FEES_BLOCK.subn(block, original, count=1)
    assert count == 1
    return text


def fee_answer(worker: Worker) -> str:
    reply = worker.chat("s-" + uuid.uuid4().hex, text="lệ phí giấy độc thân bao nhiêu")
    assert (reply["procedure_id"], reply["facet"]) == (PROCEDURE, "fee"), reply["reply"]
    return reply["reply"]


def wait_for_fee(workers: list[Worker], wanted: str) -> None:
    for worker in workers:
        wait_until(lambda w=worker: wanted in fee_answer(w), RELOAD_TIMEOUT, f"{worker.name} to answer '{wanted}'",
                   interval=0.25)


def test_edit_reaches_both_workers_and_a_broken_edit_reaches_neither(cluster):
    workers = wait_all(start_all(cluster.make_workers(2)))
    path = cluster.catalog_dir / "ho-tich" / f"{PROCEDURE}.yaml"
    original = path.read_text(encoding="utf-8")
    for worker in workers:
        assert "Lệ phí" in fee_answer(worker)
    version_before = {w.health()["catalog"]["version"] for w in workers}
    assert len(version_before) == 1

    replace_atomically(path, with_fees(original, "fees:\n  set_by: national\n  per: bản\n  windows:\n"
                                                 "  - in_person: 8000\n"))
    wait_for_fee(workers, "8.000 đồng/bản")
    good_versions = {w.health()["catalog"]["version"] for w in workers}
    assert len(good_versions) == 1 and good_versions != version_before  # the same new catalogue everywhere

    # A broken edit (unterminated quote): every worker notices, refuses it and keeps the last good one.
    refused_before = [w.log_text().count(REFUSED) for w in workers]
    replace_atomically(path, with_fees(original, 'fees:\n  set_by: national\n  note: "9.500 đồng mỗi bản\n'))
    for worker, before in zip(workers, refused_before, strict=True):
        wait_until(lambda w=worker, n=before: w.log_text().count(REFUSED) > n, RELOAD_TIMEOUT,
                   f"{worker.name} to refuse the broken catalogue")
        assert "8.000 đồng/bản" in fee_answer(worker)
        assert worker.health()["catalog"]["version"] in good_versions
        health = worker.health()  # still serving (200), but staff must see which file:line to fix
        assert health["status"] == "degraded" and any(p.startswith(f"{path}:") for p in health["catalog"]["problems"])

    for worker in workers:
        worker.stop()
