"""Logins, sessions and personal access tokens. Tokens are stored only as hashes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyotp
from sqlalchemy import ColumnElement, case, delete, select, update
from sqlalchemy.orm import Session

from hub import events, models, validation
from hub.caches import Row, RowCache
from hub.errors import AppError, forbidden, invalid_param, unauthorized
from hub.ids import is_valid_id, new_id, now_ms
from hub.permissions import Actor, require_admin, require_self_or_admin
from hub.ratelimit import TokenBucket
from hub.security import decoy_password_hash, hash_token, new_token, same, verify_password

if TYPE_CHECKING:
    from hub.services import Hub

ACTIVITY_WRITE_INTERVAL_MS = 5 * 60 * 1000
HOUR_MS = 3600 * 1000
MINUTE_MS = 60 * 1000
# Stale failures of unknown login ids removed whenever a new login id fails, so that guesses do not pile up.
STALE_FAILURES_PRUNED = 10


def _invalid_login() -> AppError:
    return AppError(
        "api.user.login.invalid_credentials_email_username",
        "Enter a valid email or username and/or password.",
        401,
    )


def _locked_out() -> AppError:
    return AppError(
        "api.user.check_user_login_attempts.too_many.app_error",
        "Your account is locked because of too many failed password attempts. Please try again later.",
        401,
    )


def _add_failure(
    s: Session,
    model: type[models.User] | type[models.UnknownLoginFailure],
    key: ColumnElement[bool],
    now: int,
    forgotten_before: int,
) -> None:
    """Counts a failed attempt in one statement, so that simultaneous ones all count; after a lockout's
    length without a failure the count starts again."""
    s.execute(
        update(model)
        .where(key)
        .values(
            failed_attempts=case(
                (model.last_failed_attempt_at < forgotten_before, 1), else_=model.failed_attempts + 1
            ),
            last_failed_attempt_at=now,
        )
        .execution_options(synchronize_session=False)
    )


_Resolved = tuple["models.Session | None", "models.UserAccessToken | None", "models.User | None"]


class AuthService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        per_minute = hub.config["RateLimitSettings"]["LoginPerMinute"]
        self.login_limiter = TokenBucket(rate=per_minute / 60.0, burst=max(1, per_minute))
        # What a token resolved to, by its digest: the rows as read (never written through these copies).
        self._resolved: RowCache[str, _Resolved] = hub.store.add_cache(
            RowCache(("sessions", "user_access_tokens", "users"))
        )

    # ---- logins ------------------------------------------------------------------
    def login(
        self,
        login_id: Any,
        password: Any,
        *,
        mfa_token: Any = None,
        device_id: Any = "",
        client_key: str = "",
    ) -> tuple[models.User, models.Session, str]:
        """Returns the user, the new session and its token (shown once, stored hashed)."""
        self.login_limiter.check(f"login:{client_key}")
        login_id = validation.require_str("login_id", login_id, required=True, max_len=128)
        if not isinstance(password, str) or not password:
            raise invalid_param("password", "password is required")
        login_key = login_id.strip().lower()
        with self.hub.store.read() as s:
            user = self.hub.users.by_login_id(s, login_key)
            tally = user if user is not None else s.get(models.UnknownLoginFailure, login_key)
        now = now_ms()
        self._refuse_if_locked(tally, now)
        # A login id that names no account, or an account without a password, is verified against the decoy:
        # the answer and the time it takes are those of a wrong password.
        stored_hash = user.password if user is not None and user.password else decoy_password_hash()
        verified = verify_password(stored_hash, password)
        if user is None or not verified:
            self._count_failure(user, login_key, now)
            raise _invalid_login()
        if user.mfa_active and not self._mfa_ok(user, mfa_token):
            raise AppError("mfa.validate_token.authenticate.app_error", "Invalid MFA token.", 401)
        if not user.is_active:
            raise AppError(
                "api.user.login.inactive.app_error",
                "Login failed because your account has been deactivated. Please contact an administrator.",
                401,
            )
        device = validation.require_str("device_id", device_id, max_len=512)
        hours = self.hub.config["ServiceSettings"][
            "SessionLengthMobileInHours" if device else "SessionLengthWebInHours"
        ]
        with self.hub.store.write() as s:
            stored = s.get_one(models.User, user.id)
            stored.failed_attempts = 0
            session, token = self._new_session(s, stored, hours, device_id=device)
        return user, session, token

    # ---- passwords -------------------------------------------------------------------
    def double_check_password(self, user: models.User, password: Any, refusal: AppError) -> None:
        """Mattermost's DoubleCheckPassword, for a signed-in user confirming a change with their password:
        the lockout applies, and a wrong password counts as a failed attempt and answers `refusal`."""
        now = now_ms()
        self._refuse_if_locked(user, now)
        if not isinstance(password, str) or not verify_password(user.password, password):
            self._count_failure(user, "", now)
            raise refusal
        if user.failed_attempts:
            with self.hub.store.write() as s:
                s.execute(update(models.User).where(models.User.id == user.id).values(failed_attempts=0))

    def _forgotten_before(self, now: int) -> int:
        """Failed attempts older than this are forgotten, which ends a lockout."""
        minutes: int = self.hub.config["ServiceSettings"]["LoginLockoutMinutes"]
        return now - minutes * MINUTE_MS

    def _refuse_if_locked(self, tally: models.User | models.UnknownLoginFailure | None, now: int) -> None:
        if (
            tally is not None
            and tally.failed_attempts >= self.hub.config["ServiceSettings"]["MaximumLoginAttempts"]
            and tally.last_failed_attempt_at >= self._forgotten_before(now)
        ):
            raise _locked_out()

    def _count_failure(self, user: models.User | None, login_id: str, now: int) -> None:
        """One more failed attempt for the account, or else for the login id."""
        forgotten_before = self._forgotten_before(now)
        failures = models.UnknownLoginFailure

        def count(s: Session) -> None:
            if user is not None:
                _add_failure(s, models.User, models.User.id == user.id, now, forgotten_before)
            elif s.get(failures, login_id) is not None:
                _add_failure(s, failures, failures.login_id == login_id, now, forgotten_before)
            else:
                stale = s.scalars(
                    select(failures.login_id)
                    .where(failures.last_failed_attempt_at < forgotten_before)
                    .limit(STALE_FAILURES_PRUNED)
                ).all()
                if stale:
                    s.execute(
                        delete(failures).where(
                            failures.login_id.in_(stale), failures.last_failed_attempt_at < forgotten_before
                        )
                    )
                s.add(failures(login_id=login_id, failed_attempts=1, last_failed_attempt_at=now))

        self.hub.store.write_get_or_create(count)

    def _mfa_ok(self, user: models.User, code: Any) -> bool:
        if not isinstance(code, str) or not code.strip():
            return False
        return pyotp.TOTP(user.mfa_secret).verify(code.strip(), valid_window=1)

    def _new_session(
        self, s: Session, user: models.User, hours: int, device_id: str = ""
    ) -> tuple[models.Session, str]:
        token = new_token()
        now = now_ms()
        session = models.Session(
            id=new_id(),
            token_hash=hash_token(token),
            create_at=now,
            expires_at=now + hours * HOUR_MS,
            last_activity_at=now,
            user_id=user.id,
            device_id=device_id,
            roles=user.roles,
            props={"csrf": new_token()},
        )
        s.add(session)
        return session, token

    def create_session_for(self, user_id: str, hours: int = 24) -> tuple[models.Session, str]:
        """A session without a password, for trusted callers (the command line, tests of our own)."""
        with self.hub.store.write() as s:
            user = self.hub.users.load(s, user_id)
            return self._new_session(s, user, hours)

    # ---- token resolution ---------------------------------------------------------
    def resolve(self, token: str) -> tuple[Actor, models.Session | None]:
        """The caller behind a session token or a personal access token, or a 401."""
        if not token or len(token) > 128:
            raise unauthorized("no token")
        digest = hash_token(token)
        now = now_ms()
        session, access, user = self._rows_of(digest)
        if session is not None:
            if not same(session.token_hash, digest) or session.expires_at <= now:
                raise unauthorized("session expired")
        elif access is not None:
            if not same(access.token_hash, digest) or not access.is_active:
                raise unauthorized("token disabled")
            # Bots' tokens work with personal access tokens off, as in Mattermost: a bot has no other way in.
            if not self.hub.config["ServiceSettings"]["EnableUserAccessTokens"] and not (
                user and user.is_bot
            ):
                raise unauthorized("personal access tokens are disabled")
        else:
            raise unauthorized("unknown token")
        if user is None or not user.is_active:
            raise unauthorized("user deactivated")
        if session is not None and now - session.last_activity_at > ACTIVITY_WRITE_INTERVAL_MS:
            self._touch(session.id, now)
        actor = Actor(
            user_id=user.id,
            roles=user.roles,
            session_id=session.id if session else "",
            token_id=access.id if access else "",
            is_bot=user.is_bot,
        )
        return actor, session

    def _rows_of(self, digest: str) -> _Resolved:
        """The session or personal access token with this digest and its user, from the cache when an
        earlier request read them and nothing changed them since."""
        return self._resolved.read(digest, lambda: self._read_rows(digest))

    def _read_rows(self, digest: str) -> tuple[_Resolved, list[Row] | None]:
        with self.hub.store.read() as s:
            session = s.scalar(select(models.Session).where(models.Session.token_hash == digest))
            access = None
            if session is None:
                access = s.scalar(
                    select(models.UserAccessToken).where(models.UserAccessToken.token_hash == digest)
                )
            user_id = session.user_id if session else access.user_id if access else None
            user = s.get(models.User, user_id) if user_id else None
        if user is None or (session is None and access is None):
            return (session, access, user), None  # refused anyway: nothing worth keeping
        credential: Row = (
            ("sessions", session.id) if session else ("user_access_tokens", access.id if access else "")
        )
        return (session, access, user), [("users", user.id), credential]

    def _touch(self, session_id: str, now: int) -> None:
        settings = self.hub.config["ServiceSettings"]
        with self.hub.store.write() as s:
            session = s.get(models.Session, session_id)
            if session is None:
                return
            session.last_activity_at = now
            if settings["ExtendSessionLengthWithActivity"] and not session.device_id:
                session.expires_at = now + settings["SessionLengthWebInHours"] * HOUR_MS

    # ---- sessions ------------------------------------------------------------------
    def logout(self, actor: Actor) -> None:
        if actor.session_id:
            with self.hub.store.write() as s:
                self.end_sessions(s, models.Session.id == actor.session_id)

    def end_sessions(self, s: Session, condition: ColumnElement[bool]) -> None:
        """Deletes the sessions and, once that is committed, closes their sockets in every web process."""
        ended = list(s.scalars(select(models.Session.id).where(condition)))
        if ended:
            # A plain DELETE: no session object loaded here stands for these rows.
            s.execute(
                delete(models.Session)
                .where(models.Session.id.in_(ended))
                .execution_options(synchronize_session=False)
            )
            events.emit(s, events.close_sockets(session_ids=ended))

    def sessions(self, actor: Actor, user_id: str) -> list[models.Session]:
        require_self_or_admin(actor, user_id)
        validation.require_id("user_id", user_id)
        with self.hub.store.read() as s:
            return list(
                s.scalars(
                    select(models.Session)
                    .where(models.Session.user_id == user_id)
                    .order_by(models.Session.last_activity_at.desc())
                )
            )

    def revoke_session(self, actor: Actor, user_id: str, session_id: Any) -> None:
        require_self_or_admin(actor, user_id)
        validation.require_id("session_id", session_id)
        with self.hub.store.write() as s:
            session = s.get(models.Session, session_id)
            if session is None or session.user_id != user_id:
                raise AppError(
                    "app.session.get.app_error", "Unable to find the session.", 400 if session else 404
                )
            self.end_sessions(s, models.Session.id == session.id)

    def revoke_all_sessions(self, actor: Actor, user_id: str) -> None:
        require_self_or_admin(actor, user_id)
        validation.require_id("user_id", user_id)
        with self.hub.store.write() as s:
            self.end_sessions(s, models.Session.user_id == user_id)

    # ---- personal access tokens ------------------------------------------------------
    def _require_tokens_enabled(self, user_id: str) -> None:
        """ServiceSettings.EnableUserAccessTokens, which bots are not subject to (as in Mattermost)."""
        if self.hub.config["ServiceSettings"]["EnableUserAccessTokens"]:
            return
        with self.hub.store.read() as s:
            user = s.get(models.User, user_id) if is_valid_id(user_id) else None
            if user is None or not user.is_bot:
                raise AppError(
                    "api.user.create_user_access_token.disabled",
                    "Personal access tokens are disabled on this server. Please contact your system administrator for details.",
                    501,
                )

    def _require_token_permission(self, actor: Actor, user_id: str) -> None:
        require_self_or_admin(actor, user_id)
        if not actor.is_system_admin and "system_user_access_token" not in actor.roles.split():
            raise forbidden("the system_user_access_token role is needed to manage personal access tokens")

    def create_token(
        self, actor: Actor | None, user_id: str, description: Any
    ) -> tuple[models.UserAccessToken, str]:
        """`actor` None is the command line. Answers the token once; only its hash is kept."""
        self._require_tokens_enabled(user_id)
        if actor is not None:
            self._require_token_permission(actor, user_id)
        description = validation.require_str("description", description, required=True, max_len=255)
        token = new_token()
        with self.hub.store.write() as s:
            user = self.hub.users.load(s, user_id)
            if not user.is_active:
                raise invalid_param("user_id", "the user is deactivated")
            row = models.UserAccessToken(
                id=new_id(),
                token_hash=hash_token(token),
                user_id=user_id,
                description=description,
                is_active=True,
                create_at=now_ms(),
            )
            s.add(row)
        return row, token

    def tokens_of(
        self, actor: Actor, user_id: str, page: Any = 0, per_page: Any = 60
    ) -> list[models.UserAccessToken]:
        self._require_token_permission(actor, user_id)
        page_n, per_page_n = validation.paging(page, per_page)
        with self.hub.store.read() as s:
            return list(
                s.scalars(
                    select(models.UserAccessToken)
                    .where(models.UserAccessToken.user_id == user_id)
                    .order_by(models.UserAccessToken.create_at, models.UserAccessToken.id)
                    .offset(page_n * per_page_n)
                    .limit(per_page_n)
                )
            )

    def all_tokens(self, actor: Actor, page: Any = 0, per_page: Any = 60) -> list[models.UserAccessToken]:
        require_admin(actor)
        page_n, per_page_n = validation.paging(page, per_page)
        with self.hub.store.read() as s:
            return list(
                s.scalars(
                    select(models.UserAccessToken)
                    .order_by(models.UserAccessToken.create_at, models.UserAccessToken.id)
                    .offset(page_n * per_page_n)
                    .limit(per_page_n)
                )
            )

    def get_token(self, actor: Actor, token_id: Any) -> models.UserAccessToken:
        validation.require_id("token_id", token_id)
        with self.hub.store.read() as s:
            row = s.get(models.UserAccessToken, token_id)
        if row is None:
            raise AppError("app.user_access_token.get_by_id.app_error", "Unable to find the token.", 404)
        self._require_token_permission(actor, row.user_id)
        return row

    def revoke_token(self, actor: Actor, token_id: Any) -> None:
        row = self.get_token(actor, token_id)
        with self.hub.store.write() as s:
            # A plain DELETE: the token was read in another session, none here stands for it.
            s.execute(
                delete(models.UserAccessToken)
                .where(models.UserAccessToken.id == row.id)
                .execution_options(synchronize_session=False)
            )
            events.emit(s, events.close_sockets(token_ids=[row.id]))

    def set_token_active(self, actor: Actor, token_id: Any, active: bool) -> None:
        row = self.get_token(actor, token_id)
        with self.hub.store.write() as s:
            stored = s.get_one(models.UserAccessToken, row.id)
            stored.is_active = active
            if not active:
                events.emit(s, events.close_sockets(token_ids=[row.id]))
