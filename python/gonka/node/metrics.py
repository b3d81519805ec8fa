"""Prometheus metrics of one node (a private registry per app, so several nodes can live in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "NodeMetrics"]


class NodeMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.nonces_computed = Counter(
            "gonka_node_nonces_computed",
            "Nonces whose distance was computed while generating",
            ["group"],
            registry=r,
        )
        self.nonces_valid = Counter(
            "gonka_node_nonces_valid", "Computed nonces with distance below r_target", ["group"], registry=r
        )
        self.nonces_validated = Counter(
            "gonka_node_nonces_validated", "Submitted nonces recomputed during validation", registry=r
        )
        self.group_rate = Gauge(
            "gonka_node_group_nonces_per_second", "Recent nonce rate of each GPU group", ["group"], registry=r
        )
        self.model_build_seconds = Gauge(
            "gonka_node_model_build_seconds",
            "Time the group's worker took to build its PoC model",
            ["group"],
            registry=r,
        )
        self.batches_sent = Counter(
            "gonka_node_batches_sent", "Callback batches delivered (2xx)", ["kind"], registry=r
        )
        self.batches_failed = Counter(
            "gonka_node_batches_failed",
            "Callback batches dropped because the receiver answered 4xx",
            ["kind"],
            registry=r,
        )
        self.batches_pending = Gauge(
            "gonka_node_batches_pending",
            "Callback batches spooled and not yet delivered",
            ["kind"],
            registry=r,
        )
        self.callback_retries = Counter(
            "gonka_node_callback_retries",
            "Callback attempts that failed and will be retried",
            ["kind"],
            registry=r,
        )
        self.callback_seconds = Histogram(
            "gonka_node_callback_seconds", "Callback request latency", ["kind"], registry=r
        )
        for kind in ("generated", "validated"):
            self.batches_pending.labels(kind).set(0)
            self.batches_sent.labels(kind)
            self.batches_failed.labels(kind)

    def render(self) -> bytes:
        return generate_latest(self.registry)
