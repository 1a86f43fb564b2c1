"""Teams and team membership."""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, Select, delete, func, select
from sqlalchemy.orm import Session

from hub import events, models, serialize, validation
from hub.errors import AppError, forbidden, invalid_param
from hub.ids import new_id, now_ms
from hub.permissions import (
    Actor,
    is_team_admin,
    require_self_or_admin,
    require_team_admin,
    require_team_member,
    team_member,
)

if TYPE_CHECKING:
    from hub.services import Hub

DEFAULT_CHANNELS = (("town-square", "Town Square"), ("off-topic", "Off-Topic"))
# Mattermost refuses these as team names because they collide with web app routes.
RESERVED_TEAM_NAMES = {
    "admin",
    "api",
    "channel",
    "claim",
    "error",
    "files",
    "help",
    "landing",
    "login",
    "mfa",
    "oauth",
    "plug",
    "plugins",
    "post",
    "signup",
    "boards",
    "playbooks",
}
# Matched whole (re.fullmatch): with re.match and "$" a trailing newline would still pass.
_TEAM_NAME = re.compile(r"[a-z0-9]+([a-z0-9-]+|(__)?)[a-z0-9]+")
MAX_ADD_MEMBERS_BATCH = 256


def team_not_found(detail: str = "") -> AppError:
    return AppError("app.team.get.find.app_error", "Unable to find the existing team.", 404, detail)


def team_member_not_found(detail: str = "") -> AppError:
    return AppError(
        "app.team.get_member.missing.app_error",
        "No team member found for that user ID and team ID.",
        404,
        detail,
    )


@dataclass(frozen=True)
class TeamView:
    """A team as one caller may see it: the invite id and email only for those who manage it."""

    team: models.Team
    show_invite: bool


@dataclass(frozen=True)
class TeamStats:
    team_id: str
    total_member_count: int
    active_member_count: int


@dataclass
class TeamUnread:
    """Mattermost's TeamUnread. Hubbub has no followed threads (collapsed reply threads), so the thread
    counts stay 0 even when include_collapsed_threads is asked for."""

    team_id: str
    msg_count: int = 0
    mention_count: int = 0
    mention_count_root: int = 0
    msg_count_root: int = 0
    thread_count: int = 0
    thread_mention_count: int = 0
    thread_urgent_mention_count: int = 0


def _team_name(value: Any) -> str:
    name = validation.require_str("name", value, required=True)
    if not (2 <= len(name) <= 64) or not _TEAM_NAME.fullmatch(name):
        raise AppError(
            "model.team.is_valid.url.app_error",
            "Name must be 2 or more lowercase alphanumeric characters.",
            400,
            f"name={name!r}",
        )
    if name in RESERVED_TEAM_NAMES:
        raise AppError(
            "model.team.is_valid.reserved.app_error",
            "This URL is unavailable. Please try another.",
            400,
            f"name={name!r}",
        )
    return name


def _display_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise AppError(
            "model.team.is_valid.name.app_error",
            "Invalid name.",
            400,
            "display_name must be 1 to 64 characters",
        )
    return validation.refuse_control_characters("display_name", value)


def _email_allowed(team: models.Team, user: models.User) -> bool:
    """A team's allowed_domains (comma or space separated) restrict who may join it; bots are exempt."""
    domains = [d.strip().lstrip("@").lower() for d in team.allowed_domains.replace(",", " ").split()]
    return not domains or user.is_bot or user.email.rsplit("@", 1)[-1].lower() in domains


def _open_invite(value: Any) -> bool:
    return validation.require_bool("allow_open_invite", value)


# The fields a team admin may change, with their rules; `type` follows allow_open_invite as in Mattermost.
_EDITABLE: dict[str, Any] = {
    "display_name": _display_name,
    "description": lambda v: validation.text("description", v, max_len=255, multiline=True),
    "company_name": lambda v: validation.text("company_name", v, max_len=64),
    "allowed_domains": lambda v: validation.require_str("allowed_domains", v, max_len=1000),
    "allow_open_invite": _open_invite,
}


def _count_unread(unread: TeamUnread, row: Row[str, int, int, int, int, dict[str, Any]]) -> None:
    """Mentions always count; messages not in channels muted to mentions only (mark_unread "mention")."""
    unread.mention_count += row.mention_count
    unread.mention_count_root += row.mention_count_root
    if (row.notify_props or {}).get("mark_unread") != "mention":
        unread.msg_count += row.msg_count
        unread.msg_count_root += row.msg_count_root


