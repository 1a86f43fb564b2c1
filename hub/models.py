"""Typed SQLAlchemy 2.0 models. Column names follow Mattermost's JSON field names."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Id = String(26)
# MySQL compares text case-insensitively by default; keys that are case-sensitive elsewhere use a
# binary collation there so that every database sees the same distinct rows.
ExactKey = String(32).with_variant(mysql.VARCHAR(32, collation="utf8mb4_bin"), "mysql", "mariadb")
# Keys chosen by senders (delivery ids, CI subjects): case-sensitive and up to 255 characters.
LongExactKey = String(255).with_variant(mysql.VARCHAR(255, collation="utf8mb4_bin"), "mysql", "mariadb")
# An integration's signing secret: 32 random bytes in hex (hub.security.new_signing_secret).
SigningSecret = String(64)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    create_at: Mapped[int] = mapped_column(BigInteger)
    update_at: Mapped[int] = mapped_column(BigInteger)
    delete_at: Mapped[int] = mapped_column(BigInteger, default=0)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password: Mapped[str] = mapped_column(String(255), default="")
    auth_data: Mapped[str | None] = mapped_column(String(128), nullable=True)
    auth_service: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(128), unique=True)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    nickname: Mapped[str] = mapped_column(String(64), default="")
    first_name: Mapped[str] = mapped_column(String(64), default="")
    last_name: Mapped[str] = mapped_column(String(64), default="")
    position: Mapped[str] = mapped_column(String(128), default="")
    roles: Mapped[str] = mapped_column(String(256), default="system_user")
    allow_marketing: Mapped[bool] = mapped_column(Boolean, default=False)
    props: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notify_props: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_password_update: Mapped[int] = mapped_column(BigInteger, default=0)
    last_picture_update: Mapped[int] = mapped_column(BigInteger, default=0)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Failed attempts are forgotten ServiceSettings.LoginLockoutMinutes after the last one.
    last_failed_attempt_at: Mapped[int] = mapped_column(BigInteger, default=0)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    timezone: Mapped[dict[str, Any]] = mapped_column(default=dict)
    mfa_active: Mapped[bool] = mapped_column(Boolean, default=False)
    mfa_secret: Mapped[str] = mapped_column(String(128), default="")
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    bot_description: Mapped[str] = mapped_column(String(1024), default="")
    last_activity_at: Mapped[int] = mapped_column(BigInteger, default=0)

    @property
    def is_system_admin(self) -> bool:
        return "system_admin" in self.roles.split()

    @property
    def is_active(self) -> bool:
        return self.delete_at == 0


class Session(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    create_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    last_activity_at: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[str] = mapped_column(Id, index=True)
    device_id: Mapped[str] = mapped_column(String(512), default="")
    roles: Mapped[str] = mapped_column(String(256), default="")
    is_oauth: Mapped[bool] = mapped_column(Boolean, default=False)
    props: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Set when this session stands for a personal access token rather than a login.
    access_token_id: Mapped[str | None] = mapped_column(Id, nullable=True, index=True)


class Bot(Base):
    """A bot account's own record; its username, display name (first_name) and description
    (bot_description) live on its users row, as Mattermost keeps them."""

    __tablename__ = "bots"

    user_id: Mapped[str] = mapped_column(Id, primary_key=True)
    # A user id, or a plugin's id in Mattermost: up to 190 characters there.
    owner_id: Mapped[str] = mapped_column(String(190), index=True)
    last_icon_update: Mapped[int] = mapped_column(BigInteger, default=0)
    create_at: Mapped[int] = mapped_column(BigInteger)
    update_at: Mapped[int] = mapped_column(BigInteger)
    delete_at: Mapped[int] = mapped_column(BigInteger, default=0)


class UserAccessToken(Base):
    __tablename__ = "user_access_tokens"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(Id, index=True)
    description: Mapped[str] = mapped_column(String(512), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    create_at: Mapped[int] = mapped_column(BigInteger, default=0)


class UnknownLoginFailure(Base):
    """Failed logins with a login id (lowercased) that names no account, counted and locked out like an
    account's, so that the lockout answer does not tell which login ids exist."""

    __tablename__ = "unknown_login_failures"

    login_id: Mapped[str] = mapped_column(LongExactKey, primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_attempt_at: Mapped[int] = mapped_column(BigInteger, index=True)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    create_at: Mapped[int] = mapped_column(BigInteger)
    update_at: Mapped[int] = mapped_column(BigInteger)
    delete_at: Mapped[int] = mapped_column(BigInteger, default=0)
    display_name: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(128), default="")
    type: Mapped[str] = mapped_column(String(1), default="O")
    company_name: Mapped[str] = mapped_column(String(64), default="")
    allowed_domains: Mapped[str] = mapped_column(String(1000), default="")
    invite_id: Mapped[str] = mapped_column(String(32), default="")
    allow_open_invite: Mapped[bool] = mapped_column(Boolean, default=False)
    last_team_icon_update: Mapped[int] = mapped_column(BigInteger, default=0)


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[str] = mapped_column(Id, primary_key=True)
    user_id: Mapped[str] = mapped_column(Id, primary_key=True, index=True)
    roles: Mapped[str] = mapped_column(String(256), default="")
    scheme_user: Mapped[bool] = mapped_column(Boolean, default=True)
    scheme_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    delete_at: Mapped[int] = mapped_column(BigInteger, default=0)
    create_at: Mapped[int] = mapped_column(BigInteger, default=0)


