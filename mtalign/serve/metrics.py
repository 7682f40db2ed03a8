"""Counters for ``/metrics`` in the Prometheus text format (written here, no client library).

Updated from the event loop and from the engine thread, so every change takes a lock.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

#: Upper bounds (seconds) of the request latency histogram.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """Requests, latency, queue depth, engine work and translation-memory hits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.buckets: Counter[float] = Counter()
        self.latency_sum = 0.0
        self.latency_count = 0
        self.queue_depth = 0
        self.in_flight = 0
        self.work: Counter[str] = Counter()  # batches, segments, cached, tokens, seconds

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        with self._lock:
            self.requests[(method, route, status)] += 1
            self.latency_sum += seconds
            self.latency_count += 1
            for bound in BUCKETS:
                if seconds <= bound:
                    self.buckets[bound] += 1

    def add(self, **counts: float) -> None:
        """Add engine-side counts (``batches=1, segments=12, ...``)."""
        with self._lock:
            for key, value in counts.items():
                self.work[key] += value  # type: ignore[assignment]

    def set_queue(self, depth: int) -> None:
        with self._lock:
            self.queue_depth = depth

    def render(self) -> str:
        """The Prometheus text exposition (version 0.0.4)."""
        with self._lock:
            lines = [
                "# HELP mtalign_requests_total HTTP requests answered, by route and status.",
                "# TYPE mtalign_requests_total counter",
            ]
            for (method, route, status), n in sorted(self.requests.items()):
                lines.append(
                    f'mtalign_requests_total{{method="{method}",route="{route}",'
                    f'status="{status}"}} {n}'
                )
            lines += [
                "# HELP mtalign_request_seconds Time to answer a request.",
                "# TYPE mtalign_request_seconds histogram",
            ]
            for bound in BUCKETS:
                lines.append(
                    f'mtalign_request_seconds_bucket{{le="{bound}"}} {self.buckets[bound]}'
                )
            lines.append(f'mtalign_request_seconds_bucket{{le="+Inf"}} {self.latency_count}')
            lines.append(f"mtalign_request_seconds_sum {self.latency_sum:.6f}")
            lines.append(f"mtalign_request_seconds_count {self.latency_count}")
            lines += _gauge("mtalign_queue_depth", "Translations waiting for the engine.",
                            self.queue_depth)  # fmt: skip
            lines += _gauge("mtalign_requests_in_flight", "Requests being answered.",
                            self.in_flight)  # fmt: skip
            work = self.work
            seconds = work["engine_seconds"]
            tps = work["tokens"] / seconds if seconds else 0.0
            for name, help_text, value in (
                ("batches", "Engine batches run (each may hold many requests).", work["batches"]),
                ("segments", "Segments translated or taken from memory.", work["segments"]),
                ("cache_hits", "Segments taken from the translation memory.", work["cached"]),
                ("source_tokens", "Source tokens (whitespace words) translated.", work["tokens"]),
                ("engine_seconds", "Seconds the engine thread spent translating.", seconds),
            ):
                lines += [
                    f"# HELP mtalign_{name}_total {help_text}",
                    f"# TYPE mtalign_{name}_total counter",
                    f"mtalign_{name}_total {value:g}",
                ]
            lines += _gauge("mtalign_tokens_per_second",
                            "Source tokens per engine second since start.", round(tps, 3))  # fmt: skip
            lines += _gauge("mtalign_uptime_seconds", "Seconds since the service started.",
                            round(time.time() - self.started, 3))  # fmt: skip
        return "\n".join(lines) + "\n"


def _gauge(name: str, help_text: str, value: float) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {value:g}"]
