"""Bot accounts, as Mattermost has them: a users row with is_bot, and a bots row with the owner and the
bot's own lifecycle. Under Mattermost's default permissions only system admins create, read and manage
bots; to anyone else a bot is not there (404), so that the answer does not tell which accounts are bots.
A disabled bot is a deactivated account: none of its sessions or tokens work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any
from xml.etree import ElementTree

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from hub import models, validation
from hub.errors import AppError, forbidden, invalid_param
from hub.ids import now_ms
from hub.permissions import Actor
from hub.security import hash_password
from hub.services.users import require_free, truthy, user_not_found

if TYPE_CHECKING:
    from hub.services import Hub

# Mattermost's BotDisplayNameMaxRunes (a user's first name) and BotDescriptionMaxRunes.
DISPLAY_NAME_MAX = 64
DESCRIPTION_MAX = 1024


# Bot icons are small SVG files; the upload limit for any file would let one weigh megabytes.
ICON_MAX_BYTES = 1024 * 1024


def icon_path(bot_user_id: str) -> str:
    return f"bots/{bot_user_id}/icon.svg"


def _is_svg(data: bytes) -> bool:
    """An SVG document: XML whose root is <svg>. A DOCTYPE is refused, so that no entity is ever expanded."""
    if b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        return False
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return False
    return root.tag == "svg" or root.tag.endswith("}svg")


@dataclass(frozen=True)
class BotView:
    bot: models.Bot
    user: models.User


def bot_not_found(bot_user_id: str) -> AppError:
    return AppError(
        "store.sql_bot.get.missing.app_error", "Unable to find the bot.", 404, f"user_id={bot_user_id}"
    )


def _as_bot_error(error_id: str, message: str, read: Callable[[], str]) -> str:
    """Bot fields answer Mattermost's Bot.IsValid ids (its display name's is, as there, the user id's)."""
    try:
        return read()
    except AppError as error:
        raise AppError(error_id, message, 400, error.detailed_error or error.message) from None


def _username(value: Any) -> str:
    return _as_bot_error(
        "model.bot.is_valid.username.app_error", "Invalid bot username.", lambda: validation.username(value)
    )


def _display_name(value: Any) -> str:
    return _as_bot_error(
        "model.bot.is_valid.user_id.app_error",
        "Invalid bot display name: at most 64 characters, no control characters.",
        lambda: validation.text("display_name", value, max_len=DISPLAY_NAME_MAX),
    )


def _description(value: Any) -> str:
    return _as_bot_error(
        "model.bot.is_valid.description.app_error",
        "Invalid bot description: at most 1024 characters, no control characters but line breaks.",
        lambda: validation.text("description", value, max_len=DESCRIPTION_MAX, multiline=True),
    )