class Channel(Base):
    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("name", "team_id", name="uq_channels_name_team"),)

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    create_at: Mapped[int] = mapped_column(BigInteger)
    update_at: Mapped[int] = mapped_column(BigInteger)
    delete_at: Mapped[int] = mapped_column(BigInteger, default=0)
    team_id: Mapped[str] = mapped_column(Id, default="", index=True)
    type: Mapped[str] = mapped_column(String(1))
    display_name: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(64))
    header: Mapped[str] = mapped_column(String(1024), default="")
    purpose: Mapped[str] = mapped_column(String(250), default="")
    last_post_at: Mapped[int] = mapped_column(BigInteger, default=0)
    last_root_post_at: Mapped[int] = mapped_column(BigInteger, default=0)
    total_msg_count: Mapped[int] = mapped_column(BigInteger, default=0)
    total_msg_count_root: Mapped[int] = mapped_column(BigInteger, default=0)
    extra_update_at: Mapped[int] = mapped_column(BigInteger, default=0)
    creator_id: Mapped[str] = mapped_column(String(26), default="")
    props: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)


class ChannelMember(Base):
    __tablename__ = "channel_members"

    channel_id: Mapped[str] = mapped_column(Id, primary_key=True)
    user_id: Mapped[str] = mapped_column(Id, primary_key=True, index=True)
    roles: Mapped[str] = mapped_column(String(256), default="")
    scheme_user: Mapped[bool] = mapped_column(Boolean, default=True)
    scheme_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    last_viewed_at: Mapped[int] = mapped_column(BigInteger, default=0)
    msg_count: Mapped[int] = mapped_column(BigInteger, default=0)
    msg_count_root: Mapped[int] = mapped_column(BigInteger, default=0)
    mention_count: Mapped[int] = mapped_column(BigInteger, default=0)
    mention_count_root: Mapped[int] = mapped_column(BigInteger, default=0)
    urgent_mention_count: Mapped[int] = mapped_column(BigInteger, default=0)
    notify_props: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_update_at: Mapped[int] = mapped_column(BigInteger, default=0)


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        # The timeline of a channel, in the order pages and cursors read it.
        Index("ix_posts_channel_create", "channel_id", "create_at", "id"),
        # What changed since a moment (a reconnecting client's `since`).
        Index("ix_posts_channel_update", "channel_id", "update_at"),
        Index("ix_posts_root_create", "root_id", "create_at"),
        # A client's retry of a post it never saw answered (pending_post_id), and a user's posts.
        Index("ix_posts_user_pending", "user_id", "pending_post_id"),
    )

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    create_at: Mapped[int] = mapped_column(BigInteger)
    update_at: Mapped[int] = mapped_column(BigInteger)
    edit_at: Mapped[int] = mapped_column(BigInteger, default=0)
    delete_at: Mapped[int] = mapped_column(BigInteger, default=0)
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[str] = mapped_column(Id)
    channel_id: Mapped[str] = mapped_column(Id)
    root_id: Mapped[str] = mapped_column(String(26), default="")
    original_id: Mapped[str] = mapped_column(String(26), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(64), default="")
    props: Mapped[dict[str, Any]] = mapped_column(default=dict)
    hashtags: Mapped[str] = mapped_column(String(1000), default="")
    file_ids: Mapped[list[str]] = mapped_column(default=list)
    pending_post_id: Mapped[str] = mapped_column(String(64), default="")
    reply_count: Mapped[int] = mapped_column(BigInteger, default=0)
    last_reply_at: Mapped[int] = mapped_column(BigInteger, default=0)
    has_reactions: Mapped[bool] = mapped_column(Boolean, default=False)


