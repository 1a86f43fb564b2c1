"""User statuses (online, away, dnd, offline): set by hand, or by presence while no manual status holds.

A user turns online when their first socket opens and offline when their last one closes, on any web
worker or node (hub.presence counts the sockets). Every change is announced as `status_change`.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from hub import events, models, presence, validation
from hub.errors import invalid_param
from hub.ids import is_valid_id, now_ms
from hub.permissions import Actor, require_self_or_admin

if TYPE_CHECKING:
    from hub.services import Hub

STATUSES = ("online", "away", "dnd", "offline")
# Mattermost ends do-not-disturb on whole minutes; the end time is in Unix seconds.
DND_GRANULARITY_SECONDS = 60
# last_activity_at is shown in minutes; writing it on every request of a busy client would only load the database.
ACTIVITY_WRITE_INTERVAL_SECONDS = 60.0

logger = logging.getLogger(__name__)


def offline(user_id: str) -> models.Status:
    """What a user without a stored status shows: never seen, so offline."""
    return models.Status(
        user_id=user_id, status="offline", manual=False, last_activity_at=0, dnd_end_time=0, prev_status=""
    )


class StatusService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.presence = presence.make_counter(hub.config["CacheSettings"])
        self._activity_written: dict[str, float] = {}
        self._activity_lock = threading.Lock()

    def get(self, user_id: str) -> models.Status:
        validation.require_id("user_id", user_id)
        return self._by_ids([user_id])[0]

    def get_many(self, user_ids: Any) -> list[models.Status]:
        """Statuses in the order asked, each user once; like Mattermost, unknown ids answer offline."""
        if not isinstance(user_ids, list) or not user_ids or not all(is_valid_id(i) for i in user_ids):
            raise invalid_param("user_ids", "expected a non-empty list of user ids")
        return self._by_ids(list(dict.fromkeys(user_ids)))

    def _by_ids(self, user_ids: list[str]) -> list[models.Status]:
        with self.hub.store.read() as s:
            stored = {
                row.user_id: row
                for row in s.scalars(select(models.Status).where(models.Status.user_id.in_(user_ids)))
            }
        return [stored.get(user_id) or offline(user_id) for user_id in user_ids]

    def update(self, actor: Actor, user_id: str, body: dict[str, Any]) -> models.Status:
        """A status set by hand stays until changed by hand; 'online' is the exception, as in Mattermost,
        so automatic presence can still turn an online user away."""
        validation.require_id("user_id", user_id)
        if body.get("user_id") != user_id:
            raise invalid_param("user_id", "the body's user_id differs from the URL's")
        require_self_or_admin(actor, user_id)
        status = body.get("status")
        if status not in STATUSES:
            raise invalid_param("status", f"status must be one of {', '.join(STATUSES)}")
        dnd_end_time = body.get("dnd_end_time") or 0
        if not isinstance(dnd_end_time, int) or isinstance(dnd_end_time, bool) or dnd_end_time < 0:
            raise invalid_param("dnd_end_time", "dnd_end_time must be Unix seconds")
        with self.hub.store.write() as s:
            self.hub.users.load(s, user_id)
            row = s.get(models.Status, user_id)
            if row is None:
                row = offline(user_id)
                s.add(row)
            previous = row.status
            if status == "dnd":
                if row.status != "dnd":
                    row.prev_status = row.status
                row.dnd_end_time = dnd_end_time - dnd_end_time % DND_GRANULARITY_SECONDS
            else:
                row.prev_status = ""
                row.dnd_end_time = 0
                if status != "away":
                    row.last_activity_at = now_ms()
            row.status = status
            row.manual = status != "online"
            if status != previous:
                events.emit(s, status_change(user_id, status))
        return row

    # ---- presence ----------------------------------------------------------------------------------
    def socket_opened(self, user_id: str) -> None:
        self._count_socket(user_id, 1)

    def socket_closed(self, user_id: str) -> None:
        self._count_socket(user_id, -1)

    def _count_socket(self, user_id: str, delta: int) -> None:
        """Online while a socket is open, else offline, unless a manual status holds. The count is
        read again under the row lock: when a user's last socket closes on one worker as a new one
        opens on another, whichever commits last still writes what is true."""
        try:
            total = self.presence.add(user_id, delta)
            if total != (1 if delta > 0 else 0):  # neither the first socket opening nor the last closing
                return
            with self.hub.store.write() as s:
                row = s.get(models.Status, user_id, with_for_update=True)
                if row is None:  # the user was deleted meanwhile
                    return
                connected = self.presence.add(user_id, 0) > 0
                if connected:
                    row.last_activity_at = now_ms()
                wanted = "online" if connected else "offline"
                if row.manual or row.status == wanted:
                    return
                row.status = wanted
                events.emit(s, status_change(user_id, wanted))
        except Exception:  # presence is a hint: Redis or the database failing must not fail the socket
            logger.exception("could not update the status of %s", user_id)

    def record_activity(self, user_id: str) -> None:
        """Moves last_activity_at on; written at most once a minute per user and process."""
        moment = time.monotonic()
        with self._activity_lock:
            written = self._activity_written.get(user_id)
            if written is not None and moment - written < ACTIVITY_WRITE_INTERVAL_SECONDS:
                return
            self._activity_written[user_id] = moment
        with self.hub.store.write() as s:
            s.execute(
                update(models.Status)
                .where(models.Status.user_id == user_id)
                .values(last_activity_at=now_ms())
            )


def status_change(user_id: str, status: str) -> events.Event:
    """Mattermost tells every connected user, so that each client can update its member lists."""
    return events.Event("status_change", {"status": status, "user_id": user_id})