class BotService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    # ---- who may ---------------------------------------------------------------------
    @staticmethod
    def _require_create(actor: Actor | None) -> None:
        if actor is None:
            return
        if not actor.is_system_admin or actor.is_bot:
            raise forbidden("create_bot permission required")

    def _load(
        self, s: Session, actor: Actor | None, bot_user_id: str, *, include_deleted: bool = True
    ) -> BotView:
        """The bot, for a caller who may see it; anyone else is answered as if it did not exist."""
        validation.require_id("bot_user_id", bot_user_id)
        bot = s.get(models.Bot, bot_user_id)
        user = s.get(models.User, bot_user_id) if bot is not None else None
        if bot is None or user is None or (bot.delete_at and not include_deleted):
            raise bot_not_found(bot_user_id)
        if actor is not None and not actor.is_system_admin:
            raise bot_not_found(bot_user_id)
        return BotView(bot, user)

    def _owner(self, s: Session, owner_id: str) -> models.User:
        owner = s.get(models.User, validation.require_id("user_id", owner_id))
        if owner is None:
            raise user_not_found(f"user_id={owner_id}")
        if owner.is_bot:
            raise forbidden("a bot cannot own a bot")
        return owner

    # ---- reading ---------------------------------------------------------------------
    def get(self, actor: Actor, bot_user_id: str, *, include_deleted: bool = False) -> BotView:
        with self.hub.store.read() as s:
            return self._load(s, actor, bot_user_id, include_deleted=include_deleted)

    def list(self, actor: Actor | None, query: dict[str, Any]) -> list[BotView]:
        """GET /bots: by username; `include_deleted` adds disabled bots, `only_orphaned` keeps the bots
        whose owner is deactivated."""
        if actor is not None and not actor.is_system_admin:
            raise forbidden("read_bots permission required")
        page, per_page = validation.paging(query.get("page"), query.get("per_page"))
        stmt: Select[models.Bot, models.User] = select(models.Bot, models.User).join(
            models.User, models.User.id == models.Bot.user_id
        )
        if not truthy(query.get("include_deleted")):
            stmt = stmt.where(models.Bot.delete_at == 0)
        if truthy(query.get("only_orphaned")):
            owner = aliased(models.User)
            stmt = stmt.join(owner, owner.id == models.Bot.owner_id).where(owner.delete_at != 0)
        stmt = stmt.order_by(models.User.username).offset(page * per_page).limit(per_page)
        with self.hub.store.read() as s:
            return [BotView(bot, user) for bot, user in s.execute(stmt)]

    # ---- writing ---------------------------------------------------------------------
    def create(self, actor: Actor | None, fields: Any, *, owner_id: str = "") -> BotView:
        """POST /bots, owned by the caller; the command line (`actor` None) names the owner."""
        self._require_create(actor)
        if not isinstance(fields, dict):
            raise invalid_param("bot", "a bot is a JSON object")
        if not self.hub.config["ServiceSettings"]["EnableBotAccountCreation"]:
            raise AppError(
                "api.bot.create_disabled",
                "Bot creation has been disabled.",
                403,
                "ServiceSettings.EnableBotAccountCreation is off",
            )
        owner_id = actor.user_id if actor is not None else owner_id
        username = _username(fields.get("username"))
        display_name = _display_name(fields.get("display_name"))
        description = _description(fields.get("description"))
        now = now_ms()
        created: list[models.Bot] = []

        def record(s: Session, user: models.User) -> None:
            self._owner(s, owner_id)
            bot = models.Bot(
                user_id=user.id,
                owner_id=owner_id,
                last_icon_update=0,
                create_at=now,
                update_at=now,
                delete_at=0,
            )
            s.add(bot)
            created.append(bot)

        user = self.hub.users.create(
            actor,
            {"username": username, "first_name": display_name, "bot_description": description},
            is_bot=True,
            trusted=True,
            on_created=record,
        )
        return BotView(created[0], user)

    def patch(self, actor: Actor | None, bot_user_id: str, fields: Any) -> BotView:
        """PUT /bots/{id}: username, display_name and description, each when given."""
        if not isinstance(fields, dict):
            raise invalid_param("bot", "a bot patch is a JSON object")
        with self.hub.store.write() as s:
            view = self._load(s, actor, bot_user_id)
            user = view.user
            if fields.get("username") is not None:
                username = _username(fields["username"])
                require_free(s, models.User.username, username, user.id)
                user.username = username
            if fields.get("display_name") is not None:
                user.first_name = _display_name(fields["display_name"])
            if fields.get("description") is not None:
                user.bot_description = _description(fields["description"])
            view.bot.update_at = user.update_at = now_ms()
            self.hub.users.announce_updated(s, user)
            return view

    def set_active(self, actor: Actor | None, bot_user_id: str, active: bool) -> BotView:
        """POST /bots/{id}/enable and /disable."""
        with self.hub.store.write() as s:
            view = self._load(s, actor, bot_user_id)
            self._apply_active(s, view, active)
            return view

    def _apply_active(self, s: Session, view: BotView, active: bool) -> None:
        if bool(view.bot.delete_at) != active:
            return
        now = now_ms()
        view.bot.delete_at = 0 if active else now
        view.bot.update_at = now
        self.hub.users.apply_active(s, view.user, active)

    def disable_owned_by(self, s: Session, owner_id: str) -> None:
        """Mattermost's DisableBotsWhenOwnerIsDeactivated: the owner's bots go with them."""
        rows = s.execute(
            select(models.Bot, models.User)
            .join(models.User, models.User.id == models.Bot.user_id)
            .where(models.Bot.owner_id == owner_id, models.Bot.delete_at == 0)
        )
        for bot, user in rows.all():
            self._apply_active(s, BotView(bot, user), False)

    def assign(self, actor: Actor | None, bot_user_id: str, owner_id: str) -> BotView:
        """POST /bots/{id}/assign/{user_id}: another person owns the bot from now on."""
        with self.hub.store.write() as s:
            view = self._load(s, actor, bot_user_id)
            view.bot.owner_id = self._owner(s, owner_id).id
            view.bot.update_at = now_ms()
            return view

    # ---- icons -------------------------------------------------------------------------
    def set_icon(self, actor: Actor, bot_user_id: str, read_upload: Callable[[], IO[bytes]]) -> None:
        """POST /bots/{id}/icon: an SVG image (Mattermost takes no other kind), read once the caller is
        known to be allowed, at most ICON_MAX_BYTES."""
        with self.hub.store.read() as s:
            self._load(s, actor, bot_user_id)
        svg = read_upload().read(ICON_MAX_BYTES + 1)
        if len(svg) > ICON_MAX_BYTES:
            raise AppError(
                "api.bot.set_bot_icon_image.too_large.app_error",
                "Unable to upload the bot icon. The file is too large.",
                413,
                f"limit={ICON_MAX_BYTES}",
            )
        if not _is_svg(svg):
            raise AppError(
                "api.bot.set_bot_icon_image.app_error", "The bot icon must be an SVG image.", 400, "not SVG"
            )
        self.hub.files.storage.write_bytes(icon_path(bot_user_id), svg)
        self._icon_changed(bot_user_id, now_ms())

    def icon(self, bot_user_id: str) -> tuple[bytes, int]:
        """GET /bots/{id}/icon, for anyone signed in (bots' icons show beside their posts): the SVG and
        its last_icon_update."""
        with self.hub.store.read() as s:
            view = self._load(s, None, bot_user_id)
        if view.bot.last_icon_update:
            try:
                stored, _ = self.hub.files.storage.open(icon_path(bot_user_id))
                with stored:
                    return stored.read(), view.bot.last_icon_update
            except OSError:
                pass
        raise AppError("api.bot.get_bot_icon_image.read.app_error", "Unable to read the bot icon.", 404)

    def delete_icon(self, actor: Actor, bot_user_id: str) -> None:
        with self.hub.store.read() as s:
            self._load(s, actor, bot_user_id)
        self.hub.files.storage.remove_tree(f"bots/{bot_user_id}")
        self._icon_changed(bot_user_id, 0)

    def _icon_changed(self, bot_user_id: str, moment: int) -> None:
        with self.hub.store.write() as s:
            view = self._load(s, None, bot_user_id)
            view.bot.last_icon_update = moment
            view.bot.update_at = view.user.update_at = now_ms()
            self.hub.users.announce_updated(s, view.user)

    def convert_to_user(
        self, actor: Actor, bot_user_id: str, fields: Any, *, system_admin: bool
    ) -> models.User:
        """POST /bots/{id}/convert_to_user (system admins): the account becomes a person's, with the
        password given (and the other profile fields of a user patch); its bots row goes."""
        if not actor.is_system_admin:
            raise forbidden("manage_system permission required")
        if (
            not isinstance(fields, dict)
            or not isinstance(fields.get("password"), str)
            or not fields["password"]
        ):
            raise invalid_param("userPatch", "a password is required")
        validation.password(fields["password"], self.hub.config["PasswordSettings"])
        hashed = hash_password(fields["password"])
        with self.hub.store.write() as s:
            view = self._load(s, actor, bot_user_id, include_deleted=False)
            user = view.user
            self.hub.users.apply_patch(s, user, fields)
            user.is_bot = False
            user.bot_description = ""
            user.password = hashed
            user.last_password_update = user.update_at = now_ms()
            if system_admin:
                user.roles = "system_admin system_user"
            s.delete(view.bot)
            self.hub.users.announce_updated(s, user)
            return user