class Reaction(Base):
    __tablename__ = "reactions"

    post_id: Mapped[str] = mapped_column(Id, primary_key=True)
    user_id: Mapped[str] = mapped_column(Id, primary_key=True)
    emoji_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel_id: Mapped[str] = mapped_column(Id, default="")
    create_at: Mapped[int] = mapped_column(BigInteger)
    update_at: Mapped[int] = mapped_column(BigInteger, default=0)
    delete_at: Mapped[int] = mapped_column(BigInteger, default=0)


class FileInfo(Base):
    __tablename__ = "file_infos"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    user_id: Mapped[str] = mapped_column(Id, index=True)
    post_id: Mapped[str] = mapped_column(String(26), default="", index=True)
    channel_id: Mapped[str] = mapped_column(String(26), default="")
    create_at: Mapped[int] = mapped_column(BigInteger)
    update_at: Mapped[int] = mapped_column(BigInteger)
    delete_at: Mapped[int] = mapped_column(BigInteger, default=0)
    path: Mapped[str] = mapped_column(String(512))
    thumbnail_path: Mapped[str] = mapped_column(String(512), default="")
    preview_path: Mapped[str] = mapped_column(String(512), default="")
    name: Mapped[str] = mapped_column(String(256))
    extension: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    mime_type: Mapped[str] = mapped_column(String(256), default="")
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    has_preview_image: Mapped[bool] = mapped_column(Boolean, default=False)
    mini_preview: Mapped[str | None] = mapped_column(Text, nullable=True)


