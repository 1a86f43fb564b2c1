"""The worker's jobs (hub.extensions.WorkerJob): the core's delivery loop and whatever the extensions
add (bridges, the scheduler, bots). Every web process runs them, on the embedded default too, and
`python -m hub worker` runs them in a process of its own when the bus is Redis (so that what a job
posts reaches every web process's clients). A job that must be active once takes a lease: the delivery
loop sends in whichever process holds the "deliveries" lease; the others stand by and take over within
a lease period if it dies."""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from hub import events

if TYPE_CHECKING:
    from hub.extensions import WorkerJob
    from hub.services import Hub

logger = logging.getLogger(__name__)

LEASE_NAME = "deliveries"
LEASE_SECONDS = 15.0
RESTART_SECONDS = 5.0
SpawnedT = TypeVar("SpawnedT")


class DeliveryLoop:
    """Sends what is due, then sleeps until a delivery is committed (the bus wakes it, from any process)
    or `idle_seconds` pass: retries coming due, the lease's renewal and a stop are seen within that."""

    def __init__(self, hub: Hub, *, concurrency: int = 8, idle_seconds: float = 2.0) -> None:
        self.hub = hub
        self.concurrency = concurrency
        self.idle_seconds = idle_seconds
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = threading.Event()
        hub.bus.subscribe(self._heard)

    def _heard(self, event: events.Event) -> None:
        if event.event == events.DELIVERIES_QUEUED:
            self._wake.set()

    def run(self, stop: threading.Event) -> None:
        holding = False
        renew_at = 0.0
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="delivery") as pool:
            while not stop.is_set():
                sent = 0
                # The database may be restarting or unreachable for a while: the loop must outlive that,
                # and whatever it had claimed is claimed again once its lease runs out.
                try:
                    if time.monotonic() >= renew_at:
                        holding = self.hub.deliveries.take_lease(LEASE_NAME, self.holder, LEASE_SECONDS)
                        renew_at = time.monotonic() + LEASE_SECONDS / 4
                        if holding:
                            logger.debug("%s holds the delivery lease", self.holder)
                    if holding:
                        deliveries = self.hub.deliveries
                        sent = deliveries.run_due(pool, limit=self.concurrency * 4, senders=self.concurrency)
                except Exception:
                    logger.exception("the delivery loop failed; retrying")
                    holding, renew_at = False, 0.0
                    stop.wait(self.idle_seconds)
                    continue
                if not sent:
                    self._wake.wait(max(0.0, min(self.idle_seconds, renew_at - time.monotonic())))
                    self._wake.clear()
        if holding:
            try:
                self.hub.deliveries.release_lease(LEASE_NAME, self.holder)
            except Exception:
                logger.exception("could not release the delivery lease; it runs out by itself")


class DeliveryJob:
    """The delivery loop as a worker job."""

    name = "deliveries"

    def run(self, hub: Hub, stop: threading.Event) -> None:
        DeliveryLoop(hub).run(stop)


def supervise(
    job: WorkerJob, hub: Hub, stop: threading.Event, restart_seconds: float = RESTART_SECONDS
) -> None:
    """Runs one job until `stop`; a job that raises is logged and started again, so that one failing
    job never stops the others."""
    while not stop.is_set():
        try:
            job.run(hub, stop)
            return
        except Exception:
            logger.exception("worker job %s failed; restarting it in %.0f s", job.name, restart_seconds)
            stop.wait(restart_seconds)


def start_jobs(
    hub: Hub,
    stop: threading.Event,
    spawn: Callable[[Callable[[], None]], SpawnedT],
    restart_seconds: float = RESTART_SECONDS,
) -> list[SpawnedT]:
    """Starts every registered job with `spawn` (a started thread or greenlet) and returns those."""
    return [
        spawn(functools.partial(supervise, job, hub, stop, restart_seconds))
        for job in hub.extensions.worker_jobs
    ]
