"""API keys (from a file named at start) and per-key rate limits.

The keys file holds one ``KEY`` or ``KEY<TAB>REQUESTS_PER_MINUTE`` per line; ``#`` starts
a comment. Keys are compared in constant time and never written to logs or answers.
"""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass, field

from mtalign.errors import ConfigError
from mtalign.files import read_regular


@dataclass(frozen=True)
class ApiKeys:
    """The accepted keys and each one's requests per minute (0: the server's default)."""

    limits: dict[str, int] = field(default_factory=dict)

    def find(self, key: str) -> str | None:
        """The stored key equal to ``key`` (constant-time comparison), else None."""
        found = None
        for stored in self.limits:
            if hmac.compare_digest(stored.encode(), key.encode()):
                found = stored
        return found


def load_keys(path: str) -> ApiKeys:
    """Read a keys file; a bad line is a ConfigError naming its line (never the key)."""
    try:
        text = read_regular(path).decode("utf-8")
    except (UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: cannot read the API keys ({type(exc).__name__})") from None
    limits: dict[str, int] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) > 2 or (len(parts) == 2 and not parts[1].isdigit()) or len(parts[0]) < 8:
            raise ConfigError(
                f"{path}:{n}: expected KEY (8 characters or more) and optionally "
                "REQUESTS_PER_MINUTE; fix the line"
            )
        limits[parts[0]] = int(parts[1]) if len(parts) == 2 else 0
    if not limits:
        raise ConfigError(f"{path}: no API keys in the file; add one key per line")
    return ApiKeys(limits)


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests, refilled continuously."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, client: str, per_minute: int) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        if per_minute <= 0:
            return 0.0
        now = time.monotonic()
        rate = per_minute / 60.0
        with self._lock:
            tokens, last = self._buckets.get(client, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / rate
