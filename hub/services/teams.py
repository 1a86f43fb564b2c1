"""Teams and team membership."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import models, validation
from hub.errors import AppError
from hub.ids import new_id, now_ms
from hub.permissions import Actor, team_member

if TYPE_CHECKING:
    from hub.services import Hub

DEFAULT_CHANNELS = (("town-square", "Town Square"), ("off-topic", "Off-Topic"))


def team_not_found(detail: str = "") -> AppError:
    return AppError("app.team.get.find.app_error", "Unable to find the existing team.", 404, detail)


class TeamService:
    def __init__(self, hub: "Hub") -> None:
        self.hub = hub

    def load(self, s: Session, team_id: str) -> models.Team:
        validation.require_id("team_id", team_id)
        team = s.get(models.Team, team_id)
        if team is None:
            raise team_not_found(f"team_id={team_id}")
        return team

    def load_by_name(self, s: Session, name: str) -> models.Team:
        team = s.scalar(select(models.Team).where(models.Team.name == str(name).lower()))
        if team is None:
            raise team_not_found(f"name={name}")
        return team

    def create(self, actor: Actor | None, fields: dict[str, Any]) -> models.Team:
        """The creator (when there is one) becomes the team's admin; the default channels come with it."""
        name = validation.handle_name("team", fields.get("name"))
        display_name = validation.require_str("display_name", fields.get("display_name"), required=True, max_len=64)
        team_type = fields.get("type") or "O"
        if team_type not in ("O", "I"):
            raise AppError("model.team.is_valid.type.app_error", "Invalid team type.", 400)
        now = now_ms()
        with self.hub.store.write() as s:
            if s.scalar(select(models.Team.id).where(models.Team.name == name)):
                raise AppError(
                    "app.team.save.existing.app_error",
                    "A team with that name already exists.",
                    400,
                )
            team = models.Team(
                id=new_id(),
                create_at=now,
                update_at=now,
                delete_at=0,
                name=name,
                display_name=display_name,
                description=validation.require_str("description", fields.get("description"), max_len=255),
                email=validation.require_str("email", fields.get("email"), max_len=128),
                company_name=validation.require_str("company_name", fields.get("company_name"), max_len=64),
                allowed_domains=validation.require_str("allowed_domains", fields.get("allowed_domains"), max_len=1000),
                type=team_type,
                invite_id=new_id(),
                allow_open_invite=bool(fields.get("allow_open_invite", team_type == "O")),
            )
            s.add(team)
            for channel_name, channel_display in DEFAULT_CHANNELS:
                s.add(
                    models.Channel(
                        id=new_id(),
                        create_at=now,
                        update_at=now,
                        team_id=team.id,
                        type="O",
                        name=channel_name,
                        display_name=channel_display,
                        creator_id="",
                    )
                )
            s.flush()
            if actor is not None:
                self._add_member(s, team, actor.user_id, admin=True)
        return team

    def add_member(self, s: Session, team: models.Team, user_id: str, *, admin: bool = False) -> models.TeamMember:
        """Adds (or re-adds) a user and joins them to the team's default channels."""
        return self._add_member(s, team, user_id, admin=admin)

    def _add_member(self, s: Session, team: models.Team, user_id: str, *, admin: bool) -> models.TeamMember:
        now = now_ms()
        member = s.get(models.TeamMember, (team.id, user_id))
        if member is None:
            member = models.TeamMember(team_id=team.id, user_id=user_id, create_at=now)
            s.add(member)
        member.delete_at = 0
        member.scheme_user = True
        member.scheme_admin = member.scheme_admin or admin
        defaults = s.scalars(
            select(models.Channel).where(
                models.Channel.team_id == team.id,
                models.Channel.name.in_([name for name, _ in DEFAULT_CHANNELS]),
                models.Channel.delete_at == 0,
            )
        )
        for channel in defaults:
            self.hub.channels.add_member(s, channel, user_id)
        return member

    def is_member(self, s: Session, team_id: str, user_id: str) -> bool:
        return team_member(s, team_id, user_id) is not None
