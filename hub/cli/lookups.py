"""How the command line names things: users by username, email or id, teams by name or id, channels
as TEAM:CHANNEL or id (as mmctl accepts them), and paging through a service's lists."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.orm import Session

from hub import models
from hub.errors import AppError
from hub.ids import is_valid_id
from hub.permissions import Actor
from hub.services.users import user_not_found

if TYPE_CHECKING:
    from hub.services import Hub

LOCAL_ACTOR = Actor(user_id="", roles="system_admin system_user")
PAGE_SIZE = 200

T = TypeVar("T")


def paged(fetch: Callable[[int], Sequence[T]]) -> Iterator[T]:
    page = 0
    while True:
        rows = fetch(page)
        yield from rows
        if len(rows) < PAGE_SIZE:
            return
        page += 1


def find_user(hub: Hub, ref: str) -> models.User:
    """A user by username, email or id, as mmctl accepts any of them."""
    lookups: list[Callable[[str], models.User]] = [hub.users.by_username]
    if "@" in ref:
        lookups.insert(0, hub.users.by_email)
    if is_valid_id(ref):
        lookups.append(hub.users.get)
    for lookup in lookups:
        try:
            return lookup(ref)
        except AppError as exc:
            if exc.status_code != 404:
                raise
    raise user_not_found(f"user={ref}")


def find_team(hub: Hub, s: Session, ref: str) -> models.Team:
    try:
        return hub.teams.load_by_name(s, ref)
    except AppError:
        if not is_valid_id(ref):
            raise
        return hub.teams.load(s, ref)


def find_channel(hub: Hub, ref: str) -> models.Channel:
    """A channel as TEAM:CHANNEL (team name or id, channel name) or by id, as mmctl accepts them."""
    team_ref, separator, name = ref.rpartition(":")
    if not separator:
        return hub.channels.get(LOCAL_ACTOR, ref)
    with hub.store.read() as s:
        team_id = find_team(hub, s, team_ref).id
    return hub.channels.by_name(LOCAL_ACTOR, team_id, name)


def channel_ref(s: Session, channel_id: str) -> str:
    channel = s.get_one(models.Channel, channel_id)
    team = s.get_one(models.Team, channel.team_id)
    return f"{team.name}:{channel.name}"


def describe_user(user: models.User) -> str:
    flags = ["system_admin"] if "system_admin" in user.roles.split() else []
    if not user.is_active:
        flags.append("deactivated")
    suffix = f" [{', '.join(flags)}]" if flags else ""
    return f"{user.id}: {user.username} ({user.email}){suffix}"
