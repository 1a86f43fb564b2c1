"""In-process rate limiting: a token bucket per key."""

from __future__ import annotations

import math
import threading
import time

from hub.errors import AppError


class TokenBucket:
    """`rate` tokens a second refill up to `burst`; each call takes one or answers how long to wait."""

    def __init__(self, rate: float, burst: int, max_keys: int = 100_000) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Returns 0 when allowed, else the seconds until a token is free."""
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
            if tokens >= 1:
                if len(self._buckets) >= self.max_keys and key not in self._buckets:
                    self._buckets.clear()
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate

    def check(self, key: str) -> None:
        wait = self.take(key)
        if wait:
            raise AppError(
                "api.context.rate_limited.app_error",
                "Too many requests. Please try again later.",
                429,
                f"retry in {wait:.1f}s",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
