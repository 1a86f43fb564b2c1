"""Durable, at-least-once delivery of requests to integrations.

A delivery row is written in the same transaction as what caused it (a post that triggers an outgoing
webhook...). The delivery worker claims due rows under a lease, sends them through the SSRF-guarded
outbound client with a stable delivery id, the attempt number and a signature, records every attempt
for the delivery log, and retries timeouts, connection errors, 408, 429 (after its Retry-After) and
5xx with exponential backoff and jitter. A worker that dies mid-request leaves a lease that runs out:
the next worker sends the delivery again, so a receiver may see it twice but never zero times.
What a delivery's answer does, and who owns it, is its kind's business (hub.extensions.DeliveryKind)."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub import events, models
from hub.errors import AppError
from hub.extensions import DeliveryKind
from hub.ids import new_id, now_ms
from hub.outbound import OutboundError, OutboundPolicy, send
from hub.signing import signed_headers

if TYPE_CHECKING:
    from hub.services import Hub

logger = logging.getLogger(__name__)

PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"
DELIVERY_HEADER = "X-Hubbub-Delivery"
ATTEMPT_HEADER = "X-Hubbub-Attempt"
MAX_BACKOFF_MS = 3600 * 1000
# Kept of each request and answer in the delivery log.
EXCERPT_CHARS = 2048
_SECRET_HEADERS = {"authorization", "cookie", "x-slack-signature"}
_SECRET_FIELDS = ("token",)
_RETRIED_STATUSES = {408, 429}
_RETRIED_ERRORS = {"timeout", "connection"}


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to."""

    status_code: int = 0
    error: str = ""
    retry_after_ms: int | None = None
    retryable: bool = False

    @property
    def succeeded(self) -> bool:
        return 200 <= self.status_code < 300 and not self.error


def _redacted_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: ("[redacted]" if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}


def _redacted_body(body: str) -> str:
    """Form and JSON bodies lose their token's value; the rest is cut to an excerpt."""
    text = body
    for field in _SECRET_FIELDS:
        for marker in (f'"{field}": "', f'"{field}":"', f"{field}="):
            start = text.find(marker)
            if start >= 0:
                value_start = start + len(marker)
                end = value_start
                while end < len(text) and text[end] not in '"&':
                    end += 1
                text = text[:value_start] + "[redacted]" + text[end:]
    return text[:EXCERPT_CHARS]


