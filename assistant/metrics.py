"""The server's metrics, through prometheus_client.

Counters and histograms are prometheus_client's; their label sets are bounded by construction
(labels are channel names, reply statuses and route templates, never user input). A few values
are read when scraped (catalogue size and version, notifications delivered, process id): they
come from a small collector of this process.

Several worker processes (`serve --workers N`): the command exports a fresh
PROMETHEUS_MULTIPROC_DIR before starting them, prometheus_client keeps each worker's counts in
files there, and /metrics sums them, so whichever worker answers the scrape reports totals for
the whole server. The scrape-time values are that worker's own (the catalogue is the same in
every worker; `tthc_process_id` says which one answered).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence

import prometheus_client
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from assistant.config import metrics_dir
from assistant.core import Assistant, Turn

# Latency buckets in seconds: a chat turn is usually a few milliseconds; anything above a
# second is a problem worth seeing in its own bucket.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

prometheus_client.disable_created_metrics()  # `_created` series double the output and nobody reads them

GaugeRead = Callable[[], Iterable[tuple[tuple[str, ...], float]]]


class Counter:
    """A labelled counter: `inc("web", "answer")` (label values in declaration order)."""

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str], registry: CollectorRegistry) -> None:
        self.metric = prometheus_client.Counter(name, help_text, list(labelnames), registry=registry)
        self.labelnames = tuple(labelnames)

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        (self.metric.labels(*labels) if self.labelnames else self.metric).inc(amount)


class Histogram:
    """A labelled histogram: `observe(seconds, "web")`."""

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str], registry: CollectorRegistry,
                 buckets: Sequence[float] = LATENCY_BUCKETS) -> None:
        self.metric = prometheus_client.Histogram(name, help_text, list(labelnames), registry=registry,
                                                  buckets=buckets)
        self.labelnames = tuple(labelnames)

    def observe(self, value: float, *labels: str) -> None:
        (self.metric.labels(*labels) if self.labelnames else self.metric).observe(value)


class _ScrapeTime(Collector):
    """Gauges read when scraped. A gauge that cannot be read is left out; the scrape succeeds."""

    def __init__(self) -> None:
        self.gauges: dict[str, tuple[str, Sequence[str], GaugeRead]] = {}

    def collect(self) -> Iterator[Metric]:
        for name, (help_text, labelnames, read) in list(self.gauges.items()):
            try:
                samples = list(read())
            except Exception:
                continue
            if not samples:
                continue
            family = GaugeMetricFamily(name, help_text, labels=list(labelnames))
            for labels, value in samples:
                family.add_metric(list(labels), value)
            yield family


class Metrics:
    """The server's metrics. One instance per process, shared by the web chat and the channels."""

    CONTENT_TYPE = prometheus_client.CONTENT_TYPE_PLAIN_0_0_4  # what generate_latest writes; unchanged contract

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.started = time.time()
        self.messages = Counter("tthc_messages_total", "Text messages answered by the core, by channel.",
                                ["channel"], r)
        self.replies = Counter("tthc_replies_total", "Replies to text messages by channel and status "
                               "(answer, clarify, not_found, smalltalk, dossier, handoff).", ["channel", "status"], r)
        self.actions = Counter("tthc_actions_total",
                               "Button presses handled (web chat and Zalo), by channel and reply status.",
                               ["channel", "status"], r)
        self.turn_seconds = Histogram("tthc_turn_duration_seconds",
                                      "Time of one conversation turn (load state, core, save state).", ["channel"], r)
        self.http_requests = Counter("tthc_http_requests_total", "HTTP requests by route template and status code.",
                                     ["route", "code"], r)
        self.http_seconds = Histogram("tthc_http_request_duration_seconds", "HTTP request latency by route template.",
                                      ["route"], r)
        self.rate_limited = Counter("tthc_rate_limited_total", "Messages refused by the per-chat flood guard.",
                                    ["channel"], r)
        self.rejected = Counter("tthc_requests_rejected_total", "Requests refused before reaching the core, by reason.",
                                ["reason"], r)
        self.webhooks = Counter("tthc_webhook_events_total", "Webhook events by channel and outcome.",
                                ["channel", "outcome"], r)
        self.platform_calls = Counter("tthc_platform_api_calls_total",
                                      "Calls to a chat platform API by channel and outcome.", ["channel", "outcome"], r)
        self.bursts = Counter("tthc_throttle_bursts_total", "Bursts throttled by the shared limits (alert on any "
                              "increase), by what (lookups, unknown_codes, ratings) and scope (session, address).",
                              ["what", "scope"], r)
        self._scrape_time = _ScrapeTime()
        self._scrape_registry = CollectorRegistry()
        self._scrape_registry.register(self._scrape_time)
        self.gauge("tthc_process_start_time_seconds", "Unix time this process started.",
                   lambda: [((), self.started)])
        self.gauge("tthc_process_id", "Process id of the worker that answered this scrape.",
                   lambda: [((), float(os.getpid()))])
        self._attached: set[int] = set()

    def gauge(self, name: str, help_text: str, read: GaugeRead, labelnames: Sequence[str] = ()) -> None:
        """Add (or replace, by name) a gauge read at scrape time."""
        self._scrape_time.gauges[name] = (help_text, tuple(labelnames), read)

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
        """The exposition text: this process's metrics, or with worker processes (a metrics
        directory is set) every worker's counters and histograms summed."""
        directory = metrics_dir()
        if directory is None:
            registry = self.registry
        else:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=directory)
        return (generate_latest(registry) + generate_latest(self._scrape_registry)).decode("utf-8")


__all__ = ["LATENCY_BUCKETS", "Counter", "Histogram", "Metrics"]