class Preference(Base):
    __tablename__ = "preferences"

    user_id: Mapped[str] = mapped_column(Id, primary_key=True)
    category: Mapped[str] = mapped_column(ExactKey, primary_key=True)
    name: Mapped[str] = mapped_column(ExactKey, primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class Status(Base):
    __tablename__ = "statuses"

    user_id: Mapped[str] = mapped_column(Id, primary_key=True)
    status: Mapped[str] = mapped_column(String(32), default="offline")
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    last_activity_at: Mapped[int] = mapped_column(BigInteger, default=0)
    dnd_end_time: Mapped[int] = mapped_column(BigInteger, default=0)
    prev_status: Mapped[str] = mapped_column(String(32), default="")


class IncomingWebhook(Base):
    """Mattermost's IncomingWebhook; `adapter` and `secret` serve the CI adapters (GitHub, GitLab...)."""

    __tablename__ = "incoming_webhooks"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    create_at: Mapped[int] = mapped_column(BigInteger)
    update_at: Mapped[int] = mapped_column(BigInteger)
    delete_at: Mapped[int] = mapped_column(BigInteger, default=0)
    user_id: Mapped[str] = mapped_column(Id)
    channel_id: Mapped[str] = mapped_column(Id)
    team_id: Mapped[str] = mapped_column(Id, index=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(String(500), default="")
    username: Mapped[str] = mapped_column(String(255), default="")
    icon_url: Mapped[str] = mapped_column(String(1024), default="")
    channel_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    adapter: Mapped[str] = mapped_column(String(32), default="")
    secret: Mapped[str] = mapped_column(String(255), default="")
    # {"include": [patterns], "exclude": [patterns], "failures_and_recoveries_only": bool}
    event_filter: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The last delivery an adapter did not know, kept for the hook's owner to see.
    last_unhandled_event: Mapped[str] = mapped_column(String(255), default="")
    last_unhandled_at: Mapped[int] = mapped_column(BigInteger, default=0)
    # Every kind of unhandled event the owner has been told about (adapter:event), so each is told once.
    unhandled_events: Mapped[list[str]] = mapped_column(default=list)


class IncomingWebhookPost(Base):
    """A post made through an incoming webhook: the hook may later edit or delete it, and a sender's
    delivery key (Idempotency-Key, X-GitHub-Delivery...) finds it again instead of posting twice.
    Rows without a key are never equal in the unique index, on every database."""

    __tablename__ = "incoming_webhook_posts"
    __table_args__ = (UniqueConstraint("hook_id", "delivery_key", name="uq_incoming_webhook_posts_delivery"),)

    post_id: Mapped[str] = mapped_column(Id, primary_key=True)
    hook_id: Mapped[str] = mapped_column(Id)
    delivery_key: Mapped[str | None] = mapped_column(LongExactKey, nullable=True)
    create_at: Mapped[int] = mapped_column(BigInteger)


class IncomingWebhookOutcome(Base):
    """The last outcome a hook saw for one subject (a pipeline of a branch, a Jenkins job...), so
    that a success after a failure can be told apart as a recovery."""

    __tablename__ = "incoming_webhook_outcomes"

    hook_id: Mapped[str] = mapped_column(Id, primary_key=True)
    subject: Mapped[str] = mapped_column(LongExactKey, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))
    update_at: Mapped[int] = mapped_column(BigInteger)


class PostPriority(Base):
    """Mattermost's post priority (metadata.priority): "important" or "urgent", with acknowledgement
    and persistent-notification requests."""

    __tablename__ = "posts_priority"

    post_id: Mapped[str] = mapped_column(Id, primary_key=True)
    channel_id: Mapped[str] = mapped_column(Id)
    priority: Mapped[str] = mapped_column(String(32), default="")
    requested_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    persistent_notifications: Mapped[bool] = mapped_column(Boolean, default=False)


class Command(Base):
    """Mattermost's custom slash command: `/trigger` in a team calls `url` (POST or GET)."""

    __tablename__ = "commands"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    token: Mapped[str] = mapped_column(Id)
    # Keys the signature of the command's requests. The token travels in every request; this never
    # does, so whoever sees one request still cannot sign another.
    signing_secret: Mapped[str] = mapped_column(SigningSecret)
    create_at: Mapped[int] = mapped_column(BigInteger)
    update_at: Mapped[int] = mapped_column(BigInteger)
    delete_at: Mapped[int] = mapped_column(BigInteger, default=0)
    creator_id: Mapped[str] = mapped_column(Id)
    team_id: Mapped[str] = mapped_column(Id, index=True)
    trigger: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(1), default="P")
    username: Mapped[str] = mapped_column(String(64), default="")
    icon_url: Mapped[str] = mapped_column(String(1024), default="")
    auto_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_complete_desc: Mapped[str] = mapped_column(String(1024), default="")
    auto_complete_hint: Mapped[str] = mapped_column(String(1024), default="")
    display_name: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(String(128), default="")
    url: Mapped[str] = mapped_column(String(1024), default="")


class CommandWebhook(Base):
    """A command's `response_url`: a few delayed answers to one execution, for a limited time."""

    __tablename__ = "command_webhooks"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    create_at: Mapped[int] = mapped_column(BigInteger)
    command_id: Mapped[str] = mapped_column(Id)
    user_id: Mapped[str] = mapped_column(Id)
    channel_id: Mapped[str] = mapped_column(Id)
    root_id: Mapped[str] = mapped_column(Id, default="")
    use_count: Mapped[int] = mapped_column(Integer, default=0)


