"""Signatures on the requests Hubbub sends to integrations, in Slack's `v0` scheme, so that a receiver
can prove a request came from this server and was not replayed long after: HMAC-SHA256 with the
integration's signing secret over `v0:<timestamp>:<body>`. The secret never travels in a request (a hook's
or a command's own is shown to its admin only when it is made); the Mattermost `token` in the body is no
key, since anyone who sees one request would hold it."""

from __future__ import annotations

import hashlib
import hmac
import time

from hub.security import same

TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"
VERSION = "v0"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(
    secret: str, headers: dict[str, str], body: bytes, *, max_age_s: int = 300, now: float | None = None
) -> bool:
    """What a receiver does with the signing secret it was given (the tests use it): a fresh timestamp
    and an equal signature, compared in constant time (a header may hold any character)."""
    try:
        timestamp = int(headers.get(TIMESTAMP_HEADER, ""))
    except ValueError:
        return False
    if abs((now if now is not None else time.time()) - timestamp) > max_age_s:
        return False
    return same(headers.get(SIGNATURE_HEADER, ""), signature(secret, timestamp, body))