class TeamService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    # ---- lookups -------------------------------------------------------------------
    def load(self, s: Session, team_id: str) -> models.Team:
        validation.require_id("team_id", team_id)
        team = s.get(models.Team, team_id)
        if team is None:
            raise team_not_found(f"team_id={team_id}")
        return team

    def load_by_name(self, s: Session, name: str) -> models.Team:
        team = s.scalar(select(models.Team).where(models.Team.name == str(name).lower()))
        if team is None:
            raise AppError(
                "app.team.get_by_name.missing.app_error",
                "Unable to find the existing team.",
                404,
                f"name={name}",
            )
        return team

    def is_member(self, s: Session, team_id: str, user_id: str) -> bool:
        return team_member(s, team_id, user_id) is not None

    def get(self, actor: Actor, team_id: str) -> TeamView:
        with self.hub.store.read() as s:
            return self._visible(s, actor, self.load(s, team_id))

    def get_by_name(self, actor: Actor, name: str) -> TeamView:
        with self.hub.store.read() as s:
            return self._visible(s, actor, self.load_by_name(s, name))

    def exists(self, actor: Actor, name: str) -> bool:
        """True only when the caller could see the team, so private team names do not leak."""
        with self.hub.store.read() as s:
            team = s.scalar(select(models.Team).where(models.Team.name == str(name).lower()))
            if team is None:
                return False
            return (
                actor.is_system_admin or team.allow_open_invite or self.is_member(s, team.id, actor.user_id)
            )

    def _visible(self, s: Session, actor: Actor, team: models.Team) -> TeamView:
        is_open = team.allow_open_invite and team.type == "O"
        if not is_open:
            require_team_member(s, actor, team.id)
        return TeamView(team, is_team_admin(s, actor, team.id))

    def _views(self, s: Session, actor: Actor, teams: list[models.Team]) -> list[TeamView]:
        if actor.is_system_admin:
            return [TeamView(t, True) for t in teams]
        admin_of = set(
            s.scalars(
                select(models.TeamMember.team_id).where(
                    models.TeamMember.user_id == actor.user_id,
                    models.TeamMember.delete_at == 0,
                    models.TeamMember.scheme_admin.is_(True),
                )
            )
        )
        return [TeamView(t, t.id in admin_of) for t in teams]

    def list(self, actor: Actor, query: dict[str, Any]) -> tuple[list[TeamView], int | None]:
        """System admins see every team; others the teams anyone may join. The count is only on request."""
        page, per_page = validation.paging(query.get("page"), query.get("per_page"))
        stmt = select(models.Team).where(models.Team.delete_at == 0)
        if not actor.is_system_admin:
            stmt = stmt.where(models.Team.allow_open_invite.is_(True))
        with self.hub.store.read() as s:
            teams = list(
                s.scalars(
                    stmt.order_by(models.Team.display_name, models.Team.id)
                    .offset(page * per_page)
                    .limit(per_page)
                )
            )
            total = None
            if str(query.get("include_total_count", "")).lower() == "true":
                total = s.scalar(select(func.count()).select_from(stmt.subquery()))
            return self._views(s, actor, teams), total

    def teams_of_user(self, actor: Actor, user_id: str) -> builtins.list[TeamView]:
        require_self_or_admin(actor, user_id)
        with self.hub.store.read() as s:
            self.hub.users.load(s, user_id)
            teams = list(
                s.scalars(
                    select(models.Team)
                    .join(models.TeamMember, models.TeamMember.team_id == models.Team.id)
                    .where(
                        models.TeamMember.user_id == user_id,
                        models.TeamMember.delete_at == 0,
                        models.Team.delete_at == 0,
                    )
                    .order_by(models.Team.display_name, models.Team.id)
                )
            )
            return self._views(s, actor, teams)

    def memberships_of_user(self, actor: Actor, user_id: str) -> builtins.list[models.TeamMember]:
        """Like Mattermost, this includes the teams the user has left (their delete_at is set)."""
        require_self_or_admin(actor, user_id)
        with self.hub.store.read() as s:
            self.hub.users.load(s, user_id)
            return list(
                s.scalars(
                    select(models.TeamMember)
                    .where(models.TeamMember.user_id == user_id)
                    .order_by(models.TeamMember.team_id)
                )
            )

    def unreads_of_user(
        self, actor: Actor, user_id: str, *, exclude_team_id: str = ""
    ) -> builtins.list[TeamUnread]:
        """GET /users/{id}/teams/unread: one TeamUnread per team the user has channels in."""
        validation.require_id("user_id", user_id)
        require_self_or_admin(actor, user_id)
        with self.hub.store.read() as s:
            rows = s.execute(self._channel_unreads(user_id).where(models.Channel.team_id != exclude_team_id))
            unreads: dict[str, TeamUnread] = {}
            for row in rows:
                _count_unread(unreads.setdefault(row.team_id, TeamUnread(row.team_id)), row)
        return sorted(unreads.values(), key=lambda unread: unread.team_id)

    def unread_of_user(self, actor: Actor, user_id: str, team_id: str) -> TeamUnread:
        """GET /users/{id}/teams/{team_id}/unread, for the user themself or a system admin."""
        validation.require_id("user_id", user_id)
        require_self_or_admin(actor, user_id)
        unread = TeamUnread(team_id)
        with self.hub.store.read() as s:
            self._require_view(s, actor, team_id)
            for row in s.execute(self._channel_unreads(user_id).where(models.Channel.team_id == team_id)):
                _count_unread(unread, row)
        return unread

    def _channel_unreads(self, user_id: str) -> Select[str, int, int, int, int, dict[str, Any]]:
        """The user's channels in the teams they belong to (direct and group channels have no team), with
        what they have not read, as Mattermost's GetChannelUnreadsForAllTeams counts it."""
        member = models.ChannelMember
        return (
            select(
                models.Channel.team_id,
                (models.Channel.total_msg_count - member.msg_count).label("msg_count"),
                (models.Channel.total_msg_count_root - member.msg_count_root).label("msg_count_root"),
                member.mention_count,
                member.mention_count_root,
                member.notify_props,
            )
            .join(member, member.channel_id == models.Channel.id)
            .join(
                models.TeamMember,
                (models.TeamMember.team_id == models.Channel.team_id)
                & (models.TeamMember.user_id == member.user_id),
            )
            .where(member.user_id == user_id, models.Channel.delete_at == 0, models.TeamMember.delete_at == 0)
        )

    # ---- members -------------------------------------------------------------------
    def members(self, actor: Actor, team_id: str, query: dict[str, Any]) -> builtins.list[models.TeamMember]:
        page, per_page = validation.paging(query.get("page"), query.get("per_page"))
        stmt = self._members_query(team_id)
        if str(query.get("exclude_deleted_users", "")).lower() == "true":
            stmt = stmt.join(models.User, models.User.id == models.TeamMember.user_id).where(
                models.User.delete_at == 0
            )
        with self.hub.store.read() as s:
            self._require_view(s, actor, team_id)
            return list(
                s.scalars(stmt.order_by(models.TeamMember.user_id).offset(page * per_page).limit(per_page))
            )

    def member(self, actor: Actor, team_id: str, user_id: str) -> models.TeamMember:
        validation.require_id("user_id", user_id)
        with self.hub.store.read() as s:
            self._require_view(s, actor, team_id)
            member = team_member(s, team_id, user_id)
            if member is None:
                raise team_member_not_found(f"team_id={team_id}, user_id={user_id}")
            return member

    def members_by_ids(
        self, actor: Actor, team_id: str, user_ids: builtins.list[Any]
    ) -> builtins.list[models.TeamMember]:
        if not user_ids:
            raise invalid_param("user_ids", "at least one user id is required")
        ids = [validation.require_id("user_id", user_id) for user_id in user_ids]
        with self.hub.store.read() as s:
            self._require_view(s, actor, team_id)
            return list(
                s.scalars(
                    self._members_query(team_id)
                    .where(models.TeamMember.user_id.in_(ids))
                    .order_by(models.TeamMember.user_id)
                )
            )

    def stats(self, actor: Actor, team_id: str) -> TeamStats:
        with self.hub.store.read() as s:
            self._require_view(s, actor, team_id)
            members = self._members_query(team_id).join(
                models.User, models.User.id == models.TeamMember.user_id
            )
            total = s.scalar(select(func.count()).select_from(members.subquery()))
            active = s.scalar(
                select(func.count()).select_from(members.where(models.User.delete_at == 0).subquery())
            )
        return TeamStats(team_id=team_id, total_member_count=total or 0, active_member_count=active or 0)

    def _members_query(self, team_id: str) -> Select[models.TeamMember]:
        return select(models.TeamMember).where(
            models.TeamMember.team_id == team_id, models.TeamMember.delete_at == 0
        )

    def _require_view(self, s: Session, actor: Actor, team_id: str) -> None:
        self.load(s, team_id)
        require_team_member(s, actor, team_id)

    # ---- creation and changes ------------------------------------------------------
    def create(self, actor: Actor | None, fields: dict[str, Any]) -> models.Team:
        """The creator (when there is one) becomes the team's admin; the default channels come with it."""
        name = _team_name(fields.get("name"))
        display_name = _display_name(fields.get("display_name"))
        team_type = fields.get("type") or "O"
        if team_type not in ("O", "I"):
            raise AppError("model.team.is_valid.type.app_error", "Invalid team type.", 400)
        open_invite = fields.get("allow_open_invite")
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
                description=_EDITABLE["description"](fields.get("description")),
                email=validation.require_str("email", fields.get("email"), max_len=128).lower(),
                company_name=_EDITABLE["company_name"](fields.get("company_name")),
                allowed_domains=validation.require_str(
                    "allowed_domains", fields.get("allowed_domains"), max_len=1000
                ),
                type=team_type,
                invite_id=new_id(),
                allow_open_invite=team_type == "O" if open_invite is None else _open_invite(open_invite),
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

    def patch(self, actor: Actor, team_id: str, fields: dict[str, Any], *, replace: bool = False) -> TeamView:
        """`replace` is PUT /teams/{id}: every editable field is taken from the body, absent ones emptied."""
        changes = {}
        for key, rule in _EDITABLE.items():
            if key in fields:
                changes[key] = rule(fields[key])
            elif replace and key != "display_name":
                changes[key] = False if key == "allow_open_invite" else ""
        with self.hub.store.write() as s:
            team = self.load(s, team_id)
            require_team_admin(s, actor, team_id)
            for key, value in changes.items():
                setattr(team, key, value)
            if "allow_open_invite" in changes:
                team.type = "O" if team.allow_open_invite else "I"
            team.update_at = now_ms()
            self._announce_team(s, team, "update_team")
        return TeamView(team, True)

    def _announce_team(self, s: Session, team: models.Team, name: str) -> None:
        """update_team and delete_team carry the team as its members may see it (no invite id or email)."""
        events.emit(
            s,
            events.Event(
                name,
                {"team": events.json_string(serialize.team(team, show_invite=False))},
                team_id=team.id,
                audience=events.team_audience(s, team.id),
            ),
        )

    def archive(self, actor: Actor, team_id: str, *, permanent: bool = False) -> None:
        """Mattermost keeps archived teams (delete_at set); permanent deletion over the API is off."""
        with self.hub.store.write() as s:
            team = self.load(s, team_id)
            require_team_admin(s, actor, team_id)
            if permanent:
                raise AppError(
                    "api.user.delete_team.not_enabled.app_error",
                    "Permanent team deletion feature is not enabled. Please ask your System Administrator.",
                    401,
                    f"teamId={team_id}",
                )
            team.delete_at = team.update_at = now_ms()
            self._announce_team(s, team, "delete_team")

    # ---- joining and leaving -------------------------------------------------------
    def join(self, actor: Actor, team_id: str, fields: dict[str, Any]) -> models.TeamMember:
        """POST /teams/{id}/members: anyone may join an open team; adding others needs team membership."""
        if fields.get("team_id") != team_id:
            raise invalid_param("team_id", "the body's team_id differs from the URL's")
        user_id = validation.require_id("user_id", fields.get("user_id"))

        def work(s: Session) -> models.TeamMember:
            team = self.load(s, team_id)
            if user_id == actor.user_id:
                if not team.allow_open_invite and not actor.is_system_admin:
                    raise forbidden("join_private_teams permission required")
            else:
                require_team_member(s, actor, team_id)
            return self._join(s, team, user_id)

        return self.hub.store.write_get_or_create(work)

    def join_many(
        self, actor: Actor, team_id: str, members: builtins.list[Any]
    ) -> builtins.list[models.TeamMember]:
        if len(members) > MAX_ADD_MEMBERS_BATCH:
            raise invalid_param("too many members in batch")
        if not members:
            raise invalid_param("no members in batch")
        user_ids = []
        for member in members:
            if not isinstance(member, dict) or member.get("team_id") != team_id:
                raise invalid_param("team_id", "every member must name the team of the URL")
            user_ids.append(validation.require_id("user_id", member.get("user_id")))

        def work(s: Session) -> list[models.TeamMember]:
            team = self.load(s, team_id)
            require_team_member(s, actor, team_id)
            return [self._join(s, team, user_id) for user_id in user_ids]

        return self.hub.store.write_get_or_create(work)

    def _join(self, s: Session, team: models.Team, user_id: str) -> models.TeamMember:
        user = self.hub.users.load(s, user_id)
        existing = team_member(s, team.id, user.id)
        if existing is not None:
            return existing
        if not _email_allowed(team, user):
            raise AppError(
                "api.team.join_user_to_team.allowed_domains.app_error",
                "The user cannot be added as the domain associated with the account is not permitted. "
                "Contact your System Administrator for additional details.",
                400,
                f"user_id={user_id}",
            )
        active = s.scalar(
            select(func.count())
            .select_from(models.TeamMember)
            .join(models.User, models.User.id == models.TeamMember.user_id)
            .where(
                models.TeamMember.team_id == team.id,
                models.TeamMember.delete_at == 0,
                models.User.delete_at == 0,
            )
        )
        if (active or 0) >= self.hub.config["TeamSettings"]["MaxUsersPerTeam"]:
            raise AppError(
                "app.team.join_user_to_team.max_accounts.app_error",
                "This team has reached the maximum number of allowed accounts. "
                "Contact your System Administrator to set a higher limit.",
                400,
                f"team_id={team.id}",
            )
        return self._add_member(s, team, user.id, admin=False)

    def add_member(
        self, s: Session, team: models.Team, user_id: str, *, admin: bool = False
    ) -> models.TeamMember:
        """Adds (or re-adds) a user and joins them to the team's default channels."""
        return self._add_member(s, team, user_id, admin=admin)

    def _add_member(self, s: Session, team: models.Team, user_id: str, *, admin: bool) -> models.TeamMember:
        now = now_ms()
        member = s.get(models.TeamMember, (team.id, user_id))
        was_member = member is not None and member.delete_at == 0
        if member is None:
            member = models.TeamMember(team_id=team.id, user_id=user_id, create_at=now)
            s.add(member)
        member.delete_at = 0
        member.scheme_user = True
        member.scheme_admin = member.scheme_admin or admin
        if not was_member:
            events.emit(
                s,
                events.Event("added_to_team", {"team_id": team.id, "user_id": user_id}, user_id=user_id),
            )
        defaults = s.scalars(
            select(models.Channel).where(
                models.Channel.team_id == team.id,
                models.Channel.name.in_([name for name, _ in DEFAULT_CHANNELS]),
                models.Channel.delete_at == 0,
            )
        )
        for channel in defaults:
            self.hub.channels.join(s, channel, user_id)
        return member

    def update_member_roles(self, actor: Actor, team_id: str, user_id: str, flags: tuple[bool, bool]) -> None:
        """PUT /teams/{id}/members/{user_id}/roles and /schemeRoles, with `flags` (scheme_user,
        scheme_admin) read by permissions.scheme_flags_from_*; the member's clients learn it from
        memberrole_updated."""
        validation.require_id("user_id", user_id)
        with self.hub.store.write() as s:
            self.load(s, team_id)
            require_team_admin(s, actor, team_id)
            member = team_member(s, team_id, user_id)
            if member is None:
                raise team_member_not_found(f"team_id={team_id}, user_id={user_id}")
            member.scheme_user, member.scheme_admin = flags
            member.roles = ""
            events.emit(
                s,
                events.Event(
                    "memberrole_updated",
                    {"member": events.json_string(serialize.team_member(member))},
                    user_id=user_id,
                ),
            )

    def leave(self, actor: Actor, team_id: str, user_id: str) -> None:
        """Leaving keeps the membership row (delete_at set) and ends every channel membership in the team."""
        with self.hub.store.write() as s:
            self.load(s, team_id)
            if user_id != actor.user_id and not is_team_admin(s, actor, team_id):
                raise forbidden("remove_user_from_team permission required")
            self.hub.users.load(s, user_id)
            member = s.get(models.TeamMember, (team_id, user_id))
            if member is None:
                raise team_member_not_found(f"team_id={team_id}, user_id={user_id}")
            # The leaving user hears it along with the team they are leaving.
            events.emit(
                s,
                events.Event(
                    "leave_team",
                    {"user_id": user_id, "team_id": team_id},
                    team_id=team_id,
                    audience=(*events.team_audience(s, team_id), user_id),
                ),
            )
            member.delete_at = now_ms()
            member.roles = ""
            member.scheme_admin = False
            team_channels = select(models.Channel.id).where(models.Channel.team_id == team_id)
            # A plain DELETE: no session object loaded here stands for these rows, and synchronising them
            # would fetch the rows first (Python cannot evaluate the subquery).
            s.execute(
                delete(models.ChannelMember)
                .where(
                    models.ChannelMember.user_id == user_id,
                    models.ChannelMember.channel_id.in_(team_channels),
                )
                .execution_options(synchronize_session=False)
            )