class OutgoingWebhook(Base):
    """Mattermost's OutgoingWebhook: posts in a team (or one public channel of it) whose first word is
    a trigger word are sent to the callback URLs. `consecutive_failures` and `disabled_reason` let the
    delivery engine switch off a hook whose callbacks keep failing; an admin switches it back on."""

    __tablename__ = "outgoing_webhooks"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    token: Mapped[str] = mapped_column(Id)
    # Keys the signature of the deliveries; never sent, unlike the token (see Command.signing_secret).
    signing_secret: Mapped[str] = mapped_column(SigningSecret)
    create_at: Mapped[int] = mapped_column(BigInteger)
    update_at: Mapped[int] = mapped_column(BigInteger)
    delete_at: Mapped[int] = mapped_column(BigInteger, default=0)
    creator_id: Mapped[str] = mapped_column(Id)
    channel_id: Mapped[str] = mapped_column(Id, default="", index=True)
    team_id: Mapped[str] = mapped_column(Id, index=True)
    trigger_words: Mapped[list[str]] = mapped_column(default=list)
    # 0: the first word is a trigger word; 1: the first word starts with one.
    trigger_when: Mapped[int] = mapped_column(Integer, default=0)
    callback_urls: Mapped[list[str]] = mapped_column(default=list)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(String(500), default="")
    content_type: Mapped[str] = mapped_column(String(128), default="application/x-www-form-urlencoded")
    username: Mapped[str] = mapped_column(String(64), default="")
    icon_url: Mapped[str] = mapped_column(String(1024), default="")
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    disabled_reason: Mapped[str] = mapped_column(String(255), default="")


# A request body: MySQL's TEXT holds only 64 KiB.
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


class Delivery(Base):
    """One request to an integration, written in the same transaction as what caused it and sent by the
    delivery worker until it succeeds or is given up (at least once)."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "state", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    create_at: Mapped[int] = mapped_column(BigInteger)
    update_at: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(Id, index=True)
    url: Mapped[str] = mapped_column(String(1024))
    method: Mapped[str] = mapped_column(String(8), default="POST")
    content_type: Mapped[str] = mapped_column(String(128), default="")
    body: Mapped[str] = mapped_column(LongText, default="")
    # What the answer needs (channel, thread, post...), as the delivery's kind reads it.
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # "pending", "delivered", "failed" (given up) or "cancelled" (its integration is gone or disabled).
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[int] = mapped_column(BigInteger, default=0)
    lease_until: Mapped[int] = mapped_column(BigInteger, default=0)
    last_status: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(1024), default="")


class DeliveryAttempt(Base):
    """One try of a delivery, for the delivery log: status, latency, redacted request and response."""

    __tablename__ = "delivery_attempts"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(Id, index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[int] = mapped_column(BigInteger)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    status_code: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(String(1024), default="")
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)
    response: Mapped[dict[str, Any]] = mapped_column(default=dict)


class WorkerLease(Base):
    """Who runs a singleton job (the delivery worker) until when; another process takes over once the
    lease has run out."""

    __tablename__ = "worker_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    lease_until: Mapped[int] = mapped_column(BigInteger)


class PostAction(Base):
    """The sealed integration of one interactive action (button or menu) of a post: where a click is
    sent and the context it carries. Clients never see or change it; the post's props hold the rest."""

    __tablename__ = "post_actions"

    post_id: Mapped[str] = mapped_column(Id, primary_key=True)
    action_id: Mapped[str] = mapped_column(ExactKey, primary_key=True)
    type: Mapped[str] = mapped_column(String(16), default="button")
    data_source: Mapped[str] = mapped_column(String(16), default="")
    url: Mapped[str] = mapped_column(String(1024))
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)


class InteractiveDialog(Base):
    """A dialog an integration opened for one user: its submissions go to `url`, checked against `dialog`."""

    __tablename__ = "interactive_dialogs"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    create_at: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[str] = mapped_column(Id, index=True)
    url: Mapped[str] = mapped_column(String(1024))
    dialog: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ServerSecret(Base):
    """Random keys this server signs with (trigger ids), shared by every process and node."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    create_at: Mapped[int] = mapped_column(BigInteger)
