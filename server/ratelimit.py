"""RateLimitSettings: a token bucket per client address and/or per token, answering 429."""

from __future__ import annotations

from flask import Flask, request

from hub.ratelimit import TokenBucket
from server.auth import token_from_request


def register(app: Flask, settings: dict) -> None:
    if not settings["Enable"]:
        return
    bucket = TokenBucket(rate=float(settings["PerSec"]), burst=settings["MaxBurst"])

    @app.before_request
    def _limit() -> None:
        parts = []
        if settings["VaryByRemoteAddr"]:
            parts.append(request.remote_addr or "")
        if settings["VaryByUser"]:
            parts.append(token_from_request()[0])
        bucket.check("|".join(parts))
