"""The metrics registry: prometheus_client underneath, the same names and labels on /metrics."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.core import Assistant
from assistant.metrics import Metrics
from tests.prometheus_text import sample

ROOT = Path(__file__).resolve().parents[1]


def test_counters_histograms_and_scrape_time_gauges(small_catalog):
    metrics = Metrics()
    assistant = Assistant(small_catalog, dataclasses.replace(Settings(), locality=None))
    metrics.attach(assistant)
    metrics.attach(assistant)  # idempotent: a turn is counted once
    assistant.handle("giay doc than mat bao lau")
    metrics.rejected.inc("malformed_json")
    metrics.turn_seconds.observe(0.003, "web")
    text = metrics.render()
    assert sample(text, "tthc_messages_total", channel="unknown") == 1
    assert sample(text, "tthc_requests_rejected_total", reason="malformed_json") == 1
    assert sample(text, "tthc_turn_duration_seconds_bucket", channel="web", le="0.0025") == 0
    assert sample(text, "tthc_turn_duration_seconds_bucket", channel="web", le="0.005") == 1
    assert sample(text, "tthc_catalog_procedures") == len(small_catalog)
    assert sample(text, "tthc_process_id") == os.getpid()
    assert "_created" not in text


def test_instances_do_not_share_counts_and_a_broken_gauge_is_left_out():
    first, second = Metrics(), Metrics()
    first.webhooks.inc("zalo", "accepted")

    def broken():
        raise RuntimeError("database gone")

    second.gauge("tthc_outbox_delivered", "Notifications delivered.", broken, ["channel"])
    assert sample(first.render(), "tthc_webhook_events_total", channel="zalo", outcome="accepted") == 1
    text = second.render()
    assert sample(text, "tthc_webhook_events_total", channel="zalo", outcome="accepted") is None
    assert "tthc_outbox_delivered" not in text and sample(text, "tthc_process_id") == os.getpid()


def test_worker_processes_sharing_a_metrics_directory_report_totals(tmp_path):
    """What `serve --workers N` sets up: each process counts into the shared directory and any of
    them renders the sum."""
    count = (
        "from assistant.metrics import Metrics\n"
        "m = Metrics()\n"
        "m.messages.inc('web', amount=float(__import__('sys').argv[1]))\n"
        "print(m.render())\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    outputs = [subprocess.run([sys.executable, "-c", count, str(n)], env=env, capture_output=True, text=True,
                              check=True, timeout=60).stdout for n in (2, 3)]
    assert sample(outputs[0], "tthc_messages_total", channel="web") == 2
    assert sample(outputs[1], "tthc_messages_total", channel="web") == 5  # the second sees both
