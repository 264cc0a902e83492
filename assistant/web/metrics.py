"""Prometheus metrics in the text exposition format, without a client library.

A handful of counters and histograms is all a demo server or a small deployment needs, and
writing the format ourselves keeps the dependency list short. Every metric is thread-safe
(turns run in worker threads) and its label sets are bounded by construction: labels are
channel names, reply statuses and route templates, never user input.

Each process keeps its own numbers; with several uvicorn workers Prometheus scrapes whichever
worker answers, so counters are per worker (use the `instance`/pid label or one port per
worker when exact totals matter; see docs/web.md).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from assistant.core import Assistant, Turn

# Latency buckets in seconds: a chat turn is usually a few milliseconds; anything above a
# second is a problem worth seeing in its own bucket.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(names: Sequence[str], values: Sequence[str], extra: str = "") -> str:
    parts = [f'{name}="{_escape(str(value))}"' for name, value in zip(names, values, strict=True)]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class _Metric:
    kind = "untyped"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> None:
        self.name = name
        self.help = help_text
        self.labelnames = tuple(labelnames)
        self._lock = threading.Lock()

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]

    def samples(self) -> list[str]:
        raise NotImplementedError


class Counter(_Metric):
    kind = "counter"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labelnames)
        self._values: dict[tuple[str, ...], float] = {}

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        with self._lock:
            self._values[labels] = self._values.get(labels, 0.0) + amount

    def value(self, *labels: str) -> float:
        with self._lock:
            return self._values.get(labels, 0.0)

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels(self.labelnames, labels)} {_number(v)}" for labels, v in items]


class Gauge(_Metric):
    """A value read when scraped (catalogue size, pending notifications)."""

    kind = "gauge"

    def __init__(self, name: str, help_text: str, read: Callable[[], Iterable[tuple[tuple[str, ...], float]]],
                 labelnames: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labelnames)
        self.read = read

    def samples(self) -> list[str]:
        try:
            items = list(self.read())
        except Exception:  # a gauge that cannot be read is left out, the scrape still succeeds
            return []
        return [f"{self.name}{_labels(self.labelnames, labels)} {_number(v)}" for labels, v in items]


class Histogram(_Metric):
    kind = "histogram"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = (),
                 buckets: Sequence[float] = LATENCY_BUCKETS) -> None:
        super().__init__(name, help_text, labelnames)
        self.buckets = tuple(sorted(buckets))
        self._series: dict[tuple[str, ...], list[float]] = {}  # bucket counts..., +Inf count, sum

    def observe(self, value: float, *labels: str) -> None:
        with self._lock:
            series = self._series.get(labels)
            if series is None:
                series = self._series[labels] = [0.0] * (len(self.buckets) + 2)
            for index, bound in enumerate(self.buckets):
                if value <= bound:
                    series[index] += 1
                    break
            else:
                series[len(self.buckets)] += 1
            series[-1] += value

    def count(self, *labels: str) -> int:
        with self._lock:
            series = self._series.get(labels)
            return int(sum(series[:-1])) if series else 0

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted((labels, list(series)) for labels, series in self._series.items())
        lines = []
        for labels, series in items:
            cumulative = 0.0
            for bound, count in zip((*self.buckets, math.inf), series[:-1], strict=True):
                cumulative += count
                le = 'le="' + _number(bound) + '"'
                lines.append(f"{self.name}_bucket{_labels(self.labelnames, labels, le)} {_number(cumulative)}")
            lines.append(f"{self.name}_sum{_labels(self.labelnames, labels)} {_number(series[-1])}")
            lines.append(f"{self.name}_count{_labels(self.labelnames, labels)} {_number(cumulative)}")
        return lines


class Registry:
    def __init__(self) -> None:
        self._metrics: list[_Metric] = []

    def add(self, metric: _Metric) -> _Metric:
        self._metrics.append(metric)
        return metric

    def render(self) -> str:
        lines: list[str] = []
        for metric in self._metrics:
            samples = metric.samples()
            if samples or metric.kind != "gauge":
                lines += metric.header() + samples
        return "\n".join(lines) + "\n"


class Metrics:
    """The server's metrics. One instance per process, shared by the web chat and Zalo."""

    CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

    def __init__(self) -> None:
        self.registry = Registry()
        r = self.registry
        self.started = time.time()
        self.messages: Counter = r.add(Counter(  # type: ignore[assignment]
            "tthc_messages_total", "Text messages answered by the core, by channel.", ["channel"]))
        self.replies: Counter = r.add(Counter(  # type: ignore[assignment]
            "tthc_replies_total", "Replies to text messages by channel and status "
            "(answer, clarify, not_found, smalltalk, dossier, handoff).", ["channel", "status"]))
        self.actions: Counter = r.add(Counter(  # type: ignore[assignment]
            "tthc_actions_total", "Button presses handled (web chat and Zalo), by channel and reply status.",
            ["channel", "status"]))
        self.turn_seconds: Histogram = r.add(Histogram(  # type: ignore[assignment]
            "tthc_turn_duration_seconds", "Time of one conversation turn (load state, core, save state).",
            ["channel"]))
        self.http_requests: Counter = r.add(Counter(  # type: ignore[assignment]
            "tthc_http_requests_total", "HTTP requests by route template and status code.", ["route", "code"]))
        self.http_seconds: Histogram = r.add(Histogram(  # type: ignore[assignment]
            "tthc_http_request_duration_seconds", "HTTP request latency by route template.", ["route"]))
        self.rate_limited: Counter = r.add(Counter(  # type: ignore[assignment]
            "tthc_rate_limited_total", "Messages refused by the per-chat flood guard.", ["channel"]))
        self.rejected: Counter = r.add(Counter(  # type: ignore[assignment]
            "tthc_requests_rejected_total", "Requests refused before reaching the core, by reason.",
            ["reason"]))
        self.webhooks: Counter = r.add(Counter(  # type: ignore[assignment]
            "tthc_webhook_events_total", "Webhook events by channel and outcome.", ["channel", "outcome"]))
        self.platform_calls: Counter = r.add(Counter(  # type: ignore[assignment]
            "tthc_platform_api_calls_total", "Calls to a chat platform API by channel and outcome.",
            ["channel", "outcome"]))
        self.bursts: Counter = r.add(Counter(  # type: ignore[assignment]
            "tthc_throttle_bursts_total", "Bursts throttled by the shared limits (alert on any increase), by what "
            "(lookups, unknown_codes, ratings) and scope (session, address).", ["what", "scope"]))
        self._gauges: dict[str, Callable[[], Iterable[tuple[tuple[str, ...], float]]]] = {}
        r.add(Gauge("tthc_process_start_time_seconds", "Unix time this process started.",
                    lambda: [((), self.started)]))
        r.add(Gauge("tthc_process_id", "Process id of the worker that answered this scrape.",
                    lambda: [((), float(os.getpid()))]))
        self._attached: set[int] = set()

    def gauge(self, name: str, help_text: str, read: Callable[[], Iterable[tuple[tuple[str, ...], float]]],
              labelnames: Sequence[str] = ()) -> None:
        """Add a gauge read at scrape time (idempotent by name)."""
        if name in self._gauges:
            self._gauges[name] = read
            return
        self._gauges[name] = read
        self.registry.add(Gauge(name, help_text, lambda: self._gauges[name](), labelnames))

    def attach(self, assistant: Assistant) -> None:
        """Count every text turn of this assistant (all channels of this process) and expose the
        catalogue. Idempotent: attaching twice does not double-count."""
        if id(assistant) in self._attached:
            return
        self._attached.add(id(assistant))

        def on_turn(turn: Turn) -> None:
            channel = turn.requester.channel if turn.requester else "unknown"
            self.messages.inc(channel)
            self.replies.inc(channel, turn.reply.status.value)

        assistant.listeners.append(on_turn)
        assistant.alert_listeners.append(lambda what, scope: self.bursts.inc(what, scope))
        self.gauge("tthc_catalog_procedures", "Procedures in the loaded catalogue.",
                   lambda: [((), float(len(assistant.catalog)))])
        self.gauge("tthc_catalog_info", "The loaded catalogue version (value is always 1).",
                   lambda: [((str(assistant.catalog.version),), 1.0)], ["version"])

    def render(self) -> str:
        return self.registry.render()


__all__ = ["LATENCY_BUCKETS", "Counter", "Gauge", "Histogram", "Metrics", "Registry"]
