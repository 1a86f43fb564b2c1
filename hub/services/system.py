"""The server itself: the client configuration, the whole configuration for system admins, the recent
log lines and the statistics of Mattermost's system console."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hub import MATTERMOST_COMPAT_VERSION, logbuffer, models, validation
from hub.config import Config
from hub.errors import AppError, invalid_param
from hub.ids import now_ms
from hub.permissions import Actor, require_admin, require_team_admin

if TYPE_CHECKING:
    from hub.services import Hub

logger = logging.getLogger(__name__)

DAY_MS = 24 * 60 * 60 * 1000
# Mattermost's MonthMilliseconds.
MONTH_MS = 31 * DAY_MS


def _flag(value: bool) -> str:
    return "true" if value else "false"


class SystemService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    # ---- client configuration ------------------------------------------------------
    def client_config(self, actor: Actor | None) -> dict[str, str]:
        """GET /config/client?format=old: Mattermost's limited client configuration for anyone, the whole
        one for a signed-in caller (config/client.go), as strings. Features Hubbub lacks are answered off."""
        config = self.hub.config
        service, team, email, password = (
            config["ServiceSettings"],
            config["TeamSettings"],
            config["EmailSettings"],
            config["PasswordSettings"],
        )
        with self.hub.store.read() as s:
            no_accounts = s.scalar(select(models.User.id).limit(1)) is None
        answer = {
            "Version": MATTERMOST_COMPAT_VERSION,
            "BuildNumber": "hubbub",
            "BuildDate": "",
            "BuildHash": "",
            "BuildHashEnterprise": "",
            "BuildEnterpriseReady": "false",
            "SiteURL": config.site_url,
            "SiteName": team["SiteName"],
            "WebsocketURL": "",
            "EnableUserCreation": _flag(team["EnableUserCreation"]),
            "EnableOpenServer": _flag(team["EnableOpenServer"]),
            "EnableBotAccountCreation": _flag(service["EnableBotAccountCreation"]),
            "AndroidLatestVersion": "",
            "AndroidMinVersion": "",
            "IosLatestVersion": "",
            "IosMinVersion": "",
            "EnableDiagnostics": "false",
            "DiagnosticsEnabled": "false",
            "EnableSignUpWithEmail": _flag(email["EnableSignUpWithEmail"]),
            "EnableSignInWithEmail": _flag(email["EnableSignInWithEmail"]),
            "EnableSignInWithUsername": _flag(email["EnableSignInWithUsername"]),
            "EnableSignUpWithGitLab": "false",
            "EnableSignUpWithGoogle": "false",
            "EnableSignUpWithOffice365": "false",
            "EnableSignUpWithOpenId": "false",
            "EnableLdap": "false",
            "EnableSaml": "false",
            "EnableGuestAccounts": "false",
            "EnableCustomBrand": "false",
            "CustomBrandText": "",
            "CustomDescriptionText": "",
            "DefaultClientLocale": "en",
            "EnableCustomEmoji": "false",
            "PluginsEnabled": "false",
            "PasswordMinimumLength": str(password["MinimumLength"]),
            "PasswordRequireLowercase": _flag(password["Lowercase"]),
            "PasswordRequireUppercase": _flag(password["Uppercase"]),
            "PasswordRequireNumber": _flag(password["Number"]),
            "PasswordRequireSymbol": _flag(password["Symbol"]),
            "EnableMultifactorAuthentication": "true",
            "EnforceMultifactorAuthentication": "false",
            "NoAccounts": _flag(no_accounts),
        }
        if actor is None:
            return answer
        files = config["FileSettings"]
        return answer | {
            "TeammateNameDisplay": team["TeammateNameDisplay"],
            "LockTeammateNameDisplay": "false",
            "ExperimentalViewArchivedChannels": "true",
            "EnableIncomingWebhooks": _flag(service["EnableIncomingWebhooks"]),
            "EnableOutgoingWebhooks": _flag(service["EnableOutgoingWebhooks"]),
            "EnableCommands": _flag(service["EnableCommands"]),
            "EnablePostUsernameOverride": _flag(service["EnablePostUsernameOverride"]),
            "EnablePostIconOverride": _flag(service["EnablePostIconOverride"]),
            "EnableUserAccessTokens": _flag(service["EnableUserAccessTokens"]),
            "EnableOAuthServiceProvider": "false",
            "EnableLinkPreviews": "false",
            "EnableDeveloper": _flag(service["EnableDeveloper"]),
            "EnableTesting": "false",
            "ExtendSessionLengthWithActivity": _flag(service["ExtendSessionLengthWithActivity"]),
            "ExperimentalEnableDefaultChannelLeaveJoinMessages": _flag(
                service["ExperimentalEnableDefaultChannelLeaveJoinMessages"]
            ),
            "EnableLatex": _flag(service["EnableLatex"]),
            "EnableInlineLatex": _flag(service["EnableInlineLatex"]),
            "TimeBetweenUserTypingUpdatesMilliseconds": str(
                service["TimeBetweenUserTypingUpdatesMilliseconds"]
            ),
            "EnableUserTypingMessages": "true",
            "EnableChannelViewedMessages": "true",
            "ExperimentalEnablePostMetadata": "true",
            # No followed threads: clients keep replies in the channel.
            "CollapsedThreads": "disabled",
            "SendEmailNotifications": "false",
            "SendPushNotifications": "false",
            "RequireEmailVerification": _flag(email["RequireEmailVerification"]),
            "ShowEmailAddress": _flag(config["PrivacySettings"]["ShowEmailAddress"]),
            "ShowFullName": _flag(config["PrivacySettings"]["ShowFullName"]),
            "EnableFileAttachments": _flag(files["EnableFileAttachments"]),
            "EnablePublicLink": "false",
            "MaxFileSize": str(files["MaxFileSize"]),
            "MaxPostSize": str(service["MaximumPostLength"]),
            "SQLDriverName": config["SqlSettings"]["DriverName"],
            "EnableMarketplace": "false",
            "IsDefaultMarketplace": "false",
        }

    # ---- the whole configuration ---------------------------------------------------
    def config(self, actor: Actor) -> dict[str, Any]:
        """GET /config: every setting in force, secrets masked."""
        require_admin(actor)
        return self.hub.config.sanitized()

    def environment(self, actor: Actor) -> dict[str, dict[str, bool]]:
        """GET /config/environment: true for each setting an MM_* variable sets."""
        require_admin(actor)
        return {
            section: dict.fromkeys(settings, True)
            for section, settings in self.hub.config.environment.items()
            if settings
        }

    def replace_config(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        """PUT /config: the whole configuration; settings left out take their defaults."""
        require_admin(actor)
        return self._apply(actor, self.hub.config.replaced(data))

    def patch_config(self, actor: Actor, patch: dict[str, Any]) -> dict[str, Any]:
        """PUT /config/patch: only the settings sent change."""
        require_admin(actor)
        return self._apply(actor, self.hub.config.patched(patch))

    def _apply(self, actor: Actor, new: Config) -> dict[str, Any]:
        """Saves a validated configuration to its file (kept in memory only when it has none) and runs with
        it at once; the other processes read the file on their next request (Hub.refresh_config)."""
        if self.hub.config["ServiceSettings"]["SiteURL"] and not new["ServiceSettings"]["SiteURL"]:
            raise AppError(
                "api.config.update_config.clear_siteurl.app_error", "Site URL cannot be cleared.", 400
            )
        if new.path is not None:
            try:
                new.save()
            except OSError as exc:
                logger.exception("could not save the configuration to %s", new.path)
                raise AppError(
                    "app.save_config.app_error",
                    "An error occurred saving the configuration.",
                    500,
                    type(exc).__name__,
                ) from None
        self.hub.config = new
        logger.info("the configuration was changed by user %s", actor.user_id)
        return new.sanitized()

    # ---- logs ----------------------------------------------------------------------
    def logs(self, actor: Actor, page: Any, per_page: Any) -> list[str]:
        """GET /logs: this process's recent log lines (Mattermost's JSON lines), newest last."""
        require_admin(actor)
        page_n, per_page_n = validation.paging(
            page, per_page, default=logbuffer.LINES, maximum=logbuffer.LINES, per_page_name="logs_per_page"
        )
        return logbuffer.BUFFER.lines(page_n, per_page_n)

    # ---- statistics ----------------------------------------------------------------
    def analytics(
        self, actor: Actor, name: str, team_id: str, *, websocket_connections: int
    ) -> list[dict[str, Any]]:
        """GET /analytics/old?name=standard: the site's (system admins) or a team's (its admins too)
        numbers, as Mattermost's getStandardAnalytics rows. `websocket_connections` is this process's."""
        with self.hub.store.read() as s:
            if team_id:
                self.hub.teams.load(s, validation.require_id("team_id", team_id))
                require_team_admin(s, actor, team_id)
            else:
                require_admin(actor)
            name = name or "standard"
            if name in _PER_DAY:
                return _per_day(s, name, team_id)
            if name != "standard":
                raise invalid_param("name", f"no statistics named {name!r}")
            now = now_ms()
            channels = select(models.Channel.type, func.count()).where(models.Channel.delete_at == 0)
            posts = select(func.count()).select_from(models.Post)
            users = (
                select(func.count())
                .select_from(models.User)
                .where(models.User.delete_at == 0, models.User.is_bot.is_(False))
            )
            bots = (
                select(func.count())
                .select_from(models.User)
                .where(models.User.delete_at == 0, models.User.is_bot.is_(True))
            )
            if team_id:
                channels = channels.where(models.Channel.team_id == team_id)
                posts = posts.join(models.Channel, models.Channel.id == models.Post.channel_id).where(
                    models.Channel.team_id == team_id
                )
                users, bots = (_in_team(count, team_id) for count in (users, bots))
            by_type = dict(s.execute(channels.group_by(models.Channel.type)).all())
            inactive: int | None = -1
            if not team_id:
                inactive = s.scalar(
                    select(func.count()).select_from(models.User).where(models.User.delete_at != 0)
                )
            rows = {
                "channel_open_count": by_type.get("O", 0),
                "channel_private_count": by_type.get("P", 0),
                "post_count": s.scalar(posts),
                "unique_user_count": s.scalar(users),
                "team_count": s.scalar(
                    select(func.count()).select_from(models.Team).where(models.Team.delete_at == 0)
                ),
                "total_websocket_connections": websocket_connections,
                "total_master_db_connections": self.hub.store.open_connections(),
                # Every read goes to SqlSettings.DataSource: no replica connections.
                "total_read_db_connections": 0,
                "daily_active_users": s.scalar(_active_since(now - DAY_MS)),
                "monthly_active_users": s.scalar(_active_since(now - MONTH_MS)),
                "inactive_user_count": inactive,
                # Hubbub's own row, after Mattermost's.
                "bot_account_count": s.scalar(bots),
            }
        return [{"name": row, "value": value} for row, value in rows.items()]


# Mattermost's per-day rows: posts, posts by bots, and people who posted, over the last 31 days.
_PER_DAY = ("post_counts_day", "bot_post_counts_day", "user_counts_with_posts_day")


def _per_day(s: Session, name: str, team_id: str) -> list[dict[str, Any]]:
    """Rows named by their UTC day ("2026-12-04"), newest first, days without posts left out, as
    Mattermost's AnalyticsPostCountsByDay and AnalyticsUserCountsWithPostsByDay answer them."""
    # The day's first millisecond, with arithmetic all three databases do alike on integers.
    day = (models.Post.create_at - models.Post.create_at % DAY_MS).label("day")
    counted = (
        func.count(func.distinct(models.Post.user_id))
        if name == "user_counts_with_posts_day"
        else func.count()
    )
    query = select(day, counted).where(models.Post.create_at >= now_ms() - MONTH_MS)
    if team_id:
        query = query.join(models.Channel, models.Channel.id == models.Post.channel_id).where(
            models.Channel.team_id == team_id
        )
    if name == "bot_post_counts_day":
        query = query.join(models.User, models.User.id == models.Post.user_id).where(
            models.User.is_bot.is_(True)
        )
    rows = s.execute(query.group_by(day).order_by(day.desc()).limit(31)).all()
    return [
        {"name": datetime.fromtimestamp(int(start) / 1000, UTC).strftime("%Y-%m-%d"), "value": value}
        for start, value in rows
    ]


def _in_team(count: Select[int], team_id: str) -> Select[int]:
    return count.join(models.TeamMember, models.TeamMember.user_id == models.User.id).where(
        models.TeamMember.team_id == team_id, models.TeamMember.delete_at == 0
    )


def _active_since(moment: int) -> Select[int]:
    """Active accounts of people (not bots) whose last activity is after `moment`, as Mattermost counts."""
    return (
        select(func.count())
        .select_from(models.Status)
        .join(models.User, models.User.id == models.Status.user_id)
        .where(
            models.Status.last_activity_at > moment,
            models.User.delete_at == 0,
            models.User.is_bot.is_(False),
        )
    )
