"""Accounts: creation, lookup, profile changes, passwords, roles, deactivation."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from hub import events, models, serialize, validation
from hub.caches import Row, RowCache
from hub.errors import AppError, forbidden, invalid_param
from hub.ids import new_id, now_ms
from hub.permissions import Actor, require_admin, require_self_or_admin
from hub.security import hash_password
from hub.store import has_uncommitted_changes

if TYPE_CHECKING:
    from hub.services import Hub

PATCHABLE = {
    "username",
    "email",
    "nickname",
    "first_name",
    "last_name",
    "position",
    "locale",
    "props",
    "notify_props",
    "timezone",
}
VALID_ROLES = {"system_user", "system_admin", "system_guest", "system_user_access_token"}


def user_not_found(detail: str = "") -> AppError:
    return AppError("app.user.missing_account.const", "Unable to find the user.", 404, detail)


class UserService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._usernames: RowCache[str, str] = hub.store.add_cache(RowCache(("users",)))

    # ---- serialisation -------------------------------------------------------------
    def to_api(self, actor: Actor | None, user: models.User) -> dict[str, Any]:
        privacy = self.hub.config["PrivacySettings"]
        full = actor is not None and (actor.user_id == user.id or actor.is_system_admin)
        return serialize.user(
            user,
            full=full,
            show_email=privacy["ShowEmailAddress"],
            show_full_name=privacy["ShowFullName"],
        )

    # ---- lookups -------------------------------------------------------------------
    def username_of(self, s: Session, user_id: str) -> str:
        """A user's username, from the cache of them when it holds it (the post path names every
        post's author)."""

        def read() -> tuple[str, list[Row] | None]:
            username = self.load(s, user_id).username
            return username, None if has_uncommitted_changes(s) else [("users", user_id)]

        return self._usernames.read(user_id, read)

    def load(self, s: Session, user_id: str) -> models.User:
        validation.require_id("user_id", user_id)
        user = s.get(models.User, user_id)
        if user is None:
            raise user_not_found(f"user_id={user_id}")
        return user

    def get(self, user_id: str) -> models.User:
        with self.hub.store.read() as s:
            return self.load(s, user_id)

    def by_username(self, username: str) -> models.User:
        with self.hub.store.read() as s:
            user = s.scalar(select(models.User).where(models.User.username == username.lower()))
        if user is None:
            raise user_not_found(f"username={username}")
        return user

    def by_email(self, email: str) -> models.User:
        with self.hub.store.read() as s:
            user = s.scalar(select(models.User).where(models.User.email == email.strip().lower()))
        if user is None:
            raise user_not_found(f"email={email}")
        return user

    def by_login_id(self, s: Session, login_id: str) -> models.User | None:
        login_id = login_id.strip().lower()
        email_settings = self.hub.config["EmailSettings"]
        conditions = []
        if email_settings["EnableSignInWithUsername"]:
            conditions.append(models.User.username == login_id)
        if email_settings["EnableSignInWithEmail"]:
            conditions.append(models.User.email == login_id)
        if not conditions:
            return None
        return s.scalar(select(models.User).where(or_(*conditions)))

    def by_ids(self, user_ids: list[str]) -> list[models.User]:
        ids = [i for i in user_ids if isinstance(i, str)]
        if not ids:
            return []
        with self.hub.store.read() as s:
            return list(s.scalars(select(models.User).where(models.User.id.in_(ids))))

    def by_usernames(self, usernames: list[str]) -> list[models.User]:
        names = [n.lower() for n in usernames if isinstance(n, str)]
        if not names:
            return []
        with self.hub.store.read() as s:
            return list(s.scalars(select(models.User).where(models.User.username.in_(names))))

    # ---- creation ------------------------------------------------------------------
    def create(
        self,
        actor: Actor | None,
        fields: dict[str, Any],
        *,
        system_admin: bool = False,
        is_bot: bool = False,
        trusted: bool = False,
        on_created: Callable[[Session, models.User], None] | None = None,
    ) -> models.User:
        """`actor` is None for self sign-up; `trusted` callers (the command line, the bot service) skip the
        sign-up rules. `on_created` writes what belongs with the account in the same transaction."""
        team_settings = self.hub.config["TeamSettings"]
        username = validation.username(fields.get("username"))
        # A bot has no mailbox: Mattermost gives it username@localhost.
        email = (
            f"{username}@localhost"
            if is_bot and "email" not in fields
            else validation.email(fields.get("email"))
        )
        password = fields.get("password")
        if not is_bot:
            validation.password(password, self.hub.config["PasswordSettings"])
        domains = [
            d.strip().lower() for d in team_settings["RestrictCreationToDomains"].split(",") if d.strip()
        ]
        if domains and email.rsplit("@", 1)[1] not in domains and not (actor and actor.is_system_admin):
            raise AppError(
                "api.user.create_user.accepted_domain.app_error",
                "The email you provided does not belong to an accepted domain.",
                400,
            )
        # Hashed before the transaction: on SQLite's one connection every other request would wait for it.
        hashed = hash_password(password) if password else ""
        now = now_ms()
        with self.hub.store.write() as s:
            first_user = s.scalar(select(func.count()).select_from(models.User)) == 0
            if not trusted:
                self._check_may_create(s, actor, first_user)
            require_free(s, models.User.username, username)
            require_free(s, models.User.email, email)
            roles = "system_user"
            # Like Mattermost, the first account on a server becomes its administrator.
            if system_admin or (first_user and not is_bot):
                roles = "system_admin system_user"
            user = models.User(
                id=new_id(),
                create_at=now,
                update_at=now,
                delete_at=0,
                username=username,
                password=hashed,
                email=email,
                email_verified=trusted or (actor is not None and actor.is_system_admin),
                nickname=validation.text("nickname", fields.get("nickname"), max_len=64),
                first_name=validation.text("first_name", fields.get("first_name"), max_len=64),
                last_name=validation.text("last_name", fields.get("last_name"), max_len=64),
                position=validation.text("position", fields.get("position"), max_len=128),
                locale=validation.text("locale", fields.get("locale"), max_len=5) or "en",
                roles=roles,
                props=_dict_field("props", fields.get("props")),
                notify_props=_dict_field("notify_props", fields.get("notify_props")),
                timezone=_dict_field("timezone", fields.get("timezone")),
                last_password_update=now,
                is_bot=is_bot,
                bot_description=validation.text(
                    "description", fields.get("bot_description"), max_len=1024, multiline=True
                ),
            )
            s.add(user)
            s.add(models.Status(user_id=user.id, status="offline", last_activity_at=0))
            if on_created is not None:
                on_created(s, user)
            events.emit(s, events.Event("new_user", {"user_id": user.id}))
        return user

    def _check_may_create(self, s: Session, actor: Actor | None, first_user: bool) -> None:
        if first_user or (actor is not None and actor.is_system_admin):
            return
        team_settings = self.hub.config["TeamSettings"]
        if not team_settings["EnableUserCreation"]:
            raise AppError(
                "api.user.create_user.signup_email_disabled.app_error",
                "User sign-up is disabled.",
                501,
            )
        if not team_settings["EnableOpenServer"]:
            raise AppError(
                "api.user.create_user.no_open_server",
                "This server does not allow open signups. Please speak with your Administrator to receive an invitation.",
                403,
            )

    # ---- changes -------------------------------------------------------------------
    def patch(
        self, actor: Actor, user_id: str, fields: dict[str, Any], *, replace: bool = False
    ) -> models.User:
        require_self_or_admin(actor, user_id)
        if "email" in fields and actor.user_id == user_id:
            self._confirm_own_email_change(user_id, fields, replace)
        with self.hub.store.write() as s:
            user = self.load(s, user_id)
            self.apply_patch(s, user, fields, replace=replace)
            self.announce_updated(s, user)
        return user

    @staticmethod
    def apply_patch(s: Session, user: models.User, fields: dict[str, Any], *, replace: bool = False) -> None:
        """A user patch's profile fields onto `user`, in the caller's transaction; other keys are ignored."""
        for key, value in fields.items():
            if key not in PATCHABLE:
                continue
            if key == "username":
                value = validation.username(value)
                require_free(s, models.User.username, value, user.id)
            elif key == "email":
                value = validation.email(value)
                require_free(s, models.User.email, value, user.id)
            elif key in ("props", "notify_props", "timezone"):
                value = _dict_field(key, value)
                if key == "notify_props" and not replace:
                    value = {**(user.notify_props or {}), **value}
            else:
                value = validation.text(key, value, max_len=128 if key == "position" else 64)
            setattr(user, key, value)
        user.update_at = now_ms()

    def _confirm_own_email_change(self, user_id: str, fields: dict[str, Any], replace: bool) -> None:
        """As in Mattermost, a user who changes their own email confirms it with their password (an admin
        changing another's does not), so that a stolen session cannot take the account over through a
        password reset sent to a new address. A wrong password answers 401 to a patch, 400 to a PUT."""
        user = self.get(user_id)
        if validation.email(fields["email"]) == user.email:
            return
        password = fields.get("password")
        if not isinstance(password, str) or not password:
            raise invalid_param("password", "changing your own email needs your password")
        if replace:
            wrong = invalid_param("password", "the password is incorrect")
        else:
            wrong = AppError(
                "api.user.check_user_password.invalid.app_error",
                "Login failed because of invalid password.",
                401,
            )
        self.hub.auth.double_check_password(user, password, wrong)

    def announce_updated(self, s: Session, user: models.User) -> None:
        """user_updated to everyone, as Mattermost sends it: the whole profile to the user and to system
        admins, the sanitised one (privacy settings applied) to all others."""
        admins = s.scalars(
            select(models.User.id).where(
                models.User.roles.contains("system_admin"),
                models.User.delete_at == 0,
                models.User.id != user.id,
            )
        )
        entitled = (user.id, *admins)
        whole = self.to_api(Actor(user.id, user.roles), user)
        events.emit(s, events.Event("user_updated", {"user": whole}, audience=entitled))
        events.emit(s, events.Event("user_updated", {"user": self.to_api(None, user)}, omit_users=entitled))

    def update_password(self, actor: Actor, user_id: str, current: Any, new: Any) -> None:
        """Users change their own password with the current one; system admins reset others' without."""
        require_self_or_admin(actor, user_id)
        by_self = actor.user_id == user_id
        if by_self:
            self.hub.auth.double_check_password(
                self.get(user_id),
                current,
                AppError(
                    "api.user.update_password.incorrect.app_error",
                    'The "Current Password" you entered is incorrect. '
                    "Please check that Caps Lock is off and try again.",
                    400,
                ),
            )
        hashed = hash_password(validation.password(new, self.hub.config["PasswordSettings"]))
        with self.hub.store.write() as s:
            user = self.load(s, user_id)
            user.password = hashed
            user.last_password_update = user.update_at = now_ms()
            user.failed_attempts = 0
            # As in Mattermost, whoever knew the old password must not stay signed in: the user keeps the
            # session they changed it from, an admin's reset ends every session. Personal access tokens stay
            # (they are revoked one by one), as in Mattermost.
            ended = models.Session.user_id == user_id
            if by_self:
                ended = and_(ended, models.Session.id != actor.session_id)
            self.hub.auth.end_sessions(s, ended)

    def update_roles(self, actor: Actor, user_id: str, roles: Any) -> None:
        require_admin(actor)
        roles_text = validation.require_str("roles", roles, required=True)
        names = roles_text.split()
        if not set(names) <= VALID_ROLES or "system_user" not in names and "system_guest" not in names:
            raise invalid_param("roles", f"unknown or incomplete roles {roles_text!r}")
        with self.hub.store.write() as s:
            user = self.load(s, user_id)
            user.roles = " ".join(names)
            user.update_at = now_ms()
            events.emit(
                s,
                events.Event("user_role_updated", {"user_id": user.id, "roles": user.roles}, user_id=user.id),
            )

    def set_active(self, actor: Actor, user_id: str, active: Any) -> None:
        """Deactivation ends every session at once; personal access tokens stop working with it."""
        validation.require_bool("active", active)
        if actor.user_id != user_id:
            require_admin(actor)
        elif active:
            raise forbidden("a deactivated user cannot reactivate themself")
        with self.hub.store.write() as s:
            user = self.load(s, user_id)
            self.apply_active(s, user, active)
            if not active and self.hub.config["ServiceSettings"]["DisableBotsWhenOwnerIsDeactivated"]:
                self.hub.bots.disable_owned_by(s, user_id)

    def apply_active(self, s: Session, user: models.User, active: bool) -> None:
        """Activates or deactivates an account in the caller's transaction: deactivation ends its sessions
        and sockets at once, and its tokens stop working (resolve refuses inactive accounts)."""
        now = now_ms()
        user.delete_at = 0 if active else now
        user.update_at = now
        self.announce_updated(s, user)
        if not active:
            # A plain DELETE: no session object loaded here stands for these rows.
            s.execute(
                delete(models.Session)
                .where(models.Session.user_id == user.id)
                .execution_options(synchronize_session=False)
            )
            events.emit(s, events.close_sockets(user_ids=[user.id]))

    # ---- listing -------------------------------------------------------------------
    def list(self, actor: Actor, query: dict[str, Any]) -> list[models.User]:
        page, per_page = validation.paging(query.get("page"), query.get("per_page"))
        stmt = select(models.User)
        stmt = self._filter_membership(stmt, actor, query)
        if truthy(query.get("active")):
            stmt = stmt.where(models.User.delete_at == 0)
        if truthy(query.get("inactive")):
            stmt = stmt.where(models.User.delete_at != 0)
        if query.get("role"):
            stmt = stmt.where(models.User.roles.contains(str(query["role"])))
        if query.get("sort") == "create_at":
            stmt = stmt.order_by(models.User.create_at.desc(), models.User.id)
        else:
            stmt = stmt.order_by(models.User.username)
        with self.hub.store.read() as s:
            return list(s.scalars(stmt.offset(page * per_page).limit(per_page)))

    def _filter_membership(
        self, stmt: Select[models.User], actor: Actor, query: dict[str, Any]
    ) -> Select[models.User]:
        with self.hub.store.read() as s:
            for key, model, column, member_ok in (
                ("in_team", models.TeamMember, models.TeamMember.team_id, True),
                ("team_id", models.TeamMember, models.TeamMember.team_id, True),
                ("not_in_team", models.TeamMember, models.TeamMember.team_id, False),
                ("not_in_team_id", models.TeamMember, models.TeamMember.team_id, False),
                ("in_channel", models.ChannelMember, models.ChannelMember.channel_id, True),
                ("in_channel_id", models.ChannelMember, models.ChannelMember.channel_id, True),
                ("not_in_channel", models.ChannelMember, models.ChannelMember.channel_id, False),
                ("not_in_channel_id", models.ChannelMember, models.ChannelMember.channel_id, False),
            ):
                value = query.get(key)
                if not value:
                    continue
                validation.require_id(key, value)
                self._check_scope(s, actor, key, value)
                members = select(model.user_id).where(column == value)
                if model is models.TeamMember:
                    members = members.where(models.TeamMember.delete_at == 0)
                stmt = stmt.where(
                    models.User.id.in_(members) if member_ok else models.User.id.not_in(members)
                )
        return stmt

    def _check_scope(self, s: Session, actor: Actor, key: str, value: str) -> None:
        from hub import permissions

        if "team" in key:
            permissions.require_team_member(s, actor, value)
        else:
            channel = s.get(models.Channel, value)
            if channel is None:
                raise AppError(
                    "app.channel.get.existing.app_error", "Unable to find the existing channel.", 404
                )
            permissions.require_read_channel(s, actor, channel)

    def search(self, actor: Actor, body: dict[str, Any]) -> builtins.list[models.User]:
        term = validation.require_str("term", body.get("term"), max_len=64).strip().lower().lstrip("@")
        limit = body.get("limit", 100)
        if not isinstance(limit, int) or limit <= 0:
            raise invalid_param("limit", "limit must be a positive whole number")
        stmt = self._filter_membership(select(models.User), actor, body)
        if not body.get("allow_inactive"):
            stmt = stmt.where(models.User.delete_at == 0)
        if term:
            like = f"{_escape_like(term)}%"
            stmt = stmt.where(
                or_(
                    func.lower(models.User.username).like(like, escape="\\"),
                    func.lower(models.User.first_name).like(like, escape="\\"),
                    func.lower(models.User.last_name).like(like, escape="\\"),
                    func.lower(models.User.nickname).like(like, escape="\\"),
                    func.lower(models.User.email).like(like, escape="\\"),
                )
            )
        with self.hub.store.read() as s:
            return list(s.scalars(stmt.order_by(models.User.username).limit(min(limit, 1000))))

    def autocomplete(self, actor: Actor, query: dict[str, Any]) -> dict[str, builtins.list[models.User]]:
        """Mattermost answers `users` (in the channel, or team) and `out_of_channel` (team members not in it)."""
        name = query.get("name", "")
        limit = validation.whole_number("limit", query.get("limit"), default=100)
        base = {"term": name, "limit": limit}
        if query.get("in_channel"):
            inside = self.search(actor, {**base, "in_channel_id": query["in_channel"]})
            outside: list[models.User] = []
            if query.get("in_team"):
                outside = self.search(
                    actor, {**base, "team_id": query["in_team"], "not_in_channel_id": query["in_channel"]}
                )
            return {"users": inside, "out_of_channel": outside}
        if query.get("in_team"):
            return {"users": self.search(actor, {**base, "team_id": query["in_team"]})}
        return {"users": self.search(actor, base)}


def _dict_field(name: str, value: Any) -> dict[str, str]:
    return {} if value is None else validation.string_map(name, value)


def require_free(s: Session, column: Any, value: str, user_id: str = "") -> None:
    """A username or email no other account holds (`user_id`'s own is free to keep)."""
    holder = s.scalar(select(models.User.id).where(column == value))
    if holder is not None and holder != user_id:
        what = column.key
        raise AppError(
            f"app.user.save.{what}_exists.app_error", f"An account with that {what} already exists.", 400
        )


def truthy(value: Any) -> bool:
    """A query flag: "true" or "1" (any case), as Go's strconv.ParseBool reads them; anything else is off."""
    return str(value).lower() in ("true", "1")


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