def _retry_after_ms(value: str | None) -> int | None:
    """Retry-After in seconds or as an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value) * 1000
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, int((when.timestamp() - time.time()) * 1000))


class DeliveryService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def kinds(self) -> dict[str, DeliveryKind]:
        """The integrations that send through the queue, as the extensions registered them."""
        return self.hub.extensions.delivery_kinds

    # ---- writing --------------------------------------------------------------------
    def enqueue(
        self,
        s: Session,
        kind: str,
        source_id: str,
        url: str,
        *,
        content_type: str,
        body: str,
        context: dict[str, Any],
        method: str = "POST",
    ) -> models.Delivery:
        """A delivery in the caller's transaction: sent once that transaction has committed."""
        now = now_ms()
        delivery = models.Delivery(
            id=new_id(),
            create_at=now,
            update_at=now,
            kind=kind,
            source_id=source_id,
            url=url,
            method=method,
            content_type=content_type,
            body=body,
            context=context,
            state=PENDING,
            attempts=0,
            next_attempt_at=now,
            lease_until=0,
            last_status=0,
            last_error="",
        )
        s.add(delivery)
        _wake_loops(s)
        return delivery

    def redeliver(self, s: Session, delivery: models.Delivery) -> models.Delivery:
        """Sends a delivery again now, whatever became of it; its id stays, its attempts go on counting."""
        delivery.state, delivery.next_attempt_at, delivery.lease_until = PENDING, now_ms(), 0
        delivery.update_at = now_ms()
        _wake_loops(s)
        return delivery

    def log(
        self, s: Session, source_id: str, page: int, per_page: int
    ) -> list[tuple[models.Delivery, list[models.DeliveryAttempt]]]:
        deliveries = list(
            s.scalars(
                select(models.Delivery)
                .where(models.Delivery.source_id == source_id)
                .order_by(models.Delivery.create_at.desc(), models.Delivery.id.desc())
                .offset(page * per_page)
                .limit(per_page)
            )
        )
        attempts: dict[str, list[models.DeliveryAttempt]] = {}
        if deliveries:
            for attempt in s.scalars(
                select(models.DeliveryAttempt)
                .where(models.DeliveryAttempt.delivery_id.in_([d.id for d in deliveries]))
                .order_by(models.DeliveryAttempt.number)
            ):
                attempts.setdefault(attempt.delivery_id, []).append(attempt)
        return [(d, attempts.get(d.id, [])) for d in deliveries]

    # ---- the worker's side ------------------------------------------------------------
    def take_lease(self, name: str, holder: str, seconds: float) -> bool:
        """Takes or renews the named singleton lease; False while another holder's lease runs."""
        now = now_ms()
        until = now + int(seconds * 1000)
        try:
            with self.hub.store.write() as s:
                lease = s.get(models.WorkerLease, name, with_for_update=True)
                if lease is None:
                    s.add(models.WorkerLease(name=name, holder=holder, lease_until=until))
                    return True
                if lease.holder != holder and lease.lease_until > now:
                    return False
                lease.holder, lease.lease_until = holder, until
                return True
        except IntegrityError:
            logger.info("lease %s was just taken by another process", name)
            return False

    def release_lease(self, name: str, holder: str) -> None:
        with self.hub.store.write() as s:
            lease = s.get(models.WorkerLease, name)
            if lease is not None and lease.holder == holder:
                lease.lease_until = 0

    def run_due(self, executor: Executor, limit: int = 32, senders: int = 1) -> int:
        """Claims up to `limit` due deliveries and sends them on the executor (`senders` threads);
        answers how many."""
        claimed = self._claim(limit, senders)
        list(executor.map(self._attempt, claimed))
        return len(claimed)

    def _lease_ms(self) -> int:
        # Long enough for one exchange, so that a live worker never sees its own claim expire; short
        # enough that a dead worker's claims are sent again soon.
        return int(OutboundPolicy.from_config(self.hub.config).deadline_s * 2000) + 5_000

    def _claim(self, limit: int, senders: int) -> list[str]:
        """A claim waits in the executor's queue behind the sends ahead of it: its lease covers them,
        else it could run out before it is sent and another process would send it too."""
        now = now_ms()
        with self.hub.store.write() as s:
            due = s.scalars(
                select(models.Delivery)
                .where(
                    models.Delivery.state == PENDING,
                    models.Delivery.next_attempt_at <= now,
                    models.Delivery.lease_until < now,
                )
                .order_by(models.Delivery.next_attempt_at, models.Delivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            for position, delivery in enumerate(due):
                delivery.lease_until = now + self._lease_ms() * (1 + position // max(1, senders))
                delivery.attempts += 1
                delivery.update_at = now
            return [d.id for d in due]

    def _attempt(self, delivery_id: str) -> None:
        with self.hub.store.read() as s:
            delivery = s.get(models.Delivery, delivery_id)
            kind = self.kinds().get(delivery.kind) if delivery else None
            secret = kind.signing_secret(s, delivery) if kind and delivery else None
        if delivery is None:
            return
        if kind is None or secret is None:
            self._finish(delivery_id, Outcome(error="the integration is gone or disabled"), cancelled=True)
            return
        body = delivery.body.encode()
        headers = {
            "Content-Type": delivery.content_type,
            "User-Agent": "Hubbub-Delivery",
            DELIVERY_HEADER: delivery.id,
            ATTEMPT_HEADER: str(delivery.attempts),
            **signed_headers(secret, body),
        }
        started = now_ms()
        response = None
        try:
            response = send(
                delivery.method,
                delivery.url,
                body=body,
                headers=headers,
                policy=OutboundPolicy.from_config(self.hub.config),
            )
            outcome = Outcome(
                status_code=response.status,
                retry_after_ms=_retry_after_ms(response.headers.get("retry-after")),
                retryable=response.status in _RETRIED_STATUSES or response.status >= 500,
            )
        except OutboundError as error:
            outcome = Outcome(error=f"{error.kind}: {error.detail}", retryable=error.kind in _RETRIED_ERRORS)
        record = models.DeliveryAttempt(
            id=new_id(),
            delivery_id=delivery.id,
            number=delivery.attempts,
            started_at=started,
            latency_ms=now_ms() - started,
            status_code=outcome.status_code,
            error=outcome.error[:1024],
            request={
                "method": delivery.method,
                "url": delivery.url,
                "headers": _redacted_headers(headers),
                "body": _redacted_body(delivery.body),
            },
            response={}
            if response is None
            else {
                "headers": {
                    k: v for k, v in response.headers.items() if k in ("content-type", "retry-after")
                },
                "body": response.body[:EXCERPT_CHARS].decode("utf-8", errors="replace"),
            },
        )
        self._finish(delivery_id, outcome, attempt=record)
        if outcome.succeeded and response is not None:
            try:
                kind.answered(self.hub, delivery, response)
            except AppError as error:
                logger.info("delivery %s: its answer could not be applied: %s", delivery.id, error)

    def _finish(
        self,
        delivery_id: str,
        outcome: Outcome,
        *,
        attempt: models.DeliveryAttempt | None = None,
        cancelled: bool = False,
    ) -> None:
        settings = self.hub.config["ServiceSettings"]
        now = now_ms()
        with self.hub.store.write() as s:
            delivery = s.get(models.Delivery, delivery_id)
            if delivery is None:
                return
            if attempt is not None:
                s.add(attempt)
            delivery.last_status, delivery.last_error = outcome.status_code, outcome.error[:1024]
            delivery.lease_until, delivery.update_at = 0, now
            if cancelled:
                delivery.state = CANCELLED
                return
            if outcome.succeeded:
                delivery.state = DELIVERED
            elif outcome.retryable and delivery.attempts < settings["OutgoingIntegrationMaxAttempts"]:
                delivery.next_attempt_at = now + self._backoff_ms(delivery.attempts, outcome.retry_after_ms)
            else:
                delivery.state = FAILED
            kind = self.kinds().get(delivery.kind)
            if kind is not None:
                kind.record_outcome(self.hub, s, delivery, outcome.succeeded)

    def _backoff_ms(self, attempts: int, retry_after_ms: int | None) -> int:
        base = self.hub.config["ServiceSettings"]["OutgoingIntegrationRetryBaseMilliseconds"]
        delay = min(MAX_BACKOFF_MS, base * 2 ** (attempts - 1))
        # Jitter spreads the retries of many deliveries that failed together.
        delay = int(delay * random.uniform(0.5, 1.0))
        if retry_after_ms is not None:
            delay = max(delay, min(retry_after_ms, MAX_BACKOFF_MS))
        return delay


def delivery_to_api(delivery: models.Delivery, attempts: list[models.DeliveryAttempt]) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "create_at": delivery.create_at,
        "update_at": delivery.update_at,
        "kind": delivery.kind,
        "source_id": delivery.source_id,
        "url": delivery.url,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at if delivery.state == PENDING else 0,
        "last_status": delivery.last_status,
        "last_error": delivery.last_error,
        "attempt_log": [
            {
                "number": a.number,
                "started_at": a.started_at,
                "latency_ms": a.latency_ms,
                "status_code": a.status_code,
                "error": a.error,
                "request": a.request,
                "response": a.response,
            }
            for a in attempts
        ],
    }


_WAKE_KEY = "hubbub_wake_deliveries"


def _wake_loops(s: Session) -> None:
    """Once per transaction, however many deliveries it queues: the loops are told after the commit."""
    if not s.info.get(_WAKE_KEY):
        s.info[_WAKE_KEY] = True
        events.emit(s, events.deliveries_queued())
